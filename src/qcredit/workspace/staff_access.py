"""Who may enter the workspace screens of the red list and of governance, and the one way they
are refused: a page in Chinese saying what was refused and why (403), never a 500. The
services decide again on every action; these only keep out who has no business at all."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from qcredit.accounts.models import Membership, Role
from qcredit.accounts.services import AccessDenied, authorize, staff_jurisdictions


def refused(request, message: str, *, status: int = 403, title: str = "不能办理"):
    """A clear refusal in Chinese (what and why), never a 500."""
    return render(request, "workspace/governance/refused.html", {"message": message, "title": title}, status=status)


def staff_member_required(view):
    """Staff holding a role in some unit (auditors excepted: they read the audit trail only)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not staff_jurisdictions(request.user):
            if Membership.objects.filter(user=request.user, role=Role.AUDITOR).exists():
                return refused(request, "纪检/审计人员查阅审计日志和查阅日志，不办理业务（SPEC §1）。")
            return refused(request, "只有在监管单位担任角色的工作人员可以使用工作台。")
        return view(request, *args, **kwargs)

    return wrapped


def member_required(view):
    """Anyone holding a role in an active unit, auditors included (the rule-set parameters and
    the official calendar are not confidential), and a superuser (who may load the calendar,
    ``workdays.services``)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser and not Membership.objects.filter(user=request.user,
                                                                           unit__active=True).exists():
            return refused(request, "只有在监管单位担任角色的工作人员可以使用工作台。")
        return view(request, *args, **kwargs)

    return wrapped


def auditor_required(view):
    """纪检/审计 (SPEC §1 auditor, SRL 第十七条): read-only access to the trail."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            request.auditor = authorize(user=request.user, role=Role.AUDITOR)
        except AccessDenied as exc:
            return refused(request, f"审计日志仅供纪检/审计人员查阅：{exc.message}")
        request.audit_scopes = sorted(set(Membership.objects.filter(
            user=request.user, role=Role.AUDITOR, unit__active=True).values_list("unit__jurisdiction", flat=True)))
        return view(request, *args, **kwargs)

    return wrapped
