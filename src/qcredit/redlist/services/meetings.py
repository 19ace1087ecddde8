"""The leading group's meetings (SRL 第六、七条): the office schedules them, sets the agenda and
records each collective decision; a decision to list publishes the subject (SRL 第四、十一、
十二条), a decision to revoke (第十三条) or remove (第十四条) ends its entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.accounts.services import has_role, notify
from qcredit.audit.services import audit_write
from qcredit.rules.dates import add_years

from ..eligibility import baseline, evaluate_enterprise
from ..errors import RedListError, RedListErrorCode
from ..models import AgendaItem, Entry, Meeting, Nomination, RedList, RemovalItem, RevocationReview
from .common import (
    division_users,
    end_entry,
    entry_json,
    guard,
    list_role,
    list_users,
    record_publication,
    required,
    today,
)
from .nominations import not_eligible_message


def meeting_schedule(*, redlist: RedList, kind: str, date: date, reason: str = "", actor) -> Meeting:
    """The office schedules a meeting of its list's leading group: regular (SRL 第七条, in
    principle every ``redlist_meeting_interval`` months — :func:`qcredit.redlist.selectors.
    meeting_next_regular_date` proposes the date) or extraordinary (with the reason)."""
    membership = list_role(actor, Role.OFFICE, redlist)
    kind = Meeting.Kind(kind)
    reason = (reason or "").strip()
    if kind == Meeting.Kind.EXTRAORDINARY:
        reason = required(reason, RedListErrorCode.REASON_REQUIRED, "召开临时会议须说明理由")
    if date < today():
        raise RedListError(RedListErrorCode.MEETING_DATE_IN_PAST, f"会议日期 {date.isoformat()} 已过，不能安排")
    with transaction.atomic():
        meeting = Meeting.objects.create(redlist=redlist, kind=kind, date=date, reason=reason, scheduled_by=actor)
        notify(recipients=list_users(Role.LEADER, redlist),
               subject=f"{redlist}领导小组{meeting.get_kind_display()}：{date.isoformat()}", body=reason)
        audit_write(actor=actor, membership=membership, action="redlist.meeting.schedule", obj=meeting,
                    after={"kind": kind.value, "date": date, "reason": reason})
    return meeting


# --- agenda --------------------------------------------------------------------------------------


def _subject_redlist_id(subject) -> int:
    if isinstance(subject, Nomination):
        return subject.redlist_id
    return subject.entry.redlist_id


_KINDS = {Nomination: (AgendaItem.Kind.NOMINATION, "nomination"),
          RevocationReview: (AgendaItem.Kind.REVOCATION, "revocation_review"),
          RemovalItem: (AgendaItem.Kind.REMOVAL, "removal_item")}


def _check_ready(subject) -> None:
    if isinstance(subject, Nomination) and subject.state != Nomination.State.AWAITING_MEETING:
        raise RedListError(RedListErrorCode.NOT_READY_FOR_MEETING,
                           f"只有通过合法性审查的提报才能列入会议议程（当前状态：{subject.get_state_display()}）")
    if isinstance(subject, RevocationReview) and subject.state != RevocationReview.State.PROPOSED:
        if subject.state == RevocationReview.State.OPEN:
            raise RedListError(RedListErrorCode.PROPOSAL_REQUIRED,
                               "提报单位尚未提出是否撤销的建议（SRL 第十三条），不能列入议程")
        raise RedListError(RedListErrorCode.NOT_READY_FOR_MEETING,
                           f"该撤销研究已办结（{subject.get_state_display()}）")
    if isinstance(subject, RemovalItem) and subject.state != RemovalItem.State.OPEN:
        raise RedListError(RedListErrorCode.NOT_READY_FOR_MEETING,
                           f"该删除事项已办结（{subject.get_state_display()}）")


def agenda_item_add(*, meeting: Meeting, subject: Nomination | RevocationReview | RemovalItem, actor) -> AgendaItem:
    """The office puts an item on the agenda: a nomination that passed legality review, a
    revocation review with the division's proposal, or an open removal item."""
    membership = list_role(actor, Role.OFFICE, meeting.redlist)
    if type(subject) not in _KINDS:
        raise TypeError(f"not an agenda subject: {type(subject).__name__}")
    kind, field = _KINDS[type(subject)]
    with transaction.atomic():
        subject = type(subject).objects.select_for_update().get(pk=subject.pk)
        if _subject_redlist_id(subject) != meeting.redlist_id:
            raise RedListError(RedListErrorCode.WRONG_LIST, "该事项不属于本次会议所在的红名单")
        if meeting.date < today():
            raise RedListError(RedListErrorCode.MEETING_PAST, "会议已经召开，不能再增加议题")
        _check_ready(subject)
        if AgendaItem.objects.filter(**{field: subject, "state": AgendaItem.State.PENDING}).exists():
            raise RedListError(RedListErrorCode.ALREADY_ON_AGENDA, "该事项已在会议议程中，待研究")
        item = AgendaItem.objects.create(meeting=meeting, kind=kind, added_by=actor, **{field: subject})
        audit_write(actor=actor, membership=membership, action="redlist.agenda_item.add", obj=item,
                    after={"meeting": meeting.pk, "kind": kind.value, field: subject.pk})
    return item


def agenda_item_defer(*, item: AgendaItem, reason: str, actor) -> AgendaItem:
    """The office takes an undecided item off the agenda (it may go on a later one)."""
    membership = list_role(actor, Role.OFFICE, item.meeting.redlist)
    reason = required(reason, RedListErrorCode.REASON_REQUIRED, "撤出议程须说明理由")
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
        guard(locked, "defer", "撤出议程")()
        locked.note = reason
        locked.save()
        audit_write(actor=actor, membership=membership, action="redlist.agenda_item.defer", obj=locked,
                    before={"state": AgendaItem.State.PENDING.value}, after={"state": locked.state}, reason=reason)
    return locked


# --- decisions (SRL 第六条 集体研究) --------------------------------------------------------------


def _leaders_present(leaders: Iterable, redlist: RedList) -> list:
    leaders = list({u.pk: u for u in leaders}.values())
    if not leaders:
        raise RedListError(RedListErrorCode.NO_LEADER_PRESENT,
                           "集体研究决定须记录出席会议的领导小组成员（SRL 第六条）")
    for user in leaders:
        if not has_role(user=user, role=Role.LEADER, jurisdiction=redlist.jurisdiction):
            raise RedListError(RedListErrorCode.NOT_A_LEADER, f"{user.get_username()}不是本名单领导小组成员")
    return leaders


def _decide_nomination(item: AgendaItem, approved: bool, on: date) -> dict:
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("enterprise", "redlist__owner").get(
        pk=item.nomination_id)
    if not approved:
        guard(nomination, "decline", "作出不予列入的决定")()
        nomination.save()
        return {"nomination": nomination.pk, "nomination_state": nomination.state}
    publish = guard(nomination, "publish", "列入并公开")
    enterprise = nomination.enterprise
    # 第九条 cannot be overridden: the subject must still be eligible on the day it is published.
    evaluation = evaluate_enterprise(enterprise, on)
    if not evaluation.redlist.eligible:
        raise RedListError(RedListErrorCode.NOT_ELIGIBLE,
                           not_eligible_message(enterprise.name, evaluation.redlist.unmet))
    period = evaluation.ruleset.parameter_values(on)["redlist_publication_period"]
    publish()
    nomination.save()
    # 公开期限 (SRL 第十二条): from the publication day, the period ends on the corresponding day
    # of the last year (民法典 第二百零一、二百零二条: the first day is not counted).
    entry = Entry.objects.create(
        redlist=nomination.redlist, nomination=nomination, enterprise=enterprise, name=enterprise.name,
        uscc=enterprise.uscc, region=enterprise.region, credit_facts=nomination.credit_facts,
        published_on=on, valid_until=add_years(on, period), baseline=baseline(evaluation), baseline_on=on)
    record_publication(entry)
    return {"nomination": nomination.pk, "nomination_state": nomination.state, "entry": entry.pk,
            **entry_json(entry)}


def _locked_published_entry(entry_id: int) -> Entry:
    entry = Entry.objects.select_for_update().get(pk=entry_id)
    if entry.state != Entry.State.PUBLISHED:
        raise RedListError(RedListErrorCode.NOT_PUBLISHED, f"该主体已不在名单中（{entry.get_state_display()}）")
    return entry


def _decide_revocation(item: AgendaItem, approved: bool, on: date, note: str) -> dict:
    review = RevocationReview.objects.select_for_update().get(pk=item.revocation_review_id)
    entry = _locked_published_entry(review.entry_id)
    guard(review, "decide_revoke" if approved else "decide_keep", "作出决定")()
    review.closed_on = on
    review.save()
    if approved:
        ended = end_entry(entry, "revoke", on=on,
                          reason=note or review.proposal or "公开期间出现违法违规行为，经领导小组会议研究决定撤销",
                          public_reason="公开期间出现违法违规行为，经领导小组会议研究决定撤销（SRL 第十三条）")
        return {"revocation_review": review.pk, "review_state": review.state, "entry": entry.pk,
                **entry_json(entry), "ended": ended}
    # Kept: what the meeting has seen becomes the baseline, so only later records count as new.
    entry.keep()
    entry.baseline = baseline(evaluate_enterprise(entry.enterprise, on))
    entry.baseline_on = on
    entry.save()
    return {"revocation_review": review.pk, "review_state": review.state, "entry": entry.pk, "baseline": entry.baseline}


_REMOVAL_PUBLIC_REASONS = {
    RemovalItem.Route.OBJECTION: "经异议处理，红名单认定有误（SRL 第十四条(一)）",
    RemovalItem.Route.BLACKLISTED: "列入黑名单管理（SRL 第十四条(二)）",
    RemovalItem.Route.RULESET: "红名单认定标准改变，不符合新认定标准（SRL 第十四条(四)）",
}


def _decide_removal(item: AgendaItem, approved: bool, on: date, note: str) -> dict:
    removal = RemovalItem.objects.select_for_update().get(pk=item.removal_item_id)
    entry = _locked_published_entry(removal.entry_id)
    guard(removal, "decide_remove" if approved else "decide_keep", "作出决定")()
    removal.closed_on = on
    removal.save()
    if not approved:
        return {"removal_item": removal.pk, "removal_state": removal.state}
    public_reason = _REMOVAL_PUBLIC_REASONS[RemovalItem.Route(removal.route)]
    ended = end_entry(entry, "remove", on=on, reason=note or removal.reason, public_reason=public_reason)
    return {"removal_item": removal.pk, "removal_state": removal.state, "entry": entry.pk, **entry_json(entry),
            "ended": ended}


def agenda_item_decide(*, item: AgendaItem, approved: bool, minutes_ref: str, leaders: Iterable,
                       attendees: str = "", note: str = "", actor) -> AgendaItem:
    """The office records the meeting's collective decision on an item (SRL 第六条): the minutes
    reference and at least one member of the list's leading group present. ``approved``
    answers the item's motion — list the subject (nomination → published), revoke it
    (revocation review → entry revoked), remove it (removal item → entry removed); rejected
    declines the nomination or keeps the subject. One decision per item: a second, concurrent
    or later, is refused with ``ALREADY_DECIDED``."""
    redlist = item.meeting.redlist
    membership = list_role(actor, Role.OFFICE, redlist)
    minutes_ref = required(minutes_ref, RedListErrorCode.MINUTES_REQUIRED, "请填写会议纪要文号")
    leaders = _leaders_present(leaders, redlist)
    note = (note or "").strip()
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=item.pk)
        if locked.state in (AgendaItem.State.APPROVED, AgendaItem.State.REJECTED):
            raise RedListError(RedListErrorCode.ALREADY_DECIDED,
                               f"该议题已作出决定（{locked.get_state_display()}），不能重复记录")
        decide = guard(locked, "approve" if approved else "reject", "记录决定")
        on = today()
        if locked.meeting.date > on:
            raise RedListError(RedListErrorCode.MEETING_NOT_HELD_YET,
                               f"会议定于 {locked.meeting.date.isoformat()} 召开，届时方可记录决定")
        if locked.kind == AgendaItem.Kind.NOMINATION:
            consequence = _decide_nomination(locked, approved, on)
            unit = locked.nomination.unit
            name = locked.nomination.enterprise.name
        elif locked.kind == AgendaItem.Kind.REVOCATION:
            consequence = _decide_revocation(locked, approved, on, note)
            unit = locked.revocation_review.unit
            name = locked.revocation_review.entry.name
        else:
            consequence = _decide_removal(locked, approved, on, note)
            unit = locked.removal_item.entry.nomination.unit
            name = locked.removal_item.entry.name
        decide()
        locked.minutes_ref, locked.attendees, locked.note = minutes_ref, (attendees or "").strip(), note
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save()
        locked.leaders.set(leaders)
        notify(recipients=division_users(unit),
               subject=f"领导小组会议决定：{name}{locked.get_kind_display()}{locked.get_state_display()}",
               body=f"会议纪要：{minutes_ref}")
        audit_write(actor=actor, membership=membership, action="redlist.agenda_item.decide", obj=locked,
                    before={"state": AgendaItem.State.PENDING.value},
                    after={"state": locked.state, "kind": locked.kind, "minutes_ref": minutes_ref,
                           "leaders": sorted(u.get_username() for u in leaders), "attendees": locked.attendees,
                           "decided_on": on, **consequence},
                    reason=note)
    return locked
