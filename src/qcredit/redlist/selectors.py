"""Reads of the red list (HackSoft selectors).

:func:`public_entries` is the one place that decides what of the red list may be public
(SPEC §7.1: published entries only, and of them only the public fields — SRL 第十一条 name,
USCC, main credit facts, with the dates and the deciding bureau). It returns plain values,
never model instances, so nothing internal can leak through a template or a serializer.
Everything else here is internal: staff of the list's jurisdiction only, and reads of workflow
internals (drafts, legal opinions, minutes, the archive) are access events (SPEC §7.3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from django.db.models import QuerySet

from qcredit.accounts.models import Membership, Role
from qcredit.accounts.services import authorize
from qcredit.audit.services import audit_access
from qcredit.rules.dates import add_months

from .models import Entry, Meeting, Nomination, RedList, RevocationReview
from .services.common import LIST_CATEGORY, bureau_of, partner_fields, today


@dataclass(frozen=True)
class PublicEntry:
    """A red-list entry as the public sees it (portal, open data)."""

    key: str
    list_name: str
    category: str  # 名单类别
    name: str  # 主体名称
    uscc: str  # 统一社会信用代码
    region: str
    credit_facts: str  # 主要信用事实 / 列入原因
    published_on: date  # 列入日期
    valid_until: date  # 有效期至
    decided_by: str  # 认定部门
    source_unit: str  # 数据来源单位
    source_unit_uscc: str  # 数据来源单位统一社会信用代码

    def as_dict(self) -> dict:
        return asdict(self)


def _public(*, redlist: RedList | None, uscc: str | None, on: date) -> QuerySet[Entry]:
    entries = (Entry.objects.filter(state=Entry.State.PUBLISHED, published_on__lte=on, valid_until__gte=on)
               .select_related("redlist__owner__parent__parent").order_by("-published_on", "id"))
    if redlist is not None:
        entries = entries.filter(redlist=redlist)
    if uscc:
        entries = entries.filter(uscc=uscc.strip().upper())
    return entries


def public_entries(*, redlist: RedList | None = None, uscc: str | None = None,
                   on: date | None = None) -> list[PublicEntry]:
    """What may be public on ``on`` (default today): entries in state published whose period
    has begun and not ended — also before the daily expiry has run — and only their public
    fields. Revoked, removed and expired entries are never public (SPEC §7.1)."""
    out = []
    for entry in _public(redlist=redlist, uscc=uscc, on=on or today()):
        bureau = bureau_of(entry.redlist.owner)
        out.append(PublicEntry(key=entry.entry_key, list_name=entry.redlist.name, category=LIST_CATEGORY,
                               name=entry.name, uscc=entry.uscc, region=entry.region,
                               credit_facts=entry.credit_facts, published_on=entry.published_on,
                               valid_until=entry.valid_until, decided_by=bureau.name, source_unit=bureau.name,
                               source_unit_uscc=bureau.uscc))
    return out


def public_partner_rows(*, redlist: RedList | None = None, on: date | None = None) -> list[dict]:
    """The same public entries in the partner field set (SPEC §7.2 exports)."""
    return [partner_fields(e) for e in _public(redlist=redlist, uscc=None, on=on or today())]


def entries_published_for(*, enterprise) -> QuerySet[Entry]:
    """The entries through which ``enterprise`` is listed now, on any list (for the black-list
    route of SRL 第十四条(二): open a removal item on each)."""
    return Entry.objects.filter(enterprise=enterprise, state=Entry.State.PUBLISHED).select_related("redlist")


# --- internal (staff of the list's jurisdiction) -------------------------------------------------

_STAFF_ROLES = tuple(r for r in Role if r != Role.AUDITOR)


def _staff(actor, redlist: RedList) -> Membership:
    """Staff whose unit covers the list's jurisdiction (the list's own bureau and the levels
    above it); auditors read the audit trail, not the workflow."""
    return authorize(user=actor, role=_STAFF_ROLES, region=redlist.jurisdiction)


def entries_archive(*, redlist: RedList, actor) -> QuerySet[Entry]:
    """The archive (备查库, SRL 第十五条): every entry that left the list — revoked, removed,
    expired — for staff only; never public."""
    membership = _staff(actor, redlist)
    audit_access(actor=actor, membership=membership, action="redlist.archive.view", obj=redlist)
    return redlist.entries.exclude(state=Entry.State.PUBLISHED).order_by("-exited_on", "-id")


def nomination_detail(*, nomination: Nomination, actor) -> Nomination:
    """A nomination with its internals (draft, eligibility, legal opinion, decisions)."""
    membership = _staff(actor, nomination.redlist)
    audit_access(actor=actor, membership=membership, action="redlist.nomination.view", obj=nomination)
    return nomination


def meeting_detail(*, meeting: Meeting, actor) -> Meeting:
    """A meeting with its agenda, decisions, minutes references and who was present."""
    membership = _staff(actor, meeting.redlist)
    audit_access(actor=actor, membership=membership, action="redlist.meeting.view", obj=meeting)
    return meeting


def nominations_awaiting_meeting(*, redlist: RedList) -> QuerySet[Nomination]:
    return redlist.nominations.filter(state=Nomination.State.AWAITING_MEETING).select_related("enterprise")


def revocation_reviews_open(*, redlist: RedList) -> QuerySet[RevocationReview]:
    """Open reviews of a list, overdue ones first (the office's follow-up list)."""
    return (RevocationReview.objects.filter(entry__redlist=redlist, state__in=RevocationReview.OPEN_STATES)
            .select_related("entry", "unit").order_by("-overdue_flagged_at", "due_on"))


def meeting_next_regular_date(*, redlist: RedList, on: date | None = None) -> date:
    """The proposed date for scheduling another regular meeting (SRL 第七条 原则上每半年组织一次):
    the last regular meeting — held or already scheduled — plus ``redlist_meeting_interval``
    months, or ``on`` (today) if there was none or that date has passed. An upcoming meeting
    already scheduled is a different thing (the list summary's ``next_meeting``)."""
    from .eligibility import ruleset_in_force

    on = on or today()
    last = redlist.meetings.filter(kind=Meeting.Kind.REGULAR).order_by("-date").first()
    if last is None:
        return on
    months = ruleset_in_force(last.date).parameter_values(last.date)["redlist_meeting_interval"]
    return max(add_months(last.date, months), on)
