"""Staff screens of the public lists (SPEC §5.2–§5.4): A-application evaluation and the
inspection unit's opinion, published A with validity and withdrawals, the D re-check queue and
the black list with credit repair, the objections inbox, statement moderation.

Thin: selectors read (role and jurisdiction checked, internal reads logged), the services of
:mod:`qcredit.lists.services` change state (they check role, jurisdiction and state again,
run in a transaction and write the audit event). A refusal of a service is shown as its Chinese
message, never a 500; what a user may not do is not offered.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, has_role
from qcredit.archive.bundle import BundleError
from qcredit.archive.services import ArchiveError
from qcredit.lists import selectors as lists_selectors
from qcredit.lists import services
from qcredit.lists.errors import ListsError
from qcredit.lists.models import AApplication, BlacklistEntry, Objection, PublishedA, Statement, TargetKind
from qcredit.lists.targets import resolve_target
from qcredit.web.refusals import refusal, refusal_status
from qcredit.workdays.errors import WorkdayError

from . import forms_lists as forms
from . import selectors_lists as selectors
from .views import staff_required

DOMAIN_ERRORS = (AccessDenied, ListsError, ArchiveError, BundleError, WorkdayError)


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("roles", selectors.lists_roles(request.user))
    return render(request, f"workspace/lists/{template}", context, status=status)


def _query(**filters) -> str:
    """The filters of a list page as a query-string prefix for its pager links."""
    used = {k: v for k, v in filters.items() if v}
    return f"{urlencode(used)}&" if used else ""


def _forbidden(request, message: str):
    return _render(request, "refused.html", {"message": message}, status=403)


@staff_required
def index(request):
    return _render(request, "index.html", {"counts": selectors.index_counts(user=request.user)})


# --- A-grade publication (SPEC §5.2) -----------------------------------------------------------------


@staff_required
def a_applications(request):
    try:
        queue = lists_selectors.a_applications_to_handle(user=request.user)
    except AccessDenied as exc:
        return _forbidden(request, refusal(exc))
    return _render(request, "a_applications.html", {"queue": queue})


@staff_required
def a_application(request, pk: int):
    found = selectors.a_application_detail(user=request.user, pk=pk)
    if found is None:
        raise Http404("没有这项申请，或不在您的职责范围内")
    application, _membership = found
    enterprise = application.enterprise
    can_inspect = (application.state == AApplication.State.AWAITING_INSPECTION
                   and has_role(user=request.user, role=Role.INSPECTION, region=enterprise.region))
    can_evaluate = (application.state == AApplication.State.AWAITING_EVALUATION
                    and has_role(user=request.user, role=Role.EVALUATOR, region=enterprise.region,
                                 jurisdiction=enterprise.region[:2]))
    action = request.POST.get("action") if request.method == "POST" else None
    inspection_form = forms.InspectionOpinionForm(request.POST if action == "inspection" else None,
                                                  prefix="inspection")
    evaluation_form = forms.EvaluationForm(request.POST if action == "evaluate" else None, prefix="evaluate")
    error, status = "", 200
    if action == "inspection" and inspection_form.is_valid():
        data = inspection_form.cleaned_data
        try:
            services.a_application_inspection_opinion(application=application,
                                                      favourable=data["favourable"] == "yes",
                                                      opinion=data["opinion"], actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), refusal_status(exc)
        else:
            messages.success(request, "检验单位评价意见已提交，申请转省级评价。")
            return redirect("workspace:lists-a-application", pk=pk)
    elif action == "evaluate" and evaluation_form.is_valid():
        data = evaluation_form.cleaned_data
        try:
            services.a_application_evaluate(application=application, approved=data["approved"] == "yes",
                                            note=data["note"], actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), refusal_status(exc)
        else:
            messages.success(request, "评价结论已记录。" + ("A级公示已发布。" if data["approved"] == "yes" else ""))
            return redirect("workspace:lists-a-application", pk=pk)
    elif action is not None:
        error, status = "请检查表单中的错误。", 400
    explained = selectors.explain(application.evaluation)
    return _render(request, "a_application.html", {
        "a": application, "e": enterprise, "grade": selectors.current_grade(enterprise),
        "criteria": [r for r in explained.results if r.criterion.tier == "A"] if explained else [],
        "snapshot": application.evaluation, "published": getattr(application, "published", None),
        "can_inspect": can_inspect, "can_evaluate": can_evaluate,
        "inspection_form": inspection_form, "evaluation_form": evaluation_form, "error": error,
    }, status)


@staff_required
def published_a(request):
    state = request.GET.get("state", "")
    if state not in PublishedA.State.values:
        state = ""
    try:
        entries = selectors.published_a_for_staff(user=request.user, state=state or None,
                                                  page=request.GET.get("page"))
    except AccessDenied as exc:
        return _forbidden(request, refusal(exc))
    return _render(request, "published_a.html", {"entries": entries, "state": state,
                                                 "states": PublishedA.State.choices, "query": _query(state=state)})


# --- D re-check and black list (SPEC §5.3) -------------------------------------------------------------


@staff_required
def rechecks(request):
    try:
        queue = lists_selectors.rechecks_to_handle(user=request.user)
    except AccessDenied as exc:
        return _forbidden(request, refusal(exc))
    return _render(request, "rechecks.html", {"queue": queue})


def _suggested_facts(recheck, evidence) -> str:
    """A draft of the public facts (列入原因) from the D criteria that hold and the records they
    rest on — kind, date, document number; the reviewer edits it before confirming."""
    records = {e.key: e.version for e in evidence}
    facts = []
    for c in recheck.adverse:
        found = [records[k] for k in c.get("evidence", []) if k in records]
        shown = "；".join(f"{r.date:%Y年%-m月%-d日}{r.get_kind_display()}" + (f"（{r.ref}）" if r.ref else "")
                         for r in found)
        facts.append(f"{c['text']}{'：' + shown if shown else ''}（{c['article']}）")
    return "\n".join(facts)


@staff_required
def recheck(request, pk: int):
    found = selectors.recheck_detail(user=request.user, pk=pk)
    if found is None:
        raise Http404("没有这项复核，或不在您的管辖范围内")
    item, _membership, evidence = found
    correctable = [e.current for e in evidence if e.current is not None]
    correctable = list({r.pk: r for r in correctable}.values())
    action = request.POST.get("action") if request.method == "POST" else None
    confirm_form = forms.RecheckConfirmForm(request.POST if action == "confirm" else None, prefix="confirm",
                                            initial={"facts": _suggested_facts(item, evidence)})
    not_confirm_form = forms.RecheckNotConfirmForm(request.POST if action == "not_confirm" else None,
                                                   prefix="nc", records=correctable)
    error, status = "", 200
    if action == "confirm" and confirm_form.is_valid():
        try:
            services.recheck_confirm(recheck=item, facts=confirm_form.cleaned_data["facts"],
                                     finding=confirm_form.cleaned_data["finding"], actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), refusal_status(exc)
        else:
            messages.success(request, "复核确认：已列入失信黑名单并对外公示。")
            return redirect("workspace:lists-recheck", pk=pk)
    elif action == "not_confirm" and not_confirm_form.is_valid():
        f = not_confirm_form
        try:
            done = services.recheck_not_confirm(recheck=item, finding=f.cleaned_data["finding"],
                                                corrections=f.corrections, withdrawals=f.withdrawals,
                                                annotations=f.annotations, actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), refusal_status(exc)
        else:
            messages.success(request, f"复核未确认：{done.get_outcome_display()}（复核后等级 {done.grade_after or '未定级'}）。")
            return redirect("workspace:lists-recheck", pk=pk)
    elif action is not None:
        error, status = "请检查表单中的错误。", 400
    entry = BlacklistEntry.objects.filter(recheck=item).first()
    return _render(request, "recheck.html", {
        "r": item, "e": item.enterprise, "evidence": evidence, "entry": entry,
        "grade": selectors.current_grade(item.enterprise),
        "can_decide": item.state == item.State.OPEN,
        "confirm_form": confirm_form, "not_confirm_form": not_confirm_form, "error": error,
    }, status)


@staff_required
def blacklist(request):
    region = request.GET.get("region", "").strip()
    try:
        entries = lists_selectors.blacklist_archive(user=request.user, region=region or None)
    except AccessDenied as exc:
        return _forbidden(request, refusal(exc))
    page = Paginator(entries, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "blacklist.html", {"entries": page, "region": region, "query": _query(region=region)})


@staff_required
def blacklist_entry(request, pk: int):
    entry = selectors.blacklist_entry_detail(user=request.user, pk=pk)
    if entry is None:
        raise Http404("没有这条黑名单记录，或不在您的管辖范围内")
    form = forms.CreditRepairForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.blacklist_credit_repair(entry=entry, reason=form.cleaned_data["reason"], actor=request.user)
            except DOMAIN_ERRORS as exc:
                error, status = refusal(exc), refusal_status(exc)
            else:
                messages.success(request, "信用修复已记录：该企业已移出失信黑名单，转入备查。")
                return redirect("workspace:lists-blacklist-entry", pk=pk)
        else:
            error, status = "请写明信用修复理由。", 400
    return _render(request, "blacklist_entry.html", {
        "entry": entry, "form": form, "can_repair": selectors.can_repair(request.user, entry), "error": error,
        "statement": lists_selectors.statement_public(target_kind=TargetKind.BLACKLIST, target_id=entry.pk),
    }, status)


# --- objections (SPEC §5.4) ---------------------------------------------------------------------------


def _objection_row(objection: Objection, today):
    open_ = objection.state in Objection.OPEN_STATES
    return {"o": objection, "left": selectors.working_days_left(objection.due_on, today) if open_ else None,
            "overdue": open_ and objection.due_on < today}


@staff_required
def objections(request):
    show = request.GET.get("show", "open")
    try:
        inbox = lists_selectors.objections_to_handle(user=request.user, open_only=show != "all")
    except AccessDenied as exc:
        return _forbidden(request, refusal(exc))
    today = selectors._today()
    rows = [_objection_row(o, today) for o in inbox if show == "all" or o.state in Objection.OPEN_STATES]
    rows.sort(key=lambda r: (not r["overdue"], r["o"].state == Objection.State.ANSWERED, r["o"].due_on))
    return _render(request, "objections.html", {"rows": rows, "show": show, "today": today})


@staff_required
def objection(request, pk: int):
    found = selectors.objection_detail(user=request.user, pk=pk)
    if found is None:
        raise Http404("没有这件异议，或不由您所在单位承办")
    item, _membership = found
    staff = selectors.office_staff(item.owner_jurisdiction)
    action = request.POST.get("action") if request.method == "POST" else None
    assign_form = forms.AssignForm(request.POST if action == "assign" else None, staff=staff, prefix="assign",
                                   initial={"assignee": str(item.assignee_id or request.user.pk)})
    answer_form = forms.AnswerForm(request.POST if action == "answer" else None, prefix="answer")
    error, status = "", 200
    if action == "assign" and assign_form.is_valid():
        try:
            services.objection_assign(objection=item, assignee=assign_form.cleaned_data["assignee"],
                                      actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), refusal_status(exc)
        else:
            messages.success(request, "已分办。")
            return redirect("workspace:lists-objection", pk=pk)
    elif action == "answer" and answer_form.is_valid():
        data = answer_form.cleaned_data
        try:
            services.objection_answer(objection=item, well_founded=data["well_founded"] == "yes",
                                      answer=data["answer"], actor=request.user)
        except DOMAIN_ERRORS as exc:
            error, status = refusal(exc), refusal_status(exc)
        else:
            messages.success(request, "答复已记录，异议人可凭受理编号查询。")
            return redirect("workspace:lists-objection", pk=pk)
    elif action is not None:
        error, status = "请检查表单中的错误。", 400
    try:
        target = resolve_target(item.target_kind, item.target_id)
    except ListsError:
        target = None
    open_ = item.state in Objection.OPEN_STATES
    return _render(request, "objection.html", {
        **_objection_row(item, selectors._today()), "target": target,
        "attachments": list(item.attachments.all()),
        "can_assign": open_, "can_answer": item.state == Objection.State.INVESTIGATING
        and item.assignee_id == request.user.pk,
        "assign_form": assign_form, "answer_form": answer_form, "error": error,
    }, status)


@staff_required
def objection_attachment(request, pk: int, attachment_pk: int):
    attachment = selectors.objection_attachment(user=request.user, pk=pk, attachment_pk=attachment_pk)
    if attachment is None:
        raise Http404("没有这个附件，或不由您所在单位承办")
    content_type = attachment.content_type or mimetypes.guess_type(attachment.original_name)[0]
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response


# --- enterprise statements (SPEC §5.4) -------------------------------------------------------------------


@staff_required
def statements(request):
    try:
        queue = lists_selectors.statements_to_moderate(user=request.user)
    except AccessDenied as exc:
        return _forbidden(request, refusal(exc))
    rows = []
    for statement in queue:
        try:
            target = resolve_target(statement.target_kind, statement.target_id)
        except ListsError:
            target = None
        shown = lists_selectors.statement_public(target_kind=statement.target_kind, target_id=statement.target_id)
        rows.append({"s": statement, "target": target, "shown": shown})
    return _render(request, "statements.html", {"rows": rows})


@staff_required
@require_POST
def statement_moderate(request, pk: int):
    statement = Statement.objects.filter(pk=pk).first()
    if statement is None:
        raise Http404("没有这条企业声明")
    form = forms.ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结论。")
    else:
        approved = form.cleaned_data["approved"] == "yes"
        try:
            services.statement_moderate(statement=statement, approved=approved, reason=form.cleaned_data["reason"],
                                        actor=request.user)
        except DOMAIN_ERRORS as exc:
            messages.error(request, f"未能审核“{statement.enterprise.name}”的声明：{refusal(exc)}")
        else:
            messages.success(request, f"“{statement.enterprise.name}”的声明{'已通过，公开显示' if approved else '未通过'}。")
    return redirect(reverse("workspace:lists-statements"))
