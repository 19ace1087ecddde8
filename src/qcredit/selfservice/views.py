"""Enterprise self-service (SPEC §1 企业用户; issue 4 item 2): the enterprise's own archive, grade
and reasons; A-grade publication applications; objections with receipts; statements beside its
public entries.

Only an enterprise account reaches these pages, and only for the enterprise it is bound to
(:class:`~qcredit.accounts.models.EnterpriseAccount`); staff accounts and anonymous users get
none (staff see enterprises in the workspace). Objects are looked up within the own enterprise,
so another enterprise's application or entry is "not found", never "forbidden". Every change
goes through a service of :mod:`qcredit.lists.services`, which checks the account again; its
refusals are shown as their Chinese message.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from qcredit.accounts.models import Membership
from qcredit.accounts.services import AccessDenied
from qcredit.grading.models import GradeState
from qcredit.grading.selectors import confirmed_as_of
from qcredit.lists import selectors as lists_selectors
from qcredit.lists import services
from qcredit.lists.errors import ListsError
from qcredit.lists.models import AApplication, PublishedA, Statement
from qcredit.web.refusals import refusal, refusal_status
from qcredit.workdays.errors import WorkdayError

from . import forms, selectors

DOMAIN_ERRORS = (AccessDenied, ListsError, WorkdayError)


def enterprise_required(view):
    """An enterprise account, acting for its own enterprise (``request.enterprise``)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if Membership.objects.filter(user=request.user).exists():
            return render(request, "selfservice/refused.html", {
                "message": "企业服务仅供企业账号使用；监管部门工作人员请在工作台查看企业信息。"}, status=403)
        enterprise = selectors.own_enterprise(request.user)
        if enterprise is None:
            return render(request, "selfservice/refused.html", {
                "message": "当前账号没有绑定企业，不能使用企业服务；请联系系统管理员开通企业账号。"}, status=403)
        request.enterprise = enterprise
        return view(request, *args, **kwargs)

    return wrapped


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("enterprise", request.enterprise)
    return render(request, f"selfservice/{template}", context, status=status)


@enterprise_required
def home(request):
    dossier = selectors.own_dossier(user=request.user, enterprise=request.enterprise)
    return _render(request, "home.html", {
        "d": dossier, "e": dossier.enterprise, "entries": selectors.own_entries(user=request.user,
                                                                                enterprise=request.enterprise),
        "confirmed_as_of": confirmed_as_of(dossier.state),
    })


# --- A-grade publication (SPEC §5.2) ------------------------------------------------------------------


def _eligibility(enterprise, own) -> tuple[bool, str]:
    """Whether the form is offered, and why not (the service decides again on submission)."""
    grade = GradeState.objects.filter(enterprise=enterprise).values_list("grade", flat=True).first()
    if any(a.is_open for a in own.applications):
        return False, "本企业已有正在办理的申请，请等待评价结果或撤回后重新申请。"
    if any(p.state == PublishedA.State.PUBLISHED for p in own.published):
        return False, "本企业的A级公示尚在有效期内；期满后可重新申请（QCO 五(五)）。"
    if grade != "A":
        return False, "本企业当前质量信用等级不是A级，暂不能申请A级公示（QCO 三(五)）。"
    return True, ""


@enterprise_required
def a_applications(request):
    enterprise = request.enterprise
    form = forms.ApplyForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.a_application_submit(enterprise=enterprise, remarks=form.cleaned_data["remarks"],
                                              actor=request.user)
            except DOMAIN_ERRORS as exc:
                error, status = refusal(exc), refusal_status(exc)
            else:
                messages.success(request, "A级公示申请已提交，请等待评价结果。")
                return redirect("selfservice:a-applications")
        else:
            error, status = "请检查表单中的错误。", 400
    own = lists_selectors.enterprise_own_lists(user=request.user, enterprise=enterprise)
    eligible, why_not = _eligibility(enterprise, own)
    return _render(request, "a_applications.html", {
        "form": form, "error": error, "eligible": eligible, "why_not": why_not,
        "applications": own.applications, "published": own.published, "reason_form": forms.ReasonForm(),
        "grade": GradeState.objects.filter(enterprise=enterprise).first(),
    }, status)


@enterprise_required
@require_POST
def a_application_cancel(request, pk: int):
    application = AApplication.objects.filter(pk=pk, enterprise=request.enterprise).first()
    if application is None:
        raise Http404("没有这项申请")
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.a_application_cancel(application=application, reason=reason, actor=request.user)
    except DOMAIN_ERRORS as exc:
        messages.error(request, f"未能撤回申请：{refusal(exc)}")
    else:
        messages.success(request, "申请已撤回。")
    return redirect("selfservice:a-applications")


@enterprise_required
@require_POST
def published_a_withdraw(request, pk: int):
    entry = PublishedA.objects.filter(pk=pk, enterprise=request.enterprise).first()
    if entry is None:
        raise Http404("没有这条A级公示")
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.published_a_withdraw_request(entry=entry, reason=reason, actor=request.user)
    except DOMAIN_ERRORS as exc:
        messages.error(request, f"未能撤下A级公示：{refusal(exc)}")
    else:
        messages.success(request, "A级公示已撤下，不再对外公开。")
    return redirect("selfservice:a-applications")


# --- objections (SPEC §5.4) ---------------------------------------------------------------------------


@enterprise_required
def objections(request):
    enterprise = request.enterprise
    targets = [e for e in selectors.own_entries(user=request.user, enterprise=enterprise) if e.public]
    posted = request.method == "POST"
    form = forms.ObjectionForm(request.POST if posted else None, request.FILES if posted else None, targets=targets,
                               initial={"name": enterprise.name})
    error, status = "", 200
    if posted:
        if form.is_valid():
            data = form.cleaned_data
            target = data["target"]
            try:
                objection = services.objection_lodge(target_kind=target.kind, target_id=target.id, name=data["name"],
                                                     contact=data["contact"], reasons=data["reasons"],
                                                     attachments=data["attachments"], actor=request.user)
            except DOMAIN_ERRORS as exc:
                error, status = refusal(exc), refusal_status(exc)
            else:
                messages.success(request, f"异议已受理，受理编号 {objection.receipt}，请凭此编号查询处理进度。")
                return redirect(f"{reverse('selfservice:objections')}?{urlencode({'receipt': objection.receipt})}")
        else:
            error, status = "请检查表单中的错误。", 400
    receipt_form = forms.ReceiptForm(request.GET if "receipt" in request.GET else None)
    tracked, searched = None, False
    if receipt_form.is_bound and receipt_form.is_valid():
        searched = True
        tracked = lists_selectors.objection_status_public(receipt_form.cleaned_data["receipt"])
    return _render(request, "objections.html", {
        "form": form, "error": error, "targets": targets, "receipt_form": receipt_form, "tracked": tracked,
        "searched": searched, "lodged": selectors.own_objections(enterprise=enterprise),
    }, status)


# --- statements (SPEC §5.4) ---------------------------------------------------------------------------


@enterprise_required
def statements(request):
    enterprise = request.enterprise
    entries = selectors.own_entries(user=request.user, enterprise=enterprise)
    posted = forms.StatementForm(request.POST) if request.method == "POST" else None
    error, status, error_key = "", 200, ""
    if posted is not None:
        key = request.POST.get("target", "")
        target = next((e for e in entries if e.key == key), None)
        if target is None:
            raise Http404("没有这条名单记录")
        error_key = key
        if posted.is_valid():
            try:
                services.statement_submit(target_kind=target.kind, target_id=target.id,
                                          text=posted.cleaned_data["text"], actor=request.user)
            except DOMAIN_ERRORS as exc:
                error, status = refusal(exc), refusal_status(exc)
            else:
                messages.success(request, "声明已提交，审核通过后将在公开条目旁显示。")
                return redirect("selfservice:statements")
        else:
            error, status = "；".join(m for ms in posted.errors.values() for m in ms), 400
    own_statements = list(Statement.objects.filter(enterprise=enterprise).order_by("-submitted_at", "-id"))
    blocks = []
    for entry in entries:
        history = [s for s in own_statements if s.target_kind == entry.kind and s.target_id == entry.id]
        if not entry.public and not history:
            continue
        form = posted if entry.key == error_key else forms.StatementForm(initial={"target": entry.key})
        blocks.append({"entry": entry, "history": history, "form": form,
                       "error": error if entry.key == error_key else "",
                       "shown": next((s for s in history if s.state == Statement.State.APPROVED), None),
                       "pending": next((s for s in history if s.state == Statement.State.PENDING), None)})
    return _render(request, "statements.html", {"blocks": blocks, "error": error}, status)
