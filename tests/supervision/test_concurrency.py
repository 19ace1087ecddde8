"""Two divisions draw the same plan at the same moment, and a result is entered while the
results are being published (two threads, two PostgreSQL connections): one draw, the other
refused with WRONG_STATE; no result after publication. Fails without the row locks."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.accounts.models import Membership, Role, Unit
from qcredit.audit.models import AuditEvent
from qcredit.supervision import services
from qcredit.supervision.errors import SupervisionError, SupervisionErrorCode
from qcredit.supervision.models import InspectionPlan, PlanItem

from ..lists.world import World
from .conftest import Grades
from .test_plans import plan_data


def run_together(monkeypatch, calls: dict) -> dict:
    """Run each call in its own thread and connection, overlapping: the candidates query
    (inside the locked transaction) waits a little."""
    candidates = services.candidates_by_stratum

    def slow(plan):
        threading.Event().wait(0.3)
        return candidates(plan)

    monkeypatch.setattr(services, "candidates_by_stratum", slow)
    start = threading.Barrier(len(calls))
    outcomes: dict = {}

    def call(name, fn):
        try:
            start.wait()
            outcomes[name] = fn()
        except Exception as exc:  # asserted by the caller
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=item) for item in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_draws_at_once_draw_the_plan_once(monkeypatch):
    ensure_demo_accounts()
    people = {u.username: u for u in get_user_model().objects.all()}
    # A second division officer of Jinan's bureau level.
    other = get_user_model().objects.create_user("jinan-division-2", password="pw-123456")
    Membership.objects.create(user=other, unit=Unit.objects.get(code="jn-division"), role=Role.DIVISION)
    Grades(World()).many({"A": 2, "C": 3})
    plan = services.plan_create(data=plan_data(), actor=people["jinan-division"])
    outcomes = run_together(monkeypatch, {
        "first": lambda: services.plan_draw(plan=plan, actor=people["jinan-division"]),
        "second": lambda: services.plan_draw(plan=plan, actor=other)})
    drawn = [o for o in outcomes.values() if isinstance(o, InspectionPlan)]
    refused = [o for o in outcomes.values() if isinstance(o, SupervisionError)]
    assert len(drawn) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == SupervisionErrorCode.WRONG_STATE
    assert PlanItem.objects.filter(plan=plan).count() == len({i.enterprise_id for i in PlanItem.objects.all()})
    assert AuditEvent.objects.filter(action="supervision.plan.draw").count() == 1
    assert services.plan_reproduces(InspectionPlan.objects.get(pk=plan.pk))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_result_is_entered_after_the_results_were_published(monkeypatch):
    ensure_demo_accounts()
    people = {u.username: u for u in get_user_model().objects.all()}
    Grades(World()).many({"C": 2})
    division = people["jinan-division"]
    plan = services.plan_draw(plan=services.plan_create(data=plan_data(), actor=division), actor=division)
    plan = services.plan_publish(plan=plan, actor=division)
    first, second = plan.items.order_by("pk")
    services.plan_result_record(item=first, result="pass", inspected_on=timezone.localdate(), actor=division)
    services.plan_result_record(item=second, result="pass", inspected_on=timezone.localdate(), actor=division)

    # The publication holds the plan (checked: every result is in) for half a second before it
    # commits; a correction starts in the middle of it.
    audit_write = services.audit_write

    def slow_audit_write(**kwargs):
        if kwargs["action"] == "supervision.plan.publish_results":
            threading.Event().wait(0.5)
        return audit_write(**kwargs)

    monkeypatch.setattr(services, "audit_write", slow_audit_write)
    outcomes: dict = {}

    def publish():
        try:
            outcomes["publish"] = services.plan_publish_results(plan=plan, actor=division)
        except Exception as exc:  # asserted below
            outcomes["publish"] = exc
        finally:
            connection.close()

    def correct():
        threading.Event().wait(0.15)
        try:
            outcomes["correct"] = services.plan_result_record(
                item=second, result="fail", inspected_on=timezone.localdate(), findings="复检不合格", reason="复检",
                actor=division)
        except Exception as exc:  # asserted below
            outcomes["correct"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=publish), threading.Thread(target=correct)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert isinstance(outcomes["publish"], InspectionPlan), outcomes
    assert isinstance(outcomes["correct"], SupervisionError), outcomes
    assert outcomes["correct"].code == SupervisionErrorCode.WRONG_STATE
    assert PlanItem.objects.get(pk=second.pk).result == "pass"  # the published result stands
    assert not AuditEvent.objects.filter(action="supervision.plan.result.correct").exists()
