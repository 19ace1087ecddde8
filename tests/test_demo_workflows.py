"""`qcredit demo`: every workflow of the red list, A publication, D re-check and black list,
objections, statements and rule sets — and of issue 5: inspection plans, conflicts, early warning,
the partner API and the outbox — in a realistic state, reached through the services by the demo
accounts over a replayed history (qcredit.demo_workflows, qcredit.demo_supervision); a second run
adds nothing.

The demo runs once, on a small archive and a pinned date (2026-11-30, a Monday whose year's
holiday schedule is loaded), as a transactional test: the reactions the services schedule on
commit (revocation reviews, re-checks) run as they do in production."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from qcredit.accounts.demo import BUREAUS, FUNCTIONS, demo_username
from qcredit.accounts.models import EnterpriseAccount
from qcredit.api import tokens
from qcredit.api.models import ApiCall, ApiClient, IntakeBatch
from qcredit.archive.models import Enterprise, Record
from qcredit.audit.models import AuditEvent
from qcredit.audit.selectors import audit_chain_verify
from qcredit.demo_setup import run_demo
from qcredit.demo_supervision import DEMO_CLIENTS, PROVINCE_PLAN_SEED, demo_api_clients, demo_token
from qcredit.demo_workflows import StaffCalendar, demo_clock
from qcredit.exchange.models import DeliveryAttempt, OutboxMessage, Partner, PublicationEvent
from qcredit.grading.models import GradeChange, GradeState
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
from qcredit.supervision.models import Conflict, InspectionPlan, PlanAssignment, PlanItem
from qcredit.supervision.models_warnings import HonourPolicyReview, PreferentialPolicy, WarningLetter
from qcredit.supervision.selectors import public_plan
from qcredit.supervision.services import plan_reproduces
from qcredit.workdays.calendar import workdays_between

TODAY = date(2026, 11, 30)
ENTERPRISES = 300
WORKFLOW_MODELS = (RedList, Nomination, Meeting, AgendaItem, Entry, RevocationReview, RemovalItem, AApplication,
                   PublishedA, Recheck, BlacklistEntry, Objection, Statement, RuleSetVersion, Record, Enterprise,
                   EnterpriseAccount, AuditEvent, InspectionPlan, PlanItem, Conflict, PreferentialPolicy,
                   HonourPolicyReview, WarningLetter, ApiClient, ApiCall, IntakeBatch, PublicationEvent, OutboxMessage,
                   DeliveryAttempt)


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
    inspection_plans_drawn_published_and_answered()
    a_failing_enterprise_warned_and_its_policy_suspended()
    partner_clients_with_the_printed_tokens_an_intake_batch_and_logged_calls(out)
    the_outbox_of_the_enabled_partner_waits_for_an_unreachable_address()
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


# --- supervision by grade (SPEC §9, QCO 四) -------------------------------------------------------------------


def inspection_plans_drawn_published_and_answered():
    plans = InspectionPlan.objects.select_related("unit")
    province = plans.get(state=InspectionPlan.State.RESULTS_RECORDED)
    assert province.unit.jurisdiction == "37" and province.regions == ["3701", "3702"]
    assert province.seed == PROVINCE_PLAN_SEED and plan_reproduces(province)  # the same seed gives the same plan
    items = PlanItem.objects.filter(plan=province).select_related("enterprise", "record")
    assert items.count() >= 2 and not items.filter(result="").exists()
    for item in items:  # every result is an archive record of the plan's kind, dated in the plan's period
        assert item.record.kind == "sampling" and item.record.result == item.result
        assert item.record.record_id == f"PLAN-{province.pk}-{item.enterprise.uscc}"
        assert province.starts_on <= item.inspected_on <= item.result_at.date()
        assert item.enterprise.region[:4] in {"3701", "3702"} and item.enterprise.industry.startswith("C38")
    failed = items.filter(result=PlanItem.Result.FAIL)
    assert failed.exists()
    for item in failed:  # regraded at once: A or B into C when the result was entered
        moves = GradeChange.objects.filter(enterprise=item.enterprise, from_grade__in=("A", "B"), to_grade="C")
        # Compared as instants: on SQLite the grading run writes occurred_at by raw SQL with its +08:00 offset.
        assert item.result_at in {m.occurred_at for m in moves}
    public = public_plan(province.pk)  # published with its results, inspectors named (family name first)
    assert public.results_public and sorted(i.uscc for i in public.items) == sorted(
        items.values_list("enterprise__uscc", flat=True))
    assert all(p.name[0] in "王李张刘陈杨" and len(p.name) in (2, 3) for i in public.items for p in i.inspectors)
    page = Client().get(f"/inspections/{province.pk}/")
    assert page.status_code == 200 and province.name in page.content.decode()

    conflicts = Conflict.objects.filter(ended_at__isnull=True)
    assert conflicts.count() == 3
    drawn = {(c.inspector_id, c.enterprise_id) for c in conflicts} & set(
        PlanItem.objects.values_list("assignments__inspector_id", "enterprise_id"))
    assert not drawn  # 回避: no inspector is ever assigned to an enterprise of a declared conflict
    pooled = [c for c in conflicts if PlanItem.objects.filter(enterprise=c.enterprise).exists()]
    assert len(pooled) == 3  # each conflict concerns a drawn enterprise of a plan drawn from the inspector's unit
    assert PlanAssignment.objects.filter(item__plan=province).values("inspector").distinct().count() >= 2

    jinan = plans.get(state=InspectionPlan.State.PUBLISHED)
    assert jinan.unit.jurisdiction == "3701" and jinan.kind == InspectionPlan.Kind.INSPECTION
    entered = PlanItem.objects.filter(plan=jinan).exclude(result="")
    assert entered.exists() and PlanItem.objects.filter(plan=jinan, result="").exists()  # results in part
    assert public_plan(jinan.pk) is not None and not public_plan(jinan.pk).results_public
    draft = plans.get(state=InspectionPlan.State.DRAFT)
    assert draft.drawn_at is None and public_plan(draft.pk) is None


def a_failing_enterprise_warned_and_its_policy_suspended():
    assert PreferentialPolicy.objects.count() >= 2
    decided = HonourPolicyReview.objects.get(state=HonourPolicyReview.State.DECIDED)
    assert decided.subject_kind == HonourPolicyReview.Subject.POLICY and decided.decision == "suspend"
    assert decided.policy.state == PreferentialPolicy.State.SUSPENDED and decided.decided_by.username == "sheng-division"
    enterprise = decided.enterprise
    item = PlanItem.objects.get(enterprise=enterprise, result=PlanItem.Result.FAIL)
    assert decided.episode.to_grade == "C" and decided.episode.occurred_at == item.result_at  # opened by the fall
    assert HonourPolicyReview.objects.filter(state=HonourPolicyReview.State.OPEN).exists()

    letters = WarningLetter.objects.order_by("issued_at")
    assert letters.count() == 2
    read, unread = letters
    assert read.enterprise == enterprise and read.issued_on > item.result_at.date()
    assert read.received_by.enterprise_account.enterprise == enterprise and read.received_at > read.issued_at
    assert bytes(read.pdf).startswith(b"%PDF") and hashlib.sha256(bytes(read.pdf)).hexdigest() == read.pdf_sha256
    assert read.facts and read.rectify_by < TODAY
    assert unread.received_at is None and unread.enterprise.region.startswith("3701") and unread.rectify_by >= TODAY
    assert AuditEvent.objects.filter(action="supervision.warning_letter.download", object_id=str(read.pk)).exists()


# --- the partner API and the outbox (SPEC §7.2) ---------------------------------------------------------------


def partner_clients_with_the_printed_tokens_an_intake_batch_and_logged_calls(out):
    clients = demo_api_clients()
    assert [(c.code, tuple(c.scope_list)) for c, _ in clients] == [(code, scopes) for code, _, scopes, *_ in DEMO_CLIENTS]
    for client, token in clients:
        assert token == demo_token(client.code) and tokens.matches(token, client.token_hash)
        assert f'curl -H "Authorization: Bearer {token}" http://127.0.0.1:8000/api/v1/' in out
    calls = ApiCall.objects.all()  # the story's calls: an intake batch, public queries, one grade query
    assert {c.status for c in calls} == {200, 201} and calls.filter(path__endswith="/grade/").count() == 1
    assert AuditEvent.objects.filter(kind="access", actor_name="api-rzxy-sd").count() == 1
    batch = IntakeBatch.objects.get()
    assert batch.status == IntakeBatch.Status.ACCEPTED and batch.client.code == "dzjg-sd"
    assert batch.records_created == batch.records > 0 and batch.regraded > 0
    pushed = Record.objects.filter(recorded_via="api:dzjg-sd")
    assert pushed.count() == batch.records and set(pushed.values_list("kind", flat=True)) == {"statutory_test"}

    public_token = demo_token("xyzg-sd")  # the printed token works
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {public_token}").get("/api/v1/redlist/")
    assert answer.status_code == 200 and answer.json()["count"] == len(public_entries(on=TODAY))
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {public_token}").get(
        f"/api/v1/enterprises/{batch_uscc(batch)}/grade/")
    assert refused.status_code == 403  # the public scope never reads a grade


def batch_uscc(batch) -> str:
    return Record.objects.filter(recorded_via=f"api:{batch.client.code}").select_related("enterprise").first() \
        .enterprise.uscc


def the_outbox_of_the_enabled_partner_waits_for_an_unreachable_address():
    enabled = Partner.objects.get(enabled=True)
    assert enabled.code == "creditchina-sd" and enabled.endpoint.startswith("http://127.0.0.1:9/")
    assert not Partner.objects.get(code="gsxt-sd").enabled  # as seeded: no message is made for it
    events = PublicationEvent.objects.all()
    assert events.filter(kind="withdrawn").exists()
    messages = OutboxMessage.objects.all()
    assert sorted(messages.values_list("event_id", flat=True)) == sorted(events.values_list("pk", flat=True))
    assert set(messages.values_list("partner__code", flat=True)) == {"creditchina-sd"}
    assert set(messages.values_list("state", flat=True)) == {OutboxMessage.State.PENDING}  # none lost, none failed
    tried = messages.get(failures__gt=0)  # the first due message, tried on each stop day since
    assert tried.event_id == events.order_by("pk").first().pk and 2 <= tried.failures == tried.attempts < 16
    attempts = DeliveryAttempt.objects.filter(message=tried)
    assert attempts.count() == tried.attempts and {a.outcome for a in attempts} == {DeliveryAttempt.Outcome.RETRY}
    assert not DeliveryAttempt.objects.exclude(message=tried).exists()
    for withdrawal in messages.filter(kind="withdrawn"):  # waits behind its undelivered publication
        assert messages.filter(entry_key=withdrawal.entry_key, kind="published", event_id__lt=withdrawal.event_id).exists()


# --- the audit trail (SPEC §7.3) ---------------------------------------------------------------------------


def the_audit_trail_is_one_verified_chain_of_demo_accounts_in_time_order():
    read, _head, broken = audit_chain_verify()
    assert broken is None and read == AuditEvent.objects.count()
    staff = {demo_username(level, role) for level, *_ in BUREAUS for role, *_ in FUNCTIONS}
    enterprises = set(EnterpriseAccount.objects.values_list("user__username", flat=True))
    partners = set(ApiClient.objects.values_list("user__username", flat=True))
    actors = set(AuditEvent.objects.values_list("actor_name", flat=True))
    assert actors <= staff | enterprises | partners | {"系统"}
    for action, role in (("redlist.nomination.submit", "division"), ("redlist.nomination.legal_review", "legal"),
                         ("redlist.agenda_item.decide", "office"), ("lists.a_application.evaluate", "evaluator"),
                         ("lists.recheck.confirm", "reviewer"), ("lists.statement.moderate", "office"),
                         ("supervision.plan.draw", "division"), ("supervision.conflict.declare", "division"),
                         ("supervision.warning_letter.issue", "division"), ("api.client.create", "admin"),
                         ("exchange.partner.change", "admin")):
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
