"""Red-list screens of the workspace (SPEC §5.1; SRL 第五–十八条).

Thin views over :mod:`qcredit.redlist.services` (every state change) and selectors (reads).
A page offers only the actions the user's roles allow, but the services decide: their
refusals (``RedListError``, ``AccessDenied``) are shown beside the form that was sent, in
Chinese, with what was refused and why. Every page shows workflow internals (drafts,
eligibility, legal opinions, minutes, reviews) and is therefore an access event (SPEC §7.3),
written by the redlist selectors where they exist and here otherwise.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, has_role
from qcredit.archive.models import Enterprise
from qcredit.audit.services import audit_access
from qcredit.redlist import selectors as redlist_selectors
from qcredit.redlist import services
from qcredit.redlist.eligibility import evaluate_enterprise
from qcredit.redlist.errors import RedListError
from qcredit.redlist.models import (
    AgendaItem,
    Entry,
    Meeting,
    Nomination,
    RedList,
    RemovalItem,
    RevocationReview,
)
from qcredit.redlist.services.common import today
from qcredit.rules.uscc import USCCError, normalize_uscc

from . import forms_redlist as forms
from . import selectors_redlist as sel
from .staff_access import refused, staff_member_required

GRADE_LABELS = sel.GRADE_LABELS


def _redlist_or_refuse(request, pk: int):
    """The list and the membership by which the user reads it, or a refusal response."""
    redlist = get_object_or_404(RedList.objects.select_related("owner"), pk=pk)
    try:
        membership = sel.redlist_staff(user=request.user, redlist=redlist)
    except AccessDenied as exc:
        return redlist, None, refused(request, f"不能查看：{sel.staff_refusal(exc, redlist)}")
    return redlist, membership, None


def _base(request, redlist: RedList, tab: str, **context) -> dict:
    return {"redlist": redlist, "tab": tab, "roles": sel.list_roles(user=request.user, redlist=redlist),
            "today": today(), **context}


def _status(exc: Exception) -> int:
    """A refusal for want of role or jurisdiction is 403; a refusal on the merits (state,
    eligibility, missing text) re-shows the form."""
    return 403 if isinstance(exc, AccessDenied) else 200


def _access(request, membership, action: str, obj, detail=None) -> None:
    audit_access(actor=request.user, membership=membership, action=f"workspace.redlist.{action}", obj=obj,
                 detail=detail)


# --- index ---------------------------------------------------------------------------------------


@staff_member_required
def index(request):
    day = today()
    summaries = [sel.list_summary(user=request.user, redlist=r, today=day)
                 for r in sel.visible_redlists(user=request.user)]
    return render(request, "workspace/redlist/index.html", {"summaries": summaries, "today": day})


@staff_member_required
def detail(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    summary = sel.list_summary(user=request.user, redlist=redlist, today=today())
    _access(request, membership, "list.view", redlist)
    next_regular = redlist_selectors.meeting_next_regular_date(redlist=redlist)
    return render(request, "workspace/redlist/detail.html",
                  _base(request, redlist, "overview", s=summary, next_regular=next_regular))


# --- candidates and nominations (SRL 第五、八、九、十条) -----------------------------------------


@staff_member_required
def candidates(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    form = forms.CandidateSearchForm(request.GET or None)
    query, include_all = "", False
    if form.is_valid():
        query, include_all = form.cleaned_data["q"], form.cleaned_data["all"]
    rows = sel.redlist_candidates(redlist=redlist, query=query, include_ineligible=include_all)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    _access(request, membership, "candidates.view", redlist, {"query": query, "all": include_all,
                                                              "shown": [c.enterprise.uscc for c in page]})
    return render(request, "workspace/redlist/candidates.html",
                  _base(request, redlist, "candidates", form=form, page=page, query=query, include_all=include_all,
                        qs=urlencode({"q": query, **({"all": "on"} if include_all else {})})))


@staff_member_required
def nominations(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    state = request.GET.get("state", "")
    if state not in Nomination.State.values:
        state = ""
    rows = sel.nominations_of(redlist=redlist, state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    _access(request, membership, "nominations.view", redlist, {"state": state})
    return render(request, "workspace/redlist/nominations.html",
                  _base(request, redlist, "nominations", page=page, state=state, states=Nomination.State.choices,
                        title="提报", queue=False))


@staff_member_required
def legal_queue(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    rows = sel.nominations_of(redlist=redlist, state=Nomination.State.SUBMITTED)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    _access(request, membership, "legal_queue.view", redlist)
    return render(request, "workspace/redlist/nominations.html",
                  _base(request, redlist, "legal", page=page, state=Nomination.State.SUBMITTED,
                        states=Nomination.State.choices, title="合法性审查", queue=True))


def _eligibility_preview(request, membership, enterprise: Enterprise):
    evaluation = evaluate_enterprise(enterprise, today())
    audit_access(actor=request.user, membership=membership, action="workspace.redlist.eligibility.view",
                 obj=enterprise, detail={"as_of": evaluation.as_of, "eligible": evaluation.redlist.eligible})
    return {"as_of": evaluation.as_of, "ruleset": evaluation.ruleset.version, "grade": evaluation.grade,
            "grade_label": GRADE_LABELS.get(evaluation.grade, evaluation.grade),
            "eligible": evaluation.redlist.eligible, "qualifying": sel.conditions(evaluation.redlist.qualifying),
            "unmet": sel.conditions(evaluation.redlist.unmet)}


def _enterprise_in(redlist: RedList, uscc: str) -> Enterprise | None:
    try:
        uscc = normalize_uscc(uscc)
    except USCCError:
        return None
    return Enterprise.objects.filter(uscc=uscc, region__startswith=redlist.jurisdiction).first()


@staff_member_required
def nomination_new(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    error, status = "", 200
    if request.method == "POST":
        form = forms.NominationNewForm(request.POST)
        if form.is_valid():
            enterprise = _enterprise_in(redlist, form.cleaned_data["uscc"])
            if enterprise is None:
                form.add_error("uscc", f"“{redlist}”的管辖区域内没有这个统一社会信用代码的企业")
            else:
                try:
                    nomination = services.nomination_draft(
                        redlist=redlist, enterprise=enterprise, reasons=form.cleaned_data["reasons"],
                        credit_facts=form.cleaned_data["credit_facts"],
                        justification=form.cleaned_data["justification"], actor=request.user)
                except (RedListError, AccessDenied) as exc:
                    error, status = exc.message, _status(exc)
                else:
                    messages.success(request, f"已保存{enterprise.name}的提报草稿；系统已附上资格评价结果，请核对后提报。")
                    return redirect("workspace:redlist-nomination", nomination.pk)
    else:
        form = forms.NominationNewForm(initial={"uscc": request.GET.get("uscc", "")})
    enterprise = _enterprise_in(redlist, form["uscc"].value() or "")
    preview = _eligibility_preview(request, membership, enterprise) if enterprise else None
    may_draft = has_role(user=request.user, role=Role.DIVISION, jurisdiction=redlist.jurisdiction)
    return render(request, "workspace/redlist/nomination_form.html",
                  _base(request, redlist, "nominations", form=form, enterprise=enterprise, preview=preview,
                        error=error, may_draft=may_draft, nomination=None), status=status)


def _nomination_or_refuse(request, pk: int, *, log: bool = True):
    """The nomination, or a refusal; ``log``: the view is an access event (a POST is not: the
    service writes its own event)."""
    nomination = get_object_or_404(Nomination.objects.select_related("redlist__owner", "enterprise", "unit",
                                                                      "drafted_by", "legal_reviewer"), pk=pk)
    try:
        if log:
            nomination = redlist_selectors.nomination_detail(nomination=nomination, actor=request.user)
        else:
            sel.redlist_staff(user=request.user, redlist=nomination.redlist)
    except AccessDenied as exc:
        return nomination, refused(request, f"不能查看该提报：{sel.staff_refusal(exc, nomination.redlist)}")
    return nomination, None


def _nomination_page(request, nomination: Nomination, *, error: str = "", status: int = 200, **bound):
    redlist = nomination.redlist
    roles = sel.list_roles(user=request.user, redlist=redlist)
    drafting = sel.is_drafting_division(user=request.user, unit=nomination.unit)
    upcoming = redlist.meetings.filter(date__gte=today()).order_by("date", "id")
    state = nomination.state
    actions = {
        "edit": drafting and state == Nomination.State.DRAFT,
        "submit": drafting and state == Nomination.State.DRAFT,
        "withdraw": drafting and state in (Nomination.State.DRAFT, Nomination.State.SUBMITTED),
        "legal": "legal" in roles and state == Nomination.State.SUBMITTED,
        "agenda": "office" in roles and state == Nomination.State.AWAITING_MEETING,
    }
    eligibility = nomination.eligibility or {}
    criteria = [{"id": c["id"], "label": sel.condition_label(c["id"]), "holds": c["holds"]}
                for c in eligibility.get("criteria", [])]
    context = _base(
        request, redlist, "nominations", n=nomination, actions=actions, error=error,
        qualifying=sel.conditions(nomination.qualifying), unmet=sel.conditions(nomination.unmet), criteria=criteria,
        grade_label=GRADE_LABELS.get(nomination.grade, nomination.grade),
        agenda_items=nomination.agenda_items.select_related("meeting", "decided_by").prefetch_related("leaders"),
        entry=Entry.objects.filter(nomination=nomination).first(),
        withdraw_form=bound.get("withdraw_form") or forms.ReasonForm(),
        legal_form=bound.get("legal_form") or forms.LegalReviewForm(),
        agenda_form=bound.get("agenda_form") or forms.AgendaAddForm(meetings=upcoming),
        has_upcoming=upcoming.exists(),
    )
    return render(request, "workspace/redlist/nomination.html", context, status=status)


@staff_member_required
def nomination(request, pk: int):
    nomination, refusal = _nomination_or_refuse(request, pk)
    if refusal:
        return refusal
    return _nomination_page(request, nomination)


@staff_member_required
def nomination_edit(request, pk: int):
    nomination, refusal = _nomination_or_refuse(request, pk)
    if refusal:
        return refusal
    error, status = "", 200
    if request.method == "POST":
        form = forms.NominationForm(request.POST)
        if form.is_valid():
            try:
                services.nomination_edit(nomination=nomination, actor=request.user, **form.cleaned_data)
            except (RedListError, AccessDenied) as exc:
                error, status = exc.message, _status(exc)
            else:
                messages.success(request, "提报草稿已修改，资格评价结果已按今日重新计算。")
                return redirect("workspace:redlist-nomination", nomination.pk)
    else:
        form = forms.NominationForm(initial={"reasons": nomination.reasons, "credit_facts": nomination.credit_facts,
                                             "justification": nomination.justification})
    may_draft = sel.is_drafting_division(user=request.user, unit=nomination.unit)
    return render(request, "workspace/redlist/nomination_form.html",
                  _base(request, nomination.redlist, "nominations", form=form, enterprise=nomination.enterprise,
                        preview=None, error=error, may_draft=may_draft, nomination=nomination), status=status)


@require_POST
@staff_member_required
def nomination_submit(request, pk: int):
    nomination, refusal = _nomination_or_refuse(request, pk, log=False)
    if refusal:
        return refusal
    try:
        services.nomination_submit(nomination=nomination, actor=request.user)
    except (RedListError, AccessDenied) as exc:
        nomination.refresh_from_db()
        return _nomination_page(request, nomination, error=f"未能提报：{exc.message}",
                                status=_status(exc))
    messages.success(request, "已提报，等待政策法规处进行合法性审查（SRL 第十条）。")
    return redirect("workspace:redlist-nomination", nomination.pk)


@require_POST
@staff_member_required
def nomination_withdraw(request, pk: int):
    nomination, refusal = _nomination_or_refuse(request, pk, log=False)
    if refusal:
        return refusal
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        return _nomination_page(request, nomination, error="撤回提报须说明理由", withdraw_form=form)
    try:
        services.nomination_withdraw(nomination=nomination, reason=form.cleaned_data["reason"], actor=request.user)
    except (RedListError, AccessDenied) as exc:
        return _nomination_page(request, nomination, error=f"未能撤回：{exc.message}", withdraw_form=form,
                                status=_status(exc))
    messages.success(request, "提报已撤回。")
    return redirect("workspace:redlist-nomination", nomination.pk)


@require_POST
@staff_member_required
def nomination_legal_review(request, pk: int):
    nomination, refusal = _nomination_or_refuse(request, pk, log=False)
    if refusal:
        return refusal
    form = forms.LegalReviewForm(request.POST)
    if not form.is_valid():
        return _nomination_page(request, nomination, error="请选择审查结论", legal_form=form)
    passed = form.cleaned_data["decision"] == "pass"
    try:
        services.nomination_legal_review(nomination=nomination, passed=passed, opinion=form.cleaned_data["opinion"],
                                         actor=request.user)
    except (RedListError, AccessDenied) as exc:
        return _nomination_page(request, nomination, error=f"未能记录审查结论：{exc.message}", legal_form=form,
                                status=_status(exc))
    messages.success(request, "合法性审查通过，已告知领导小组办公室。" if passed else "合法性审查不通过，已退回提报单位。")
    return redirect("workspace:redlist-nomination", nomination.pk)


@require_POST
@staff_member_required
def nomination_agenda(request, pk: int):
    nomination, refusal = _nomination_or_refuse(request, pk, log=False)
    if refusal:
        return refusal
    meetings = nomination.redlist.meetings.all()
    form = forms.AgendaAddForm(request.POST, meetings=meetings)
    if not form.is_valid():
        return _nomination_page(request, nomination, error="请选择会议", agenda_form=form)
    try:
        item = services.agenda_item_add(meeting=form.cleaned_data["meeting"], subject=nomination, actor=request.user)
    except (RedListError, AccessDenied) as exc:
        return _nomination_page(request, nomination, error=f"未能列入议程：{exc.message}", agenda_form=form,
                                status=_status(exc))
    messages.success(request, "已列入会议议程。")
    return redirect("workspace:redlist-meeting", item.meeting_id)


# --- meetings, agenda, decisions (SRL 第六、七条) --------------------------------------------------


@staff_member_required
def meetings(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    error, status = "", 200
    next_regular = redlist_selectors.meeting_next_regular_date(redlist=redlist)
    if request.method == "POST":
        form = forms.MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.meeting_schedule(redlist=redlist, actor=request.user, **form.cleaned_data)
            except (RedListError, AccessDenied) as exc:
                error, status = f"未能安排会议：{exc.message}", _status(exc)
            else:
                messages.success(request, f"已安排{meeting.get_kind_display()}（{meeting.date.isoformat()}），"
                                          "并通知领导小组成员。")
                return redirect("workspace:redlist-meeting", meeting.pk)
    else:
        form = forms.MeetingForm(initial={"kind": Meeting.Kind.REGULAR, "date": next_regular})
    rows = redlist.meetings.select_related("scheduled_by").order_by("-date", "-id")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    _access(request, membership, "meetings.view", redlist)
    return render(request, "workspace/redlist/meetings.html",
                  _base(request, redlist, "meetings", form=form, page=page, error=error, next_regular=next_regular,
                        ready=sel.meeting_subjects_ready(redlist=redlist)),
                  status=status)


def _meeting_or_refuse(request, pk: int, *, log: bool = True):
    meeting = get_object_or_404(Meeting.objects.select_related("redlist__owner", "scheduled_by"), pk=pk)
    try:
        if log:
            meeting = redlist_selectors.meeting_detail(meeting=meeting, actor=request.user)
        else:
            sel.redlist_staff(user=request.user, redlist=meeting.redlist)
    except AccessDenied as exc:
        return meeting, refused(request, f"不能查看该会议：{sel.staff_refusal(exc, meeting.redlist)}")
    return meeting, None


def _meeting_page(request, meeting: Meeting, *, error: str = "", error_item: int | None = None, status: int = 200,
                  add_form=None, decide_form=None, defer_form=None):
    redlist = meeting.redlist
    roles = sel.list_roles(user=request.user, redlist=redlist)
    day = today()
    leaders = sel.leaders_of(redlist=redlist)
    items = list(meeting.items.select_related(
        "nomination__enterprise", "revocation_review__entry", "removal_item__entry", "decided_by", "added_by")
        .prefetch_related("leaders"))
    office = "office" in roles
    rows = []
    for item in items:
        pending = item.state == AgendaItem.State.PENDING
        mine = error_item == item.pk
        rows.append({
            "item": item,
            "decide": office and pending and meeting.date <= day,
            "defer": office and pending,
            "decide_form": decide_form if mine and decide_form is not None else forms.DecisionForm(
                leaders=leaders, prefix=f"i{item.pk}"),
            "defer_form": defer_form if mine and defer_form is not None else forms.ReasonForm(prefix=f"d{item.pk}"),
            "error": error if mine else "",
        })
    subjects = sel.meeting_subjects_ready(redlist=redlist)
    context = _base(request, redlist, "meetings", meeting=meeting, rows=rows,
                    error=error if error_item is None else "", may_add=office and meeting.date >= day,
                    held=meeting.date <= day, add_form=add_form or forms.MeetingItemForm(subjects=subjects),
                    has_subjects=bool(subjects))
    return render(request, "workspace/redlist/meeting.html", context, status=status)


@staff_member_required
def meeting(request, pk: int):
    meeting, refusal = _meeting_or_refuse(request, pk)
    if refusal:
        return refusal
    return _meeting_page(request, meeting)


@require_POST
@staff_member_required
def meeting_add(request, pk: int):
    meeting, refusal = _meeting_or_refuse(request, pk, log=False)
    if refusal:
        return refusal
    subjects = sel.meeting_subjects_ready(redlist=meeting.redlist)
    form = forms.MeetingItemForm(request.POST, subjects=subjects)
    subject = sel.meeting_subject(redlist=meeting.redlist, value=request.POST.get("subject", ""))
    if subject is None:
        return _meeting_page(request, meeting, error="请选择本名单中可以列入议程的事项", add_form=form)
    try:
        services.agenda_item_add(meeting=meeting, subject=subject, actor=request.user)
    except (RedListError, AccessDenied) as exc:
        return _meeting_page(request, meeting, error=f"未能列入议程：{exc.message}", add_form=form,
                             status=_status(exc))
    messages.success(request, "已列入会议议程。")
    return redirect("workspace:redlist-meeting", meeting.pk)


def _item_or_refuse(request, pk: int):
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__redlist__owner"), pk=pk)
    meeting, refusal = _meeting_or_refuse(request, item.meeting_id, log=False)
    return item, meeting, refusal


@require_POST
@staff_member_required
def item_decide(request, pk: int):
    item, meeting, refusal = _item_or_refuse(request, pk)
    if refusal:
        return refusal
    leaders = sel.leaders_of(redlist=meeting.redlist)
    form = forms.DecisionForm(request.POST, leaders=leaders, prefix=f"i{item.pk}")
    if not form.is_valid():
        problems = "；".join(f"{form.fields[f].label if f in form.fields else ''}：{'、'.join(e)}".lstrip("：")
                            for f, e in form.errors.items())
        return _meeting_page(request, meeting, error=f"决定未记录：{problems}", error_item=item.pk, decide_form=form)
    chosen = {int(pk) for pk in form.cleaned_data["leaders"]}
    try:
        services.agenda_item_decide(
            item=item, approved=form.cleaned_data["approved"] == "1", minutes_ref=form.cleaned_data["minutes_ref"],
            leaders=[u for u in leaders if u.pk in chosen], attendees=form.cleaned_data["attendees"],
            note=form.cleaned_data["note"], actor=request.user)
    except (RedListError, AccessDenied) as exc:
        return _meeting_page(request, meeting, error=f"决定未记录：{exc.message}", error_item=item.pk,
                             decide_form=form, status=_status(exc))
    item.refresh_from_db()
    messages.success(request, f"已记录集体研究决定：{item.get_kind_display()}{item.get_state_display()}。")
    return redirect("workspace:redlist-meeting", meeting.pk)


@require_POST
@staff_member_required
def item_defer(request, pk: int):
    item, meeting, refusal = _item_or_refuse(request, pk)
    if refusal:
        return refusal
    form = forms.ReasonForm(request.POST, prefix=f"d{item.pk}")
    if not form.is_valid():
        return _meeting_page(request, meeting, error="撤出议程须说明理由", error_item=item.pk, defer_form=form)
    try:
        services.agenda_item_defer(item=item, reason=form.cleaned_data["reason"], actor=request.user)
    except (RedListError, AccessDenied) as exc:
        return _meeting_page(request, meeting, error=f"未能撤出议程：{exc.message}", error_item=item.pk,
                             defer_form=form, status=_status(exc))
    messages.success(request, "已撤出议程，可列入以后的会议。")
    return redirect("workspace:redlist-meeting", meeting.pk)


# --- published entries, exits, archive (SRL 第十一至十五条) -----------------------------------------


@staff_member_required
def entries(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    day = today()
    rows = list(sel.published_entries_of(redlist=redlist))
    under_review = set(RevocationReview.objects.filter(entry__in=rows, state__in=RevocationReview.OPEN_STATES)
                       .values_list("entry_id", flat=True))
    removal = set(RemovalItem.objects.filter(entry__in=rows, state=RemovalItem.State.OPEN)
                  .values_list("entry_id", flat=True))
    page = Paginator([{"entry": e, "past": e.valid_until < day, "review": e.pk in under_review,
                       "removal": e.pk in removal} for e in rows], 50).get_page(request.GET.get("page"))
    _access(request, membership, "entries.view", redlist)
    return render(request, "workspace/redlist/entries.html", _base(request, redlist, "entries", page=page))


@staff_member_required
def archive(request, pk: int):
    redlist = get_object_or_404(RedList.objects.select_related("owner"), pk=pk)
    try:
        rows = redlist_selectors.entries_archive(redlist=redlist, actor=request.user)
    except AccessDenied as exc:
        return refused(request, f"不能查看备查库：{sel.staff_refusal(exc, redlist)}")
    page = Paginator(rows.select_related("nomination__unit"), 50).get_page(request.GET.get("page"))
    return render(request, "workspace/redlist/archive.html", _base(request, redlist, "archive", page=page))


def _entry_page(request, entry: Entry, *, error: str = "", form=None, status: int = 200):
    redlist = entry.redlist
    roles = sel.list_roles(user=request.user, redlist=redlist)
    may_open = entry.state == Entry.State.PUBLISHED and (
        "office" in roles or has_role(user=request.user, role=Role.REVIEWER, region=entry.region))
    return render(request, "workspace/redlist/entry.html", _base(
        request, redlist, "entries", entry=entry, error=error, may_open=may_open,
        form=form or forms.RemovalOpenForm(),
        reviews=sel.review_rows(entry.revocation_reviews.select_related("unit").order_by("-id"), today=today()),
        removals=entry.removal_items.select_related("opened_by").order_by("-id"),
        public=bool(redlist_selectors.public_entries(redlist=redlist, uscc=entry.uscc))), status=status)


def _entry_or_refuse(request, pk: int, *, log: bool = True):
    entry = get_object_or_404(Entry.objects.select_related("redlist__owner", "nomination__unit", "enterprise"), pk=pk)
    try:
        membership = sel.redlist_staff(user=request.user, redlist=entry.redlist)
    except AccessDenied as exc:
        return entry, refused(request, f"不能查看该红名单主体：{sel.staff_refusal(exc, entry.redlist)}")
    if log:
        _access(request, membership, "entry.view", entry)
    return entry, None


@staff_member_required
def entry(request, pk: int):
    entry, refusal = _entry_or_refuse(request, pk)
    if refusal:
        return refusal
    return _entry_page(request, entry)


@require_POST
@staff_member_required
def entry_removal(request, pk: int):
    entry, refusal = _entry_or_refuse(request, pk, log=False)
    if refusal:
        return refusal
    form = forms.RemovalOpenForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, entry, error="请选择删除途径并说明理由", form=form)
    try:
        item = services.removal_item_open(entry=entry, actor=request.user, **form.cleaned_data)
    except (RedListError, AccessDenied) as exc:
        return _entry_page(request, entry, error=f"未能提出删除事项：{exc.message}", form=form,
                           status=_status(exc))
    messages.success(request, f"已提出删除事项（{item.get_route_display()}），待领导小组会议研究。")
    return redirect("workspace:redlist-entry", entry.pk)


@staff_member_required
def reviews(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    show_all = request.GET.get("all") == "1"
    rows = sel.review_rows(sel.revocation_reviews_of(redlist=redlist, show_all=show_all), today=today())
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    _access(request, membership, "revocation_reviews.view", redlist, {"all": show_all})
    return render(request, "workspace/redlist/reviews.html",
                  _base(request, redlist, "reviews", page=page, show_all=show_all))


def _review_or_refuse(request, pk: int, *, log: bool = True):
    review = get_object_or_404(RevocationReview.objects.select_related(
        "entry__redlist__owner", "entry__enterprise", "unit", "proposed_by"), pk=pk)
    try:
        membership = sel.redlist_staff(user=request.user, redlist=review.entry.redlist)
    except AccessDenied as exc:
        return review, refused(request, f"不能查看该撤销研究：{sel.staff_refusal(exc, review.entry.redlist)}")
    if log:
        _access(request, membership, "revocation_review.view", review)
    return review, None


def _review_page(request, review: RevocationReview, *, error: str = "", form=None, status: int = 200):
    findings = review.findings or {}
    (row,) = sel.review_rows([review], today=today())
    return render(request, "workspace/redlist/review.html", _base(
        request, review.entry.redlist, "reviews", r=review, row=row, error=error,
        form=form or forms.ProposalForm(),
        may_propose=review.state == RevocationReview.State.OPEN and sel.is_drafting_division(
            user=request.user, unit=review.unit),
        new_adverse=sel.conditions(findings.get("new_adverse")),
        new_srl9=sel.conditions(findings.get("new_srl9_unmet")),
        findings=findings,
        grade_from=GRADE_LABELS.get(findings.get("grade_from"), findings.get("grade_from") or "—"),
        grade_to=GRADE_LABELS.get(findings.get("grade_to"), findings.get("grade_to") or "—"),
        agenda_items=review.agenda_items.select_related("meeting")), status=status)


@staff_member_required
def review(request, pk: int):
    review, refusal = _review_or_refuse(request, pk)
    if refusal:
        return refusal
    return _review_page(request, review)


@require_POST
@staff_member_required
def review_propose(request, pk: int):
    review, refusal = _review_or_refuse(request, pk, log=False)
    if refusal:
        return refusal
    form = forms.ProposalForm(request.POST)
    if not form.is_valid():
        return _review_page(request, review, error="请选择建议并说明理由", form=form)
    try:
        services.revocation_review_propose(review=review, revoke=form.cleaned_data["revoke"] == "1",
                                           reasons=form.cleaned_data["reasons"], actor=request.user)
    except (RedListError, AccessDenied) as exc:
        return _review_page(request, review, error=f"未能提出建议：{exc.message}", form=form,
                            status=_status(exc))
    messages.success(request, "建议已提出，已告知领导小组办公室列入会议研究。")
    return redirect("workspace:redlist-review", review.pk)


@staff_member_required
def removals(request, pk: int):
    redlist, membership, refusal = _redlist_or_refuse(request, pk)
    if refusal:
        return refusal
    show_all = request.GET.get("all") == "1"
    page = Paginator(sel.removal_items_of(redlist=redlist, show_all=show_all), 50).get_page(request.GET.get("page"))
    _access(request, membership, "removal_items.view", redlist, {"all": show_all})
    return render(request, "workspace/redlist/removals.html",
                  _base(request, redlist, "removals", page=page, show_all=show_all))

