"""Staff screens of early warning (SPEC §9; QCO 四(三)) under /workspace/supervision/warnings/: the
warning queue of C enterprises by risk, the yellow-card letter form, the letters, the review
items of honours and preferential policies; and the enterprise's own letters (its account only).

Thin: :mod:`qcredit.supervision.warnings` reads (jurisdiction checked, internal reads logged) and
changes state (role, jurisdiction and state checked again, one transaction, the audit event). A
refusal is shown as its Chinese message, never a 500; what a user may not do is not offered.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from qcredit.accounts.services import AccessDenied
from qcredit.archive.bundle import BundleError
from qcredit.archive.models import Enterprise
from qcredit.archive.services import ArchiveError
from qcredit.rules.uscc import USCCError, normalize_uscc
from qcredit.web.refusals import refusal
from qcredit.web.refusals import refusal_status as _status
from qcredit.workdays.errors import WorkdayError
from qcredit.workspace.views import staff_required

from . import risk, warnings
from .models_warnings import HonourPolicyReview

DOMAIN_ERRORS = (AccessDenied, warnings.WarningError, ArchiveError, BundleError, WorkdayError)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("warnings_url", _url("supervision:warnings"))
    context.setdefault("roles", {})
    return render(request, f"supervision/warnings/{template}", context, status=status)


def _refused(request, message: str, status: int = 403):
    return _render(request, "refused.html", {"message": message}, status=status)


def _covered(region: str, jurisdictions: list[str]) -> bool:
    return any(region.startswith(j) for j in jurisdictions)


# --- the warning queue --------------------------------------------------------------------------------


class QueueFilter(forms.Form):
    band = forms.ChoiceField(label="风险等级", required=False,
                             choices=[("", "全部"), *((b, risk.BAND_LABELS[b]) for b in (risk.HIGH, risk.MEDIUM,
                                                                                         risk.LOW))])
    region = forms.RegexField(label="行政区划代码（前缀）", required=False, regex=r"^\d{2,6}$", max_length=6,
                              error_messages={"invalid": "请输入2至6位行政区划代码"})


@staff_required
def queue(request):
    form = QueueFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        rows = warnings.warning_queue(user=request.user, region=filters.get("region", ""))
    except AccessDenied as exc:
        return _refused(request, refusal(exc))
    counts = {b: sum(1 for r in rows if r.score.band == b) for b in (risk.HIGH, risk.MEDIUM, risk.LOW)}
    if filters.get("band"):
        rows = [r for r in rows if r.score.band == filters["band"]]
    issuing = warnings.acting_jurisdictions(request.user, warnings.ISSUER_ROLES)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = warnings.today()
    items = [(r, _covered(r.enterprise.region, issuing),
              r.last_letter is not None and r.last_letter.rectify_by >= today) for r in page]
    query = urlencode({k: v for k, v in filters.items() if v})
    return _render(request, "queue.html", {
        "form": form, "page": page, "items": items, "total": sum(counts.values()),
        "counts": [(risk.BAND_LABELS[b], n) for b, n in counts.items()],
        "query": f"{query}&" if query else ""})


# --- the letter form -----------------------------------------------------------------------------------


class LetterForm(forms.Form):
    rectification_workdays = forms.IntegerField(
        label="整改期限（工作日）", min_value=1, max_value=warnings.MAX_RECTIFICATION_WORKDAYS,
        help_text="自签发之日起计算，不含签发当日，按国家法定节假日和调休安排计算工作日")
    remarks = forms.CharField(label="整改要求（可选，写入警告书）", required=False, max_length=warnings.MAX_REMARKS,
                              widget=forms.Textarea(attrs={"rows": 4}))


def _enterprise_or_404(uscc: str) -> Enterprise:
    try:
        uscc = normalize_uscc(uscc)
    except USCCError:
        raise Http404("统一社会信用代码无效") from None
    enterprise = Enterprise.objects.filter(uscc=uscc).first()
    if enterprise is None:
        raise Http404("没有这家企业")
    return enterprise


@staff_required
def issue(request, uscc: str):
    enterprise = _enterprise_or_404(uscc)
    if not _covered(enterprise.region, request.jurisdictions):
        raise Http404("没有这家企业，或不在您的管辖范围内")
    if not warnings.may_issue(request.user, enterprise):
        return _refused(request, "黄牌警告书由企业所在辖区的提报处室或领导小组办公室签发，当前账号没有相应角色。")
    on = warnings.today()
    candidate = warnings.warning_candidate(user=request.user, enterprise=enterprise, on=on)
    default_days = risk.parameters_on(on)["warning_rectification_workdays"]
    form = LetterForm(request.POST or None, initial={"rectification_workdays": default_days})
    error, status = "", 200
    if candidate is None or candidate.grade != "C":
        error, status = f"黄牌警告只对C级（失信）企业发出（QCO 四(三)）；{enterprise.name}当前不是C级。", 400
    elif request.method == "POST" and form.is_valid():
        try:
            letter = warnings.warning_letter_issue(
                enterprise=enterprise, rectification_workdays=form.cleaned_data["rectification_workdays"],
                remarks=form.cleaned_data["remarks"], actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), _status(exc)
        else:
            messages.success(request, f"黄牌警告书 {letter.number} 已签发，已通知企业。")
            return redirect("supervision:warning-letter", pk=letter.pk)
    elif request.method == "POST":
        status = 400
    facts = warnings.letter_facts(candidate.adverse) if candidate else []
    measures = warnings.measures_of(enterprise=enterprise, grade="C", on=on) if candidate else []
    return _render(request, "issue.html", {
        "enterprise": enterprise, "candidate": candidate, "facts": facts, "measures": measures, "form": form,
        "error": error, "default_days": default_days,
        "previous": warnings.warning_letters(user=request.user, enterprise=enterprise).order_by("-issued_at")[:10]},
        status=status)


# --- letters -------------------------------------------------------------------------------------------


@staff_required
def letters(request):
    try:
        found = warnings.warning_letters(user=request.user).order_by("-issued_at", "-id")
    except AccessDenied as exc:
        return _refused(request, refusal(exc))
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        from django.db.models import Q

        found = found.filter(Q(enterprise__name__contains=q) | Q(enterprise__uscc__startswith=q.upper())
                             | Q(number__contains=q))
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return _render(request, "letters.html", {"page": page, "q": q, "query": urlencode({"q": q}) + "&" if q else "",
                                             "today": warnings.today()})


@staff_required
def letter(request, pk: int):
    found = warnings.warning_letter_detail(user=request.user, pk=pk)
    if found is None:
        raise Http404("没有这份警告书，或不在您的管辖范围内")
    return _render(request, "letter.html", {"letter": found, "today": warnings.today()})


@login_required
def letter_pdf(request, pk: int):
    """The PDF as issued: staff of the enterprise's jurisdiction, or the enterprise's own account."""
    found = warnings.warning_letter_pdf(letter_id=pk, user=request.user)
    if found is None:
        raise Http404("没有这份警告书")
    letter_, pdf = found
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=\"warning-letter-{letter_.pk}.pdf\""
    response["Cache-Control"] = "private, no-store"
    return response


# --- review items of honours and preferential policies --------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="决定", choices=HonourPolicyReview.Decision.choices,
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label="理由（必填，记入审计日志）", max_length=warnings.MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 3}))


@staff_required
def reviews(request):
    state = request.GET.get("state", "open")
    if state not in ("open", "decided", "all"):
        state = "open"
    try:
        found = warnings.honour_reviews(user=request.user, state="" if state == "all" else state)
    except AccessDenied as exc:
        return _refused(request, refusal(exc))
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    from qcredit.audit.services import audit_access

    audit_access(actor=request.user, action="supervision.honour_reviews.view",
                 detail={"state": state, "count": page.paginator.count})
    deciding = warnings.acting_jurisdictions(request.user, warnings.DECIDER_ROLES)
    items = [(i, i.state == HonourPolicyReview.State.OPEN and _covered(i.enterprise.region, deciding)) for i in page]
    return _render(request, "reviews.html", {"page": page, "items": items, "state": state,
                                             "states": [("open", "待审查"), ("decided", "已决定"), ("all", "全部")]})


@staff_required
def review(request, pk: int):
    item = warnings.honour_review_detail(user=request.user, pk=pk)
    if item is None:
        raise Http404("没有这项审查，或不在您的管辖范围内")
    can_decide = warnings.may_decide(request.user, item)
    form = DecisionForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        if not can_decide and item.state == HonourPolicyReview.State.OPEN:
            error, status = "质量奖励和扶优政策的撤销、暂停由企业所在辖区的提报处室审查决定，当前账号没有相应角色。", 403
        elif form.is_valid():
            try:
                warnings.honour_review_decide(review=item, decision=form.cleaned_data["decision"],
                                              reason=form.cleaned_data["reason"], actor=request.user)
            except DOMAIN_ERRORS as exc:
                error, status = refusal(exc), _status(exc)
            else:
                messages.success(request, "审查决定已记录。")
                return redirect("supervision:honour-review", pk=pk)
        else:
            status = 400
    return _render(request, "review.html", {"item": item, "form": form, "can_decide": can_decide, "error": error},
                   status=status)


# --- the enterprise's own letters ------------------------------------------------------------------------


@login_required
def enterprise_letters(request):
    try:
        found = warnings.enterprise_warning_letters(user=request.user)
    except AccessDenied as exc:
        return render(request, "supervision/warnings/enterprise_refused.html", {"message": refusal(exc)}, status=403)
    return render(request, "supervision/warnings/enterprise_letters.html", {"letters": found,
                                                                             "today": warnings.today()})
