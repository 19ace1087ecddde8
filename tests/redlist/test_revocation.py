"""SRL 第十三条: a listed subject with a new adverse record during publication — the submitting
division proposes revoke or keep within 5 working days, overdue proposals are flagged to the
office, the meeting decides."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from qcredit.accounts.models import Notification, Role
from qcredit.accounts.services import AccessDenied
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import PublicationEvent
from qcredit.redlist import services
from qcredit.redlist.errors import RedListError, RedListErrorCode
from qcredit.redlist.models import Entry, RevocationReview
from qcredit.redlist.selectors import entries_archive, public_entries, revocation_reviews_open
from qcredit.workdays.errors import MissingHolidayYear

from .. import factories
from .conftest import add_record, decide, failed_sampling, on_agenda, publish, subject

pytestmark = pytest.mark.django_db


def nth_working_day_after(start: date, n: int) -> date:
    """The expected deadline, independently of the system: the official calendar as published by
    chinesecalendar; the day the obligation arises is not counted, and one arising on a rest day
    counts from the next working day (find_workday semantics, SPEC §5)."""
    day = start
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not chinese_calendar.is_workday(day):
            day += timedelta(days=1)
    return day


def test_a_new_failed_sampling_opens_a_review_due_in_5_working_days_across_the_national_day_holiday(
        people, province_list, clock, django_capture_on_commit_callbacks):
    clock.set(date(2025, 9, 26))
    enterprise = subject()
    entry = publish(people, province_list, enterprise)
    division, office = people["sheng-division"], people["sheng-office"]
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    # Tuesday 30 September 2025, the day before the National Day / Mid-Autumn holiday (1–8 October).
    clock.set(date(2025, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        failed_sampling(enterprise)
    review = RevocationReview.objects.get(entry=entry)
    expected = nth_working_day_after(date(2025, 9, 30), 5)
    assert expected == date(2025, 10, 14)  # Oct 9, 10, 11 (make-up Saturday), 13, 14
    assert (review.state, review.arose_on, review.due_on, review.deadline_workdays) == (
        RevocationReview.State.OPEN, date(2025, 9, 30), expected, 5)
    assert review.unit.code == "sd-division"  # the submitting division
    assert "QCO-C2" in review.findings["new_adverse"] and "SRL-9.2" in review.findings["new_srl9_unmet"]
    assert Notification.objects.filter(recipient=division, subject__contains="2025-10-14").exists()
    # Idempotent: the daily reconcile finds the review already open.
    assert services.revocation_reviews_reconcile(today=date(2025, 10, 9)) == []

    # Not overdue on its due day; flagged once the day after, to the office.
    assert services.revocation_reviews_flag_overdue(today=date(2025, 10, 14)) == 0
    assert services.revocation_reviews_flag_overdue(today=date(2025, 10, 15)) == 1
    assert services.revocation_reviews_flag_overdue(today=date(2025, 10, 16)) == 0
    review.refresh_from_db()
    assert review.overdue_flagged_at is not None
    assert Notification.objects.filter(recipient=office, subject__startswith="撤销建议逾期").count() == 1
    assert [r.pk for r in revocation_reviews_open(redlist=province_list)] == [review.pk]

    # The meeting decides only on the division's proposal.
    clock.set(date(2025, 10, 15))
    meeting = services.meeting_schedule(redlist=province_list, kind="extraordinary", date=clock.today,
                                        reason="研究撤销建议", actor=office)
    with pytest.raises(RedListError) as info:
        services.agenda_item_add(meeting=meeting, subject=review, actor=office)
    assert info.value.code is RedListErrorCode.PROPOSAL_REQUIRED
    review = services.revocation_review_propose(review=review, revoke=True, reasons="抽查不合格，建议撤销",
                                                actor=division)
    assert review.state == RevocationReview.State.PROPOSED
    decide(people, province_list, on_agenda(people, province_list, review, meeting=meeting), approved=True)

    entry.refresh_from_db()
    review.refresh_from_db()
    assert entry.state == Entry.State.REVOKED and entry.exited_on == date(2025, 10, 15)
    assert review.state == RevocationReview.State.REVOKED
    withdrawal = PublicationEvent.objects.get(entry_key=entry.entry_key, kind="withdrawn")
    assert withdrawal.payload["撤下类别"] == "撤销" and "第十三条" in withdrawal.payload["撤下原因"]
    assert public_entries() == []
    assert list(entries_archive(redlist=province_list, actor=office)) == [entry]
    # One audit event per transition (the refused agenda item wrote none); the system acts as itself.
    events = AuditEvent.objects.filter(seq__gt=seq, kind=AuditEvent.Kind.WRITE, action__startswith="redlist.").order_by("seq")
    assert [(e.action, e.actor_name) for e in events] == [
        ("redlist.revocation_review.open", "系统"), ("redlist.revocation_review.flag_overdue", "系统"),
        ("redlist.meeting.schedule", "sheng-office"), ("redlist.revocation_review.propose", "sheng-division"),
        ("redlist.agenda_item.add", "sheng-office"), ("redlist.agenda_item.decide", "sheng-office")]


def test_the_daily_reconcile_opens_the_review_the_commit_reaction_missed_with_the_same_deadline(
        people, province_list, clock):
    clock.set(date(2025, 9, 1))
    enterprise = subject()
    entry = publish(people, province_list, enterprise)
    clock.set(date(2025, 9, 30))
    failed_sampling(enterprise)  # on-commit reactions do not run here: as if the process had crashed
    assert not RevocationReview.objects.exists()
    clock.set(date(2025, 10, 10))
    [review] = services.revocation_reviews_reconcile(today=date(2025, 10, 10))
    # The obligation arose when the record entered the archive, not when the job noticed.
    assert (review.entry, review.arose_on, review.detected_on) == (entry, date(2025, 9, 30), date(2025, 10, 10))
    assert review.due_on == nth_working_day_after(date(2025, 9, 30), 5)
    assert services.revocation_reviews_reconcile(today=date(2025, 10, 10)) == []


def test_a_subject_kept_by_the_meeting_gets_a_new_review_only_for_a_later_adverse_record(people, province_list):
    enterprise = subject()
    entry = publish(people, province_list, enterprise)
    today = entry.published_on
    add_record(enterprise, "complaint", days_ago=0, scope="quality", verified=True, own_fault=True,
               resolution="timely")
    [review] = services.revocation_reviews_reconcile(today=today)
    assert review.findings["grade_fell"] and review.findings["grade_to"] == "B"
    services.revocation_review_propose(review=review, revoke=False, reasons="已及时处理，情节轻微",
                                       actor=people["sheng-division"])
    decide(people, province_list, on_agenda(people, province_list, review), approved=False)
    review.refresh_from_db()
    entry.refresh_from_db()
    assert review.state == RevocationReview.State.KEPT and entry.state == Entry.State.PUBLISHED
    assert entry.baseline["grade"] == "B"
    assert services.revocation_reviews_reconcile(today=today) == []  # what the meeting saw is not new
    add_record(enterprise, "complaint", days_ago=0, scope="quality", verified=True, own_fault=True,
               resolution="timely")
    [again] = services.revocation_reviews_reconcile(today=today)
    assert len(again.findings["new_records"]) == 1 and not again.findings["grade_fell"]


def test_only_the_submitting_division_proposes(people, province_list):
    enterprise = subject()
    entry = publish(people, province_list, enterprise)
    failed_sampling(enterprise)
    [review] = services.revocation_reviews_reconcile(today=entry.published_on)
    other_division = factories.staff(Role.DIVISION, "37")  # another division of the provincial bureau
    before = AuditEvent.objects.count()
    for actor in (other_division, people["jinan-division"], people["sheng-office"]):
        with pytest.raises(AccessDenied):
            services.revocation_review_propose(review=review, revoke=True, reasons="x", actor=actor)
    assert AuditEvent.objects.count() == before
    with pytest.raises(RedListError) as info:
        services.revocation_review_propose(review=review, revoke=True, reasons=" ", actor=people["sheng-division"])
    assert info.value.code is RedListErrorCode.REASON_REQUIRED


def test_an_honour_expiring_is_not_a_violation_but_a_penalty_is(people, province_list):
    enterprise = subject()
    entry = publish(people, province_list, enterprise)
    assert services.revocation_reviews_reconcile(today=entry.published_on) == []
    add_record(enterprise, "penalty", days_ago=0, scope="other", severity="ordinary", decision_no="鲁市监罚〔2026〕9号")
    [review] = services.revocation_reviews_reconcile(today=entry.published_on)
    assert review.findings["new_srl9_unmet"] == ["SRL-9.2"] and review.findings["grade_to"] == "A"


def test_a_deadline_reaching_a_year_without_an_official_schedule_is_an_error_naming_the_year(
        people, province_list, clock):
    from qcredit.workdays.models import HolidayYear

    last_loaded = HolidayYear.objects.order_by("-year").values_list("year", flat=True).first()
    clock.set(date(last_loaded, 12, 1))
    enterprise = subject()
    publish(people, province_list, enterprise)
    clock.set(date(last_loaded, 12, 29))  # five working days later is in the next, unloaded year
    failed_sampling(enterprise)
    with pytest.raises(MissingHolidayYear) as info:
        services.revocation_reviews_reconcile(today=clock.today)
    assert info.value.year == last_loaded + 1 and str(last_loaded + 1) in info.value.message
    assert not RevocationReview.objects.exists()
