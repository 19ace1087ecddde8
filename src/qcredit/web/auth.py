"""Authentication for every login path: the site's login page, the Django admin's login and
anything else that calls ``django.contrib.auth.authenticate`` with a request.

- :class:`ThrottledModelBackend` refuses a locked user name/address before the password is
  checked (:mod:`qcredit.web.throttle`); the ``user_login_failed`` receiver counts failures,
  the ``user_logged_in`` receiver resets the account counter and stamps the session's login
  time (the absolute session lifetime, :mod:`qcredit.web.middleware`).
- :class:`LoginForm` / :class:`AdminLoginForm` say in Chinese why a login was refused and,
  when locked, when to try again.
- :func:`password_change` is the one way a logged-in user changes their own password: the
  validators of ``AUTH_PASSWORD_VALIDATORS`` again, one transaction, an audit event.
"""

from __future__ import annotations

import time

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qcredit.audit.context import request_address
from qcredit.audit.services import audit_write

from . import throttle

SESSION_AUTH_AT = "qcredit_auth_at"  # when the user logged in (epoch seconds)
SESSION_SEEN_AT = "qcredit_seen_at"  # the last request that counted as activity


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend, behind the login throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:
            name = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
            lock = throttle.login_lock(username=name or "", address=request_address(request))
            if lock is not None:
                request.qcredit_login_lock = lock
                # PermissionDenied stops authenticate() from asking any other backend.
                raise PermissionDenied("login locked")
        return super().authenticate(request, username=username, password=password, **kwargs)


def on_login_failed(sender, credentials, request=None, **kwargs):
    """Count the failure (not when the attempt was refused by a lock: it never reached the
    password check). Without a request there is no client address to count by."""
    if request is None or getattr(request, "qcredit_login_lock", None) is not None:
        return
    outcome = throttle.login_failure_record(username=str(credentials.get("username") or ""),
                                            address=request_address(request))
    request.qcredit_login_remaining = outcome.remaining
    if outcome.lock is not None:
        request.qcredit_login_lock = outcome.lock


def on_logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    throttle.login_success_record(username=user.get_username(), address=request_address(request))
    if hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_AUTH_AT] = now
        request.session[SESSION_SEEN_AT] = now


INVALID_LOGIN = "用户名或密码不正确，请重新输入（密码区分大小写）。"
# The admin refuses a right password of an account that is not an admin account with this same
# message, so that its login page does not tell that the password was right.
ADMIN_INVALID_LOGIN = "用户名或密码不正确，或该账号不能使用管理后台，请重新输入（密码区分大小写）。"


class ThrottleMessages:
    """The refusal says why: wrong credentials (with a warning when the lock is near), or a
    lock with the time to try again."""

    def get_invalid_login_error(self):
        lock = getattr(self.request, "qcredit_login_lock", None)
        if lock is not None:
            return ValidationError(throttle.lock_message(lock), code="locked")
        message = self.error_messages["invalid_login"]
        remaining = getattr(self.request, "qcredit_login_remaining", None)
        if remaining is not None and 0 < remaining <= 2:
            minutes = int(throttle.lockout().total_seconds() // 60)
            message += f"再失败 {remaining} 次，该用户名在本地址将暂停登录 {minutes} 分钟。"
        return ValidationError(message, code="invalid_login")


class LoginForm(ThrottleMessages, AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN,
                      "inactive": INVALID_LOGIN}


class AdminLoginForm(ThrottleMessages, AdminAuthenticationForm):
    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": ADMIN_INVALID_LOGIN,
                      "inactive": ADMIN_INVALID_LOGIN}

    def confirm_login_allowed(self, user):
        """A right password of an account that may not use the admin counts as a failed admin
        login, so that neither the message nor the countdown to the lock tells it apart."""
        try:
            super().confirm_login_allowed(user)
        except ValidationError:
            if self.request is not None:
                outcome = throttle.login_failure_record(username=user.get_username(),
                                                        address=request_address(self.request))
                self.request.qcredit_login_remaining = outcome.remaining
                if outcome.lock is not None:
                    self.request.qcredit_login_lock = outcome.lock
            raise self.get_invalid_login_error() from None


def password_change(*, user, new_password: str) -> None:
    """Set ``user``'s own new password: the password policy (AUTH_PASSWORD_VALIDATORS) is
    checked here too, so no caller can skip it. Raises ValidationError with the reasons."""
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        # Never the password or its hash: only that it changed, and by whom.
        audit_write(actor=user, action="auth.password.change", obj=("auth.user", user.pk, user.get_username()),
                    after={"password_changed": True}, reason="本人修改登录密码")


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, new twice, validators) saving through :func:`password_change`."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "原密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致。",
    }
    old_password = forms.CharField(label="原密码", strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                     "autofocus": True}))

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password2")
        if new and self.user.check_password(new):
            self.add_error("new_password2", "新密码不能与原密码相同。")
        return cleaned

    def save(self, commit=True):
        password_change(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user
