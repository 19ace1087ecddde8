"""`qcredit demo`: every workflow of the red list, A publication, D re-check and black list,
objections, statements and rule sets in a realistic state, reached through the services by the
demo accounts over a replayed history (qcredit.demo_workflows); a second run adds nothing.

The demo runs once, on a small archive and a pinned date (2026-11-30, a Monday whose year's
holiday schedule is loaded), as a transactional test: the reactions the services schedule on
commit (revocation reviews, re-checks) run as they do in production."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from qcredit.accounts.demo import BUREAUS, FUNCTIONS, demo_username
from qcredit.accounts.models import EnterpriseAccount
from qcredit.archive.models import Enterprise, Record
from qcredit.audit.models import AuditEvent
from qcredit.audit.selectors import audit_chain_verify
from qcredit.demo_setup import run_demo
from qcredit.demo_workflows import StaffCalendar, demo_clock
from qcredit.grading.models import GradeState
from qcredit.lists import selectors as lists_selectors
from qcredit.lists.models import (
    AApplication,
    BlacklistEntry,
    Objection,
    PublishedA,
    Recheck,
    Statement,
    TargetKind,
)
from qcredit.lists.services import a_application_submit
from qcredit.lists.targets import resolve_target
from qcredit.redlist.models import (
    AgendaItem,
    Entry,
    Meeting,
    Nomination,
    RedList,
    RemovalItem,
    RevocationReview,
)
from qcredit.redlist.selectors import public_entries
from qcredit.redlist.services.common import bureau_of
from qcredit.rulesets.models import RuleSetVersion
from qcredit.workdays.calendar import workdays_between

TODAY = date(2026, 11, 30)
ENTERPRISES = 300
WORKFLOW_MODELS = (RedList, Nomination, Meeting, AgendaItem, Entry, RevocationReview, RemovalItem, AApplication,
                   PublishedA, Recheck, BlacklistEntry, Objection, Statement, RuleSetVersion, Record, Enterprise,
                   EnterpriseAccount, AuditEvent)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WORKFLOW_MODELS}


@pytest.mark.django_db(transaction=True)
def test_the_demo_shows_every_workflow_through_the_services_and_a_second_run_adds_nothing(capsys):
    assert run_demo(enterprises=ENTERPRISES, serve=False, today=TODAY) == 0
    out = capsys.readouterr().out
    assert "未能生成" not in out, out  # every step of the story was possible on this archive and date
    assert "系统日志" not in out, out  # no daily step and no reaction failed during the replay
    assert GradeState.objects.count() == ENTERPRISES

    province = RedList.objects.get(owner__code="sd-office")
    jinan = RedList.objects.get(owner__code="jn-office")
    assert jinan.jurisdiction == "3701"  # a city runs its own list (SRL 第十八条)

    red_list_published_entries_are_exactly_what_the_public_sees(province, jinan)
    red_list_archive_and_pending_nominations(province)
    revocation_reviews_one_overdue_one_running(province)
    a_publication_in_every_state()
    the_enterprise_login_can_still_apply()
    black_list_and_re_checks()
    objections_with_receipts_and_statements(province)
    a_previewed_rule_set_draft()
    the_audit_trail_is_one_verified_chain_of_demo_accounts_in_time_order()

    before = counts()
    assert run_demo(enterprises=ENTERPRISES, serve=False, today=TODAY) == 0
    assert "流程演示数据已存在" in capsys.readouterr().out
    assert counts() == before


# --- red list (SRL 第五至十五条) ----------------------------------------------------------------------


def red_list_published_entries_are_exactly_what_the_public_sees(province, jinan):
    for redlist, minimum in ((province, 5), (jinan, 2)):
        published = Entry.objects.filter(redlist=redlist, state=Entry.State.PUBLISHED)
        assert published.count() >= minimum
        public = public_entries(redlist=redlist, on=TODAY)
        assert sorted(e.uscc for e in public) == sorted(published.values_list("uscc", flat=True))
        for entry in published:
            assert entry.published_on < TODAY <= entry.valid_until
            item = AgendaItem.objects.get(nomination=entry.nomination)  # decided at a meeting
            assert item.state == AgendaItem.State.APPROVED and item.minutes_ref and item.leaders.exists()
            assert item.meeting.date <= entry.published_on
            assert entry.nomination.legal_reviewer is not None


def red_list_archive_and_pending_nominations(province):
    expired = Entry.objects.get(redlist=province, state=Entry.State.EXPIRED)
    assert expired.valid_until < expired.exited_on <= TODAY  # 备查: the period ran out
    revoked = Entry.objects.get(redlist=province, state=Entry.State.REVOKED)
    revocation = RevocationReview.objects.get(entry=revoked)
    assert revocation.state == RevocationReview.State.REVOKED and revocation.revoke_proposed
    assert AgendaItem.objects.get(revocation_review=revocation).meeting.kind == Meeting.Kind.EXTRAORDINARY
    archived = {e.uscc for e in (expired, revoked)}
    assert not archived & {e.uscc for e in public_entries(on=TODAY)}

    nominations = Nomination.objects.filter(redlist=province)
    assert nominations.filter(state=Nomination.State.SUBMITTED).exists()  # waiting for the legality review
    returned = nominations.get(state=Nomination.State.REJECTED)
    assert returned.legal_opinion
    assert nominations.filter(state=Nomination.State.DECLINED).exists()
    waiting = nominations.filter(state=Nomination.State.AWAITING_MEETING)
    on_agenda = set(AgendaItem.objects.filter(state=AgendaItem.State.PENDING, nomination__in=waiting)
                    .values_list("nomination_id", flat=True))
    assert on_agenda and set(waiting.values_list("pk", flat=True)) - on_agenda  # one on the agenda, one not yet

    upcoming = Meeting.objects.get(redlist=province, date__gt=TODAY)
    assert upcoming.kind == Meeting.Kind.REGULAR
    assert AgendaItem.objects.filter(meeting=upcoming, state=AgendaItem.State.PENDING).count() == 2
    regular = list(Meeting.objects.filter(redlist=province, kind=Meeting.Kind.REGULAR).order_by("date")
                   .values_list("date", flat=True))
    assert len(regular) == 4 and all(150 <= (b - a).days <= 200 for a, b in itertools.pairwise(regular))


def revocation_reviews_one_overdue_one_running(province):
    running = RevocationReview.objects.filter(entry__redlist=province, state=RevocationReview.State.OPEN)
    overdue = running.get(overdue_flagged_at__isnull=False)
    assert overdue.due_on < TODAY and overdue.findings["new_records"]
    assert overdue.arose_on == overdue.detected_on and workdays_between(overdue.due_on, TODAY) <= 10
    assert workdays_between(overdue.arose_on, overdue.due_on) == 5  # SRL 第十三条
    assert running.filter(overdue_flagged_at__isnull=True, due_on__gte=TODAY).exists()


# --- A publication (SPEC §5.2) -------------------------------------------------------------------------


def a_publication_in_every_state():
    published = PublishedA.objects.filter(state=PublishedA.State.PUBLISHED)
    assert published.count() >= 3
    assert sorted(p.uscc for p in lists_selectors.published_a_public(on=TODAY)) == sorted(
        published.values_list("uscc", flat=True))
    for entry in published:
        assert GradeState.objects.get(enterprise=entry.enterprise).grade == "A"
    tested = published.get(application__inspection_required=True)
    assert tested.application.inspection_favourable and tested.application.inspection_opinion
    assert PublishedA.objects.filter(state=PublishedA.State.EXPIRED, valid_until__lt=TODAY).exists()
    applications = AApplication.objects.all()
    assert applications.filter(state=AApplication.State.AWAITING_EVALUATION).exists()
    assert applications.filter(state=AApplication.State.AWAITING_INSPECTION).exists()
    assert applications.get(state=AApplication.State.REJECTED).evaluation_note


def the_enterprise_login_can_still_apply():
    account = EnterpriseAccount.objects.select_related("user", "enterprise").get(user__username="enterprise")
    assert not AApplication.objects.filter(enterprise=account.enterprise).exists()
    with transaction.atomic():
        application = a_application_submit(enterprise=account.enterprise, actor=account.user)
        assert application.is_open
        transaction.set_rollback(True)


# --- D re-check and black list (SPEC §5.3) ---------------------------------------------------------------


def black_list_and_re_checks():
    exposed = BlacklistEntry.objects.filter(state=BlacklistEntry.State.EXPOSED)
    assert exposed.count() >= 2
    assert sorted(b.uscc for b in lists_selectors.blacklist_public()) == sorted(exposed.values_list("uscc", flat=True))
    for entry in exposed:
        assert entry.recheck.state == Recheck.State.CONFIRMED and entry.facts
        assert GradeState.objects.get(enterprise=entry.enterprise).grade == "D"
        assert entry.owner == bureau_of(entry.recheck.reviewer_unit)  # 认定部门: the confirming bureau
    assert BlacklistEntry.objects.filter(state=BlacklistEntry.State.ENDED).exists()  # left the list, 备查
    assert Recheck.objects.filter(state=Recheck.State.OPEN).exists()
    kept = Recheck.objects.get(state=Recheck.State.NOT_CONFIRMED)
    assert kept.outcome == Recheck.Outcome.KEPT_INTERNAL and kept.archive_changes


# --- objections and statements (SPEC §5.4) -----------------------------------------------------------------


def objections_with_receipts_and_statements(province):
    objections = Objection.objects.all()
    assert objections.count() == 4
    for objection in objections:
        status = lists_selectors.objection_status_public(objection.receipt)
        assert status is not None and status.receipt.startswith(f"YY-{objection.lodged_on.year}-")
    upheld = objections.get(outcome=Objection.Outcome.WELL_FOUNDED)
    assert upheld.answered_on <= upheld.due_on and upheld.target_kind == TargetKind.REDLIST
    removal = RemovalItem.objects.get(pk=upheld.route["done"]["removal_item"])
    assert removal.state == RemovalItem.State.OPEN
    assert AgendaItem.objects.get(removal_item=removal).meeting.date > TODAY
    rejected = objections.get(outcome=Objection.Outcome.UNFOUNDED)
    assert rejected.answered_on <= rejected.due_on
    near = objections.get(state=Objection.State.INVESTIGATING)
    assert 0 <= workdays_between(TODAY, near.due_on) <= 3 and near.overdue_flagged_at is None
    assert objections.filter(state=Objection.State.RECEIVED).exists()

    approved = Statement.objects.get(state=Statement.State.APPROVED)
    assert resolve_target(approved.target_kind, approved.target_id).public  # beside an entry the portal shows
    assert lists_selectors.statement_public(target_kind=approved.target_kind, target_id=approved.target_id) == \
        approved.text
    pending = Statement.objects.get(state=Statement.State.PENDING)
    assert lists_selectors.statement_public(target_kind=pending.target_kind, target_id=pending.target_id) == ""


def a_previewed_rule_set_draft():
    draft = RuleSetVersion.objects.get()
    assert draft.state == RuleSetVersion.State.PREVIEWED and draft.impact
    assert draft.overrides["redlist_clean_years"]["value"] == 5 and draft.effective_from > TODAY


# --- the audit trail (SPEC §7.3) ---------------------------------------------------------------------------


def the_audit_trail_is_one_verified_chain_of_demo_accounts_in_time_order():
    read, _head, broken = audit_chain_verify()
    assert broken is None and read == AuditEvent.objects.count()
    staff = {demo_username(level, role) for level, *_ in BUREAUS for role, *_ in FUNCTIONS}
    enterprises = set(EnterpriseAccount.objects.values_list("user__username", flat=True))
    actors = set(AuditEvent.objects.values_list("actor_name", flat=True))
    assert actors <= staff | enterprises | {"系统"}
    for action, role in (("redlist.nomination.submit", "division"), ("redlist.nomination.legal_review", "legal"),
                         ("redlist.agenda_item.decide", "office"), ("lists.a_application.evaluate", "evaluator"),
                         ("lists.recheck.confirm", "reviewer"), ("lists.statement.moderate", "office")):
        events = AuditEvent.objects.filter(action=action)
        assert events.exists() and set(events.values_list("role", flat=True)) == {role}, action
    times = list(AuditEvent.objects.order_by("seq").values_list("occurred_at", flat=True))
    assert times == sorted(times) and times[-1] <= timezone.now()
    assert timezone.localdate(times[0]) < date(TODAY.year - 1, TODAY.month, 1)  # the history began over a year ago


def test_staff_days_follow_the_official_calendar_and_weekdays_where_a_year_is_missing(db):
    import chinese_calendar

    days = StaffCalendar(TODAY)
    first = days.on_or_after(date(2026, 10, 1))  # after the National Day holidays (a loaded year)
    assert first > date(2026, 10, 1) and chinese_calendar.is_workday(first)
    assert not any(chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, first.day))
    assert days.shift(date(2026, 12, 31), 1) == date(2027, 1, 1)  # 2027 not loaded: Monday–Friday assumed
    assert days.assumed_years == {2027}
    before = timezone.now
    moment = timezone.now().replace(year=2025)
    with demo_clock(moment):
        assert timezone.localdate() == timezone.localdate(moment)
    assert timezone.now is before
