"""Password policy beyond Django's validators (settings.AUTH_PASSWORD_VALIDATORS).

GB/T 22239-2019 8.1.4.1 a asks that "身份鉴别信息具有复杂度要求": besides length (10),
similarity to the account's attributes, the common-password list and all-digit passwords
(Django's validators), a password must mix character classes.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda c: True),  # tried last: whatever is none of the above
)


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols.
    A character that is none of the first three (punctuation, spaces, Chinese characters)
    counts as a symbol."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def _classes(self, password: str) -> int:
        found = set()
        for char in password:
            for name, test in CLASSES:
                if test(char):
                    found.add(name)
                    break
        return len(found)

    def validate(self, password: str, user=None) -> None:
        if self._classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in Chinese (Django's zh-hans catalogue lacks the
    current wording of this message, so it would show in English)."""

    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
