"""Login, own password change and the CSRF refusal page, in Chinese (issue 4 item 4)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from qcredit.accounts.models import EnterpriseAccount
from qcredit.accounts.services import staff_jurisdictions

from .auth import LoginForm, OwnPasswordChangeForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm


def _base_template(user) -> str:
    """The shell the user knows: the workspace for staff, self-service for an enterprise."""
    if staff_jurisdictions(user):
        return "web/staff_base.html"
    if EnterpriseAccount.objects.filter(user=user).exists():
        return "web/enterprise_base.html"
    return "web/shell.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django keeps this session signed in after the change (update_session_auth_hash); every
    other session of the user ends, because its stored password hash no longer matches."""

    template_name = "web/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "base_template": _base_template(self.request.user)}


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/password_change_done.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "base_template": _base_template(self.request.user)}


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: a POST without a valid token (or from another site) is
    refused with 403 and a Chinese explanation instead of Django's English page."""
    return render(request, "web/csrf_failure.html", {"reason": reason}, status=403)
