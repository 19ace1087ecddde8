"""``qcredit plans …``: list plans, draw a draft with its recorded seed (as the system, audited
through the channel cli), verify that a drawn plan reproduces."""

from __future__ import annotations

from qcredit.audit.models import AuditEvent
from qcredit.cli import main
from qcredit.supervision import services
from qcredit.supervision.models import InspectionPlan, PlanAssignment

from .test_plans import plan_data


def test_draw_list_and_verify(grades, people, inspectors, capsys):
    grades.many({"A": 2, "C": 2})
    plan = services.plan_create(data=plan_data(), actor=people["jinan-division"])
    assert main(["plans", "draw", str(plan.pk)]) == 0
    out = capsys.readouterr().out
    plan.refresh_from_db()
    assert plan.state == InspectionPlan.State.DRAWN and str(plan.seed) in out and plan.basis_digest in out
    event = AuditEvent.objects.get(action="supervision.plan.draw")
    assert event.actor_name == "系统" and event.client_address == "cli"

    assert main(["plans", "list", "--state", "drawn"]) == 0
    assert plan.name in capsys.readouterr().out
    assert main(["plans", "verify", str(plan.pk)]) == 0
    assert "一致" in capsys.readouterr().out
    assignment = PlanAssignment.objects.filter(item__plan=plan).first()
    other = next(u for u in inspectors if not assignment.item.assignments.filter(inspector=u).exists())
    PlanAssignment.objects.filter(pk=assignment.pk).update(inspector=other)
    assert main(["plans", "verify", str(plan.pk)]) == 1
    assert "不一致" in capsys.readouterr().out


def test_invalid_input_exits_2_with_the_reason(grades, people, capsys):
    assert main(["plans", "draw", "999"]) == 2
    assert "PLAN_ID: 没有编号为 999 的抽查计划" in capsys.readouterr().err
    plan = services.plan_create(data=plan_data(keywords="不存在的产品"), actor=people["jinan-division"])
    assert main(["plans", "draw", str(plan.pk)]) == 2
    assert "抽查范围内没有存续的企业" in capsys.readouterr().err
    assert main(["plans", "verify", str(plan.pk)]) == 2
    assert "尚未抽取" in capsys.readouterr().err
