"""统一社会信用代码 validation (GB 32100-2015, SPEC §2.1).

The one USCC validator of the project. Pure Python: the rules package, the bundle
validator, the forms and the API all call :func:`normalize_uscc`.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
# w_i = 3^(i-1) mod 31, i = 1..17
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
REGISTRATION_AUTHORITIES = set("123456789ANY")


class USCCError(ValueError):
    """An invalid USCC; ``position`` is 1-based (0 when the whole code is at fault)."""

    def __init__(self, message: str, position: int = 0):
        super().__init__(message)
        self.position = position
        self.message = message


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (assumed to be in the alphabet)."""
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: object) -> str:
    """Return the upper-cased USCC or raise :class:`USCCError` naming position and reason."""
    if not isinstance(value, str):
        raise USCCError("统一社会信用代码必须是字符串")
    code = value.strip().upper()
    if len(code) != 18:
        raise USCCError(f"统一社会信用代码应为18位，实际为{len(code)}位")
    for pos, char in enumerate(code, start=1):
        if char not in VALUES:
            raise USCCError(f"第{pos}位字符“{char}”不在代码字符集中（不使用I、O、S、V、Z）", pos)
    if code[0] not in REGISTRATION_AUTHORITIES:
        raise USCCError(f"第1位登记管理部门代码“{code[0]}”无效（应为1–9、A、N、Y）", 1)
    for pos in range(3, 9):
        if not code[pos - 1].isdigit():
            raise USCCError(f"第{pos}位应为数字（第3–8位为登记管理机关行政区划码）", pos)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(f"第18位校验码应为“{expected}”，实际为“{code[17]}”", 18)
    return code


def is_valid_uscc(value: object) -> bool:
    try:
        normalize_uscc(value)
    except USCCError:
        return False
    return True


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    first17 = first17.upper()
    if len(first17) != 17 or any(c not in VALUES for c in first17):
        raise USCCError("需要17位代码字符")
    return first17 + check_character(first17)
