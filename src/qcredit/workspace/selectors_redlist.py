"""Reads for the red-list screens of the workspace (SPEC §5.1). Everything here is internal:
the views call these only after checking that the user is staff of the list's jurisdiction,
and write the access event themselves (SPEC §7.3). What may be public is decided by
:func:`qcredit.redlist.selectors.public_entries` alone, never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import Substr

from qcredit.accounts.models import Membership, Role, covers
from qcredit.accounts.services import AccessDenied, AccessErrorCode, authorize, has_role, staff_jurisdictions
from qcredit.archive.models import Enterprise
from qcredit.redlist.models import (
    AgendaItem,
    Entry,
    Meeting,
    Nomination,
    RedList,
    RemovalItem,
    RevocationReview,
)
from qcredit.rules import SHIPPED
from qcredit.rules.qco import GRADE_DISPLAY
from qcredit.rules.srl import NO_QUALIFYING_CONDITION, NOT_A_SUBJECT
from qcredit.rules.uscc import USCCError, normalize_uscc
from qcredit.workdays.calendar import workdays_between
from qcredit.workdays.errors import MissingHolidayYear

GRADE_LABELS = GRADE_DISPLAY

# Every role but the auditor's works on the red list (auditors read the audit trail).
STAFF_ROLES = tuple(r for r in Role if r != Role.AUDITOR)

# Criteria keep their order in every rule-set version (a version changes parameters only),
# so a position in a stored ``holds`` code names the same criterion whatever the version.
_CRITERIA = SHIPPED[-1].criteria
_POSITION = {c.id: i for i, c in enumerate(_CRITERIA)}
SRL8 = tuple(c.id for c in _CRITERIA if c.tier == "SRL-8")
SRL9 = tuple(c.id for c in _CRITERIA if c.tier == "SRL-9")

CONDITION_LABELS: dict[str, str] = {c.id: f"{c.article}：{c.text}" for c in _CRITERIA}
CONDITION_LABELS[NO_QUALIFYING_CONDITION] = "SRL 第八条：不具备第八条所列任何一种情形"
CONDITION_LABELS[NOT_A_SUBJECT] = "SRL 第三条：主体已注销，不再是法人或其他组织"


def condition_label(code: str) -> str:
    return CONDITION_LABELS.get(code, code)


def conditions(codes) -> list[tuple[str, str]]:
    """(code, article and text) for each criterion or SRL condition code."""
    return [(c, condition_label(c)) for c in codes or ()]


# --- which lists, and who acts on them ----------------------------------------------------------


def visible_redlists(*, user) -> list[RedList]:
    """The lists whose jurisdiction one of the user's staff units covers (the list's own bureau
    and the levels above it, as :mod:`qcredit.redlist.selectors` decides for its internals)."""
    jurisdictions = staff_jurisdictions(user)
    return [r for r in RedList.objects.select_related("owner").order_by("owner__jurisdiction", "id")
            if any(covers(j, r.jurisdiction) for j in jurisdictions)]


def redlist_staff(*, user, redlist: RedList) -> Membership:
    """The membership by which ``user`` may read ``redlist``'s internals (raises AccessDenied)."""
    return authorize(user=user, role=STAFF_ROLES, region=redlist.jurisdiction)


def staff_refusal(exc: AccessDenied, redlist: RedList) -> str:
    """Why a user may not read a list's internals, in words that name the list's jurisdiction."""
    if exc.code == AccessErrorCode.OUT_OF_JURISDICTION:
        return (f"“{redlist}”属于管辖区域 {redlist.jurisdiction}，您所在单位的管辖范围不包括该区域"
                "（SRL 第十八条：各级红名单的内部信息仅供本级及上级单位工作人员查阅）。")
    return exc.message


def list_roles(*, user, redlist: RedList) -> set[str]:
    """The list-level roles the user holds for this list: ``division``, ``legal``, ``office``,
    ``leader`` in a unit of the list's own jurisdiction (SRL 第十八条). Used only to decide
    which actions a page offers; the services decide again when they are asked."""
    return {role.value for role in (Role.DIVISION, Role.LEGAL, Role.OFFICE, Role.LEADER)
            if has_role(user=user, role=role, jurisdiction=redlist.jurisdiction)}


def is_drafting_division(*, user, unit) -> bool:
    """"谁拟定、谁上报、谁负责" (SRL 第五条): the very division that drafted a nomination."""
    return Membership.objects.filter(user=user, unit=unit, role=Role.DIVISION, unit__active=True).exists()


# --- counts and tasks -------------------------------------------------------------------------


@dataclass
class ListSummary:
    redlist: RedList
    own: bool  # the user holds a list-level role in the list's own jurisdiction
    roles: set[str]
    published: int
    drafts: int
    submitted: int
    awaiting_meeting: int
    reviews_open: int
    reviews_proposed: int
    reviews_overdue: int
    removals_open: int
    next_meeting: Meeting | None
    tasks: list[tuple[str, int, str]] = field(default_factory=list)  # (text, count, url name)


def list_summary(*, user, redlist: RedList, today: date) -> ListSummary:
    nominations = dict(redlist.nominations.values_list("state").annotate(n=Count("id")))
    reviews = RevocationReview.objects.filter(entry__redlist=redlist)
    roles = list_roles(user=user, redlist=redlist)
    summary = ListSummary(
        redlist=redlist, own=bool(roles), roles=roles,
        published=Entry.objects.filter(redlist=redlist, state=Entry.State.PUBLISHED,
                                       valid_until__gte=today).count(),
        drafts=nominations.get(Nomination.State.DRAFT, 0),
        submitted=nominations.get(Nomination.State.SUBMITTED, 0),
        awaiting_meeting=nominations.get(Nomination.State.AWAITING_MEETING, 0),
        reviews_open=reviews.filter(state=RevocationReview.State.OPEN).count(),
        reviews_proposed=reviews.filter(state=RevocationReview.State.PROPOSED).count(),
        reviews_overdue=reviews.filter(state=RevocationReview.State.OPEN, due_on__lt=today).count(),
        removals_open=RemovalItem.objects.filter(entry__redlist=redlist, state=RemovalItem.State.OPEN).count(),
        next_meeting=redlist.meetings.filter(date__gte=today).order_by("date", "id").first(),
    )
    if "division" in roles:
        units = Membership.objects.filter(user=user, role=Role.DIVISION).values_list("unit_id", flat=True)
        mine = redlist.nominations.filter(unit_id__in=list(units), state=Nomination.State.DRAFT).count()
        if mine:
            summary.tasks.append(("本处室待提报的草稿", mine, "redlist-nominations"))
        to_propose = reviews.filter(state=RevocationReview.State.OPEN, unit_id__in=list(units)).count()
        if to_propose:
            summary.tasks.append(("待本处室提出是否撤销的建议", to_propose, "redlist-reviews"))
    if "legal" in roles and summary.submitted:
        summary.tasks.append(("待合法性审查的提报", summary.submitted, "redlist-legal-queue"))
    if "office" in roles:
        if summary.awaiting_meeting:
            summary.tasks.append(("通过合法性审查、待列入会议的提报", summary.awaiting_meeting, "redlist-meetings"))
        if summary.reviews_proposed:
            summary.tasks.append(("已提出撤销建议、待会议研究", summary.reviews_proposed, "redlist-reviews"))
        if summary.reviews_overdue:
            summary.tasks.append(("逾期未提出撤销建议（须督办）", summary.reviews_overdue, "redlist-reviews"))
        if summary.removals_open:
            summary.tasks.append(("待会议研究的删除事项", summary.removals_open, "redlist-removals"))
    if "leader" in roles and summary.next_meeting is not None:
        summary.tasks.append((f"领导小组会议 {summary.next_meeting.date.isoformat()}", 1, "redlist-meetings"))
    return summary


# --- candidates (SRL 第八、九条) ------------------------------------------------------------------


@dataclass
class Candidate:
    enterprise: Enterprise
    grade: str
    as_of: date
    ruleset: str
    qualifying: list[tuple[str, str]]
    unmet: list[tuple[str, str]]
    open_nomination: Nomination | None = None
    listed: bool = False

    @property
    def eligible(self) -> bool:
        return bool(self.qualifying) and not self.unmet

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.grade, self.grade)


def redlist_candidates(*, redlist: RedList, query: str = "", include_ineligible: bool = False) -> list[Candidate]:
    """Enterprises of the list's jurisdiction with some SRL 第八条 condition holding in their
    current evaluation, with the eligibility result (第八条 conditions that hold, 第九条
    conditions that fail). Eligible ones only, unless ``include_ineligible``. Read from the
    stored snapshots (set-based: a few holders of honours among the whole archive), so the
    result is as of each enterprise's evaluation date; a nomination is evaluated afresh."""
    any_srl8 = Q()
    annotations = {}
    for code in SRL8:
        annotations[f"c_{code.replace('.', '_').replace('-', '_')}"] = Substr("grade_state__holds",
                                                                              _POSITION[code] + 1, 1)
        any_srl8 |= Q(**{f"c_{code.replace('.', '_').replace('-', '_')}": "1"})
    enterprises = (Enterprise.objects.filter(region__startswith=redlist.jurisdiction, grade_state__isnull=False)
                   .annotate(**annotations).filter(any_srl8).select_related("grade_state").order_by("name", "uscc"))
    query = (query or "").strip()
    if query:
        try:
            enterprises = enterprises.filter(uscc=normalize_uscc(query))
        except USCCError:
            enterprises = enterprises.filter(Q(name__contains=query) | Q(uscc__startswith=query.upper()))
    rows = list(enterprises)
    ids = [e.pk for e in rows]
    open_nominations = {n.enterprise_id: n for n in Nomination.objects.filter(
        redlist=redlist, enterprise_id__in=ids, state__in=Nomination.OPEN_STATES)}
    listed = set(Entry.objects.filter(redlist=redlist, enterprise_id__in=ids, state=Entry.State.PUBLISHED)
                 .values_list("enterprise_id", flat=True))
    out = []
    for e in rows:
        holds = e.grade_state.holds
        if len(holds) != len(_CRITERIA):
            continue
        qualifying = [c for c in SRL8 if holds[_POSITION[c]] == "1"]
        unmet = [c for c in SRL9 if holds[_POSITION[c]] != "1"]
        candidate = Candidate(e, e.grade_state.grade, e.grade_state.as_of, e.grade_state.ruleset,
                              conditions(qualifying), conditions(unmet), open_nominations.get(e.pk), e.pk in listed)
        if candidate.eligible or include_ineligible:
            out.append(candidate)
    return out


# --- queues of one list ---------------------------------------------------------------------------


def nominations_of(*, redlist: RedList, state: str = "") -> list[Nomination]:
    nominations = redlist.nominations.select_related("enterprise", "unit", "drafted_by")
    if state:
        nominations = nominations.filter(state=state)
    return list(nominations.order_by("-updated_at", "-id"))


def meeting_subjects_ready(*, redlist: RedList) -> list[tuple[str, str]]:
    """What the office may put on an agenda now (value, label): nominations that passed the
    legality review, revocation reviews with the division's proposal, open removal items —
    those not already pending on an agenda."""
    pending = AgendaItem.objects.filter(meeting__redlist=redlist, state=AgendaItem.State.PENDING)
    pending_nominations = set(pending.values_list("nomination_id", flat=True))
    pending_reviews = set(pending.values_list("revocation_review_id", flat=True))
    pending_removals = set(pending.values_list("removal_item_id", flat=True))
    out = []
    for n in redlist.nominations.filter(state=Nomination.State.AWAITING_MEETING).select_related("enterprise"):
        if n.pk not in pending_nominations:
            out.append((f"nomination:{n.pk}", f"列入：{n.enterprise.name}（{n.enterprise.uscc}）"))
    for r in RevocationReview.objects.filter(entry__redlist=redlist, state=RevocationReview.State.PROPOSED) \
            .select_related("entry"):
        if r.pk not in pending_reviews:
            advice = "建议撤销" if r.revoke_proposed else "建议保留"
            out.append((f"revocation:{r.pk}", f"撤销：{r.entry.name}（{r.entry.uscc}，提报单位{advice}）"))
    for m in RemovalItem.objects.filter(entry__redlist=redlist, state=RemovalItem.State.OPEN).select_related("entry"):
        if m.pk not in pending_removals:
            out.append((f"removal:{m.pk}", f"删除：{m.entry.name}（{m.entry.uscc}，{m.get_route_display()}）"))
    return out


def meeting_subject(*, redlist: RedList, value: str):
    """The agenda subject a form value (``nomination:12``) names, on this list; None if none."""
    kind, _, pk = (value or "").partition(":")
    model = {"nomination": Nomination, "revocation": RevocationReview, "removal": RemovalItem}.get(kind)
    if model is None or not pk.isdigit():
        return None
    subject = model.objects.filter(pk=int(pk)).first()
    if subject is None:
        return None
    owner = subject.redlist_id if isinstance(subject, Nomination) else subject.entry.redlist_id
    return subject if owner == redlist.pk else None


@dataclass
class ReviewRow:
    review: RevocationReview
    overdue: bool
    remaining: int | None  # working days from today to the due day (negative: overdue by)
    calendar_missing: str = ""

    @property
    def overdue_by(self) -> int | None:
        return -self.remaining if self.remaining is not None and self.remaining < 0 else None


def review_rows(reviews, *, today: date) -> list[ReviewRow]:
    rows = []
    for review in reviews:
        open_ = review.state == RevocationReview.State.OPEN
        remaining, missing = None, ""
        if open_:
            try:
                remaining = workdays_between(today, review.due_on)
            except MissingHolidayYear as exc:
                missing = exc.message
        rows.append(ReviewRow(review, open_ and (review.due_on < today or review.overdue_flagged_at is not None),
                              remaining, missing))
    return rows


def revocation_reviews_of(*, redlist: RedList, show_all: bool = False):
    reviews = RevocationReview.objects.filter(entry__redlist=redlist).select_related("entry", "unit", "proposed_by")
    if not show_all:
        reviews = reviews.filter(state__in=RevocationReview.OPEN_STATES)
    return reviews.order_by("state", "due_on", "id")


def removal_items_of(*, redlist: RedList, show_all: bool = False):
    items = RemovalItem.objects.filter(entry__redlist=redlist).select_related("entry", "opened_by")
    if not show_all:
        items = items.filter(state=RemovalItem.State.OPEN)
    return items.order_by("-opened_at", "-id")


def published_entries_of(*, redlist: RedList):
    """Entries in state published (including those past their period that the daily job has
    not yet moved to the archive — the page flags them)."""
    return (Entry.objects.filter(redlist=redlist, state=Entry.State.PUBLISHED)
            .select_related("nomination__unit").order_by("valid_until", "id"))


def leaders_of(*, redlist: RedList):
    from qcredit.accounts.services import users_with_role

    return users_with_role(role=Role.LEADER, jurisdiction=redlist.jurisdiction)

