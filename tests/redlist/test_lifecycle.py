"""SPEC §5.1 lifecycle of a nomination (提报): draft → submitted → legality review → meeting →
published, and the ways it stops short (not eligible, legal review fails, meeting declines)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from qcredit.accounts.models import Notification
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import PublicationEvent
from qcredit.redlist import services
from qcredit.redlist.errors import RedListError, RedListErrorCode
from qcredit.redlist.models import AgendaItem, Entry, Meeting, Nomination
from qcredit.redlist.selectors import meeting_next_regular_date, public_entries

from .conftest import add_record, decide, on_agenda, publish, subject

pytestmark = pytest.mark.django_db


def redlist_events() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="redlist.").order_by("seq").values_list("action",
                                                                                                     flat=True))


def inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


def refused(code: RedListErrorCode, call, *args, **kwargs) -> RedListError:
    before = AuditEvent.objects.count()
    with pytest.raises(RedListError) as info:
        call(*args, **kwargs)
    assert info.value.code is code, info.value.message
    assert AuditEvent.objects.count() == before  # nothing written
    return info.value


def test_a_nomination_goes_from_draft_through_legal_review_and_the_meeting_to_publication(people, province_list):
    division, legal, office, leader = (people[f"sheng-{r}"] for r in ("division", "legal", "office", "leader"))
    enterprise = subject(name="济南卓越精工有限公司")
    today = timezone.localdate()
    events = len(redlist_events())

    nomination = services.nomination_draft(redlist=province_list, enterprise=enterprise, reasons="质量管理水平突出",
                                           credit_facts="荣获山东省省长质量奖", actor=division)
    assert nomination.state == Nomination.State.DRAFT and nomination.unit.code == "sd-division"
    # The system attached the eligibility result, with its date and rule-set version.
    assert (nomination.eligible, nomination.qualifying, nomination.unmet) == (True, ["SRL-8.1"], [])
    assert nomination.evaluated_on == today and nomination.ruleset == "SD-2018.1" and nomination.grade == "A"
    assert nomination.eligibility["as_of"] == today.isoformat()
    assert redlist_events()[events:] == ["redlist.nomination.draft"]

    nomination = services.nomination_edit(nomination=nomination, credit_facts="荣获2025年度山东省省长质量奖",
                                          actor=division)
    assert nomination.credit_facts == "荣获2025年度山东省省长质量奖" and nomination.state == Nomination.State.DRAFT
    nomination = services.nomination_submit(nomination=nomination, actor=division)
    assert nomination.state == Nomination.State.SUBMITTED and nomination.submitted_at
    assert any("待合法性审查" in s for s in inbox(legal))

    nomination = services.nomination_legal_review(nomination=nomination, passed=True, actor=legal)
    assert nomination.state == Nomination.State.AWAITING_MEETING and nomination.legal_reviewer == legal
    assert any("待会议研究" in s for s in inbox(office))

    meeting = services.meeting_schedule(redlist=province_list, kind="regular",
                                        date=meeting_next_regular_date(redlist=province_list), actor=office)
    assert meeting.date == today  # no regular meeting yet: the next one may be today
    item = services.agenda_item_add(meeting=meeting, subject=nomination, actor=office)
    item = services.agenda_item_decide(item=item, approved=True, minutes_ref="鲁市监红组纪〔2026〕1号",
                                       leaders=[leader], attendees="质量发展处、政策法规处", actor=office)
    assert item.state == AgendaItem.State.APPROVED and list(item.leaders.all()) == [leader]

    nomination.refresh_from_db()
    entry = nomination.entry
    assert nomination.state == Nomination.State.PUBLISHED and entry.state == Entry.State.PUBLISHED
    assert (entry.name, entry.uscc, entry.credit_facts) == (enterprise.name, enterprise.uscc,
                                                           "荣获2025年度山东省省长质量奖")
    # SRL 第十二条: one year from the publication day (the corresponding day of the next year).
    assert entry.published_on == today and entry.valid_until == date(today.year + 1, today.month, today.day)
    event = PublicationEvent.objects.get(entry_key=entry.entry_key)
    assert (event.list_kind, event.kind) == ("redlist", "published")
    assert event.payload["统一社会信用代码"] == enterprise.uscc and event.payload["有效期至"] == entry.valid_until.isoformat()
    assert [p.uscc for p in public_entries()] == [enterprise.uscc]
    # Every transition wrote exactly one audit event.
    assert redlist_events()[events:] == [
        "redlist.nomination.draft", "redlist.nomination.edit", "redlist.nomination.submit",
        "redlist.nomination.legal_review", "redlist.meeting.schedule", "redlist.agenda_item.add",
        "redlist.agenda_item.decide"]


def test_a_subject_that_is_not_eligible_cannot_be_submitted(people, province_list):
    division = people["sheng-division"]

    no_honour = subject(honour=None)
    draft = services.nomination_draft(redlist=province_list, enterprise=no_honour, reasons="理由", credit_facts="事实",
                                      actor=division)
    assert not draft.eligible and draft.unmet == ["SRL-8"]  # a draft may exist; it cannot go further
    error = refused(RedListErrorCode.NOT_ELIGIBLE, services.nomination_submit, nomination=draft, actor=division)
    assert "第八条" in error.message
    draft.refresh_from_db()
    assert draft.state == Nomination.State.DRAFT

    # 第九条 cannot be overridden: a penalty within three years bars the subject, honour or not.
    penalised = subject()
    add_record(penalised, "penalty", days_ago=400, scope="other", severity="ordinary")
    draft = services.nomination_draft(redlist=province_list, enterprise=penalised, reasons="理由",
                                      credit_facts="事实", actor=division)
    assert draft.unmet == ["SRL-9.2"]
    error = refused(RedListErrorCode.NOT_ELIGIBLE, services.nomination_submit, nomination=draft, actor=division)
    assert "第九条(二)" in error.message


def test_other_excellence_alone_needs_the_divisions_justification(people, province_list):
    division = people["sheng-division"]
    enterprise = subject(honour="other", justification="连续五年出口产品零退货")
    draft = services.nomination_draft(redlist=province_list, enterprise=enterprise, reasons="理由",
                                      credit_facts="事实", actor=division)
    assert draft.qualifying == ["SRL-8.6"]
    refused(RedListErrorCode.JUSTIFICATION_REQUIRED, services.nomination_submit, nomination=draft, actor=division)
    draft = services.nomination_edit(nomination=draft, justification="质量管理体系获国际认可，行业示范作用明显",
                                     actor=division)
    assert services.nomination_submit(nomination=draft, actor=division).state == Nomination.State.SUBMITTED


def test_a_failed_legality_review_rejects_the_nomination_with_its_opinion(people, province_list):
    division, legal, office = people["sheng-division"], people["sheng-legal"], people["sheng-office"]
    nomination = services.nomination_draft(redlist=province_list, enterprise=subject(), reasons="理由",
                                           credit_facts="事实", actor=division)
    services.nomination_submit(nomination=nomination, actor=division)
    refused(RedListErrorCode.OPINION_REQUIRED, services.nomination_legal_review, nomination=nomination,
            passed=False, opinion=" ", actor=legal)
    nomination = services.nomination_legal_review(nomination=nomination, passed=False,
                                                  opinion="确定理由缺少荣誉证书文号", actor=legal)
    assert nomination.state == Nomination.State.REJECTED and nomination.legal_opinion == "确定理由缺少荣誉证书文号"
    assert any("合法性审查未通过" in s for s in inbox(division))
    meeting = services.meeting_schedule(redlist=province_list, kind="regular", date=timezone.localdate(),
                                        actor=office)
    refused(RedListErrorCode.NOT_READY_FOR_MEETING, services.agenda_item_add, meeting=meeting, subject=nomination,
            actor=office)
    refused(RedListErrorCode.WRONG_STATE, services.nomination_legal_review, nomination=nomination, passed=True,
            actor=legal)


def test_the_meeting_may_decline_and_the_subject_may_be_nominated_again(people, province_list):
    division = people["sheng-division"]
    enterprise = subject()
    nomination = services.nomination_draft(redlist=province_list, enterprise=enterprise, reasons="理由",
                                           credit_facts="事实", actor=division)
    refused(RedListErrorCode.ALREADY_NOMINATED, services.nomination_draft, redlist=province_list,
            enterprise=enterprise, reasons="理由", credit_facts="事实", actor=division)
    services.nomination_submit(nomination=nomination, actor=division)
    services.nomination_legal_review(nomination=nomination, passed=True, actor=people["sheng-legal"])
    item = decide(people, province_list, on_agenda(people, province_list, nomination), approved=False,
                  note="示范作用尚不突出")
    nomination.refresh_from_db()
    assert item.state == AgendaItem.State.REJECTED and nomination.state == Nomination.State.DECLINED
    assert not Entry.objects.exists() and not PublicationEvent.objects.exists() and public_entries() == []
    again = services.nomination_draft(redlist=province_list, enterprise=enterprise, reasons="新的理由",
                                      credit_facts="事实", actor=division)
    assert again.state == Nomination.State.DRAFT


def test_a_listed_subject_cannot_be_nominated_twice_on_the_same_list(people, province_list, jinan_list):
    enterprise = subject()
    publish(people, province_list, enterprise)
    refused(RedListErrorCode.ALREADY_LISTED, services.nomination_draft, redlist=province_list,
            enterprise=enterprise, reasons="理由", credit_facts="事实", actor=people["sheng-division"])
    # Jinan runs its own list (SRL 第十八条): the same subject may be on it too.
    assert publish(people, jinan_list, enterprise).redlist == jinan_list


def test_a_division_may_withdraw_its_nomination_before_the_legality_review(people, province_list):
    division = people["sheng-division"]
    nomination = services.nomination_draft(redlist=province_list, enterprise=subject(), reasons="理由",
                                           credit_facts="事实", actor=division)
    services.nomination_submit(nomination=nomination, actor=division)
    refused(RedListErrorCode.REASON_REQUIRED, services.nomination_withdraw, nomination=nomination, reason="",
            actor=division)
    nomination = services.nomination_withdraw(nomination=nomination, reason="补充材料后重新提报", actor=division)
    assert nomination.state == Nomination.State.WITHDRAWN
    refused(RedListErrorCode.WRONG_STATE, services.nomination_edit, nomination=nomination, reasons="x",
            actor=division)


def test_a_decision_needs_the_minutes_a_leader_of_the_list_and_a_meeting_that_has_taken_place(
        people, province_list, clock):
    division, office = people["sheng-division"], people["sheng-office"]
    nomination = services.nomination_draft(redlist=province_list, enterprise=subject(), reasons="理由",
                                           credit_facts="事实", actor=division)
    services.nomination_submit(nomination=nomination, actor=division)
    services.nomination_legal_review(nomination=nomination, passed=True, actor=people["sheng-legal"])
    later = services.meeting_schedule(redlist=province_list, kind="regular", date=date(2026, 3, 20), actor=office)
    item = services.agenda_item_add(meeting=later, subject=nomination, actor=office)
    refused(RedListErrorCode.ALREADY_ON_AGENDA, services.agenda_item_add, meeting=later, subject=nomination,
            actor=office)

    def decide_with(**changes):
        kwargs = dict(item=item, approved=True, minutes_ref="纪要1号", leaders=[people["sheng-leader"]],
                      actor=office)
        kwargs.update(changes)
        return services.agenda_item_decide(**kwargs)

    refused(RedListErrorCode.MEETING_NOT_HELD_YET, decide_with)
    clock.set(date(2026, 3, 20))
    refused(RedListErrorCode.MINUTES_REQUIRED, decide_with, minutes_ref="")
    refused(RedListErrorCode.NO_LEADER_PRESENT, decide_with, leaders=[])
    refused(RedListErrorCode.NOT_A_LEADER, decide_with, leaders=[people["sheng-leader"], people["jinan-leader"]])
    refused(RedListErrorCode.NOT_A_LEADER, decide_with, leaders=[people["sheng-office"]])
    assert decide_with().state == AgendaItem.State.APPROVED
    refused(RedListErrorCode.ALREADY_DECIDED, decide_with, approved=False)
    # The agenda of a meeting that has taken place is closed.
    clock.set(date(2026, 3, 21))
    refused(RedListErrorCode.MEETING_PAST, services.agenda_item_add, meeting=later, subject=nomination, actor=office)


def test_an_item_taken_off_the_agenda_may_go_on_a_later_meeting(people, province_list):
    office = people["sheng-office"]
    nomination = services.nomination_draft(redlist=province_list, enterprise=subject(), reasons="理由",
                                           credit_facts="事实", actor=people["sheng-division"])
    services.nomination_submit(nomination=nomination, actor=people["sheng-division"])
    services.nomination_legal_review(nomination=nomination, passed=True, actor=people["sheng-legal"])
    item = on_agenda(people, province_list, nomination)
    refused(RedListErrorCode.REASON_REQUIRED, services.agenda_item_defer, item=item, reason="", actor=office)
    assert services.agenda_item_defer(item=item, reason="材料待补充", actor=office).state == AgendaItem.State.DEFERRED
    refused(RedListErrorCode.WRONG_STATE, decide, people, province_list, item, approved=True)
    assert on_agenda(people, province_list, nomination).state == AgendaItem.State.PENDING


def test_the_office_schedules_regular_meetings_half_yearly_and_extraordinary_ones_with_a_reason(
        people, province_list, clock):
    office = people["sheng-office"]
    refused(RedListErrorCode.REASON_REQUIRED, services.meeting_schedule, redlist=province_list,
            kind="extraordinary", date=clock.today, actor=office)
    refused(RedListErrorCode.MEETING_DATE_IN_PAST, services.meeting_schedule, redlist=province_list,
            kind="regular", date=date(2026, 2, 27), actor=office)
    services.meeting_schedule(redlist=province_list, kind="regular", date=date(2026, 3, 31), actor=office)
    services.meeting_schedule(redlist=province_list, kind="extraordinary", date=date(2026, 5, 6),
                              reason="审议撤销建议", actor=office)
    # SRL 第七条 原则上每半年: six months after the last regular meeting (extraordinary ones do not count).
    assert meeting_next_regular_date(redlist=province_list) == date(2026, 9, 30)
    assert Meeting.objects.filter(redlist=province_list).count() == 2
    assert any("例会" in s for s in inbox(people["sheng-leader"]))
    # Once that date has passed, the proposal is today.
    clock.set(date(2026, 10, 12))
    assert meeting_next_regular_date(redlist=province_list) == date(2026, 10, 12)


def test_a_subject_no_longer_eligible_on_the_day_of_the_decision_is_not_published(people, province_list):
    division = people["sheng-division"]
    enterprise = subject()
    nomination = services.nomination_draft(redlist=province_list, enterprise=enterprise, reasons="理由",
                                           credit_facts="事实", actor=division)
    services.nomination_submit(nomination=nomination, actor=division)
    services.nomination_legal_review(nomination=nomination, passed=True, actor=people["sheng-legal"])
    item = on_agenda(people, province_list, nomination)
    add_record(enterprise, "media_exposure", days_ago=2, verified=True, major=True)
    refused(RedListErrorCode.NOT_ELIGIBLE, decide, people, province_list, item, approved=True)
    assert not Entry.objects.exists()
    assert decide(people, province_list, item, approved=False).state == AgendaItem.State.REJECTED
