"""Inspection plans (双随机、一公开, SPEC §9) through their services: the draw per grade stratum
from a recorded seed and basis, reproducibility, conflicts of interest, results that become
archive records and regrade at once, the lifecycle and who may do what."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from qcredit.accounts.services import AccessDenied
from qcredit.archive.models import Record
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeState
from qcredit.supervision import services
from qcredit.supervision.errors import SupervisionError, SupervisionErrorCode
from qcredit.supervision.models import InspectionPlan, PlanAssignment, PlanItem

from ..lists.world import actions_since, last_seq

RATIOS = {"A": "0.25", "B": "0.34", "C": "0.6", "D": "1", "N": "0"}


def plan_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {"name": "2026年历下区电动自行车产品质量监督抽查", "kind": "sampling", "record_scope": "quality",
            "regions": "370102", "industries": "", "keywords": "", "ratios": RATIOS,
            "inspectors_per_enterprise": 2, "pool": "role", "seed": 20261129,
            "starts_on": today - timedelta(days=20), "ends_on": today + timedelta(days=40)}
    data.update(overrides)
    return data


def ceil_ratio(ratio: str, size: int) -> int:
    return min(size, math.ceil(Fraction(ratio) * size))


def grade_of(enterprise) -> str:
    return GradeState.objects.get(enterprise=enterprise).grade


@pytest.fixture
def archive(grades):
    """Enterprises of every grade in Lixia, and one A in Qingdao (outside every scope below)."""
    made = grades.many({"A": 4, "B": 3, "C": 5, "D": 2})
    made["outside"] = [grades.make("A", region="370202")]
    return made


def drawn(plan) -> list[tuple]:
    """The plan as stored: enterprise, stratum and inspectors in order."""
    return sorted((i.enterprise_id, i.stratum, tuple(a.inspector_id for a in i.assignments.order_by("position")))
                  for i in PlanItem.objects.filter(plan=plan))


def test_a_plan_draws_each_grade_at_its_ratio_from_a_recorded_basis(archive, people, inspectors):
    division = people["jinan-division"]
    plan = services.plan_create(data=plan_data(), actor=division)
    assert plan.state == InspectionPlan.State.DRAFT and plan.unit.code == "jn-division"
    seq = last_seq()
    plan = services.plan_draw(plan=plan, actor=division)
    assert plan.state == InspectionPlan.State.DRAWN
    assert actions_since(seq) == ["supervision.plan.draw"]

    per_stratum = Counter(PlanItem.objects.filter(plan=plan).values_list("stratum", flat=True))
    for grade, ratio in RATIOS.items():
        assert per_stratum[grade] == ceil_ratio(ratio, len(archive.get(grade, ()))), grade
    # The stratum of each item is the grade the enterprise had at the draw; Qingdao is out of scope.
    for item in PlanItem.objects.filter(plan=plan).select_related("enterprise"):
        assert item.stratum == grade_of(item.enterprise) and item.enterprise.region == "370102"
    # The basis is recorded: the candidates per grade, the pool (inspection staff inside 3701:
    # Jinan's institute, its six named inspectors, Lixia's institute), the moment.
    basis = plan.basis
    for grade in "ABCD":
        assert set(basis["candidates"][grade]) == {e.pk for e in archive[grade]}
    pool = {u for u, _ in basis["pool"]}
    assert pool == {people["jinan-inspection"].pk, people["lixia-inspection"].pk, *(u.pk for u in inspectors)}
    assert people["sheng-inspection"].pk not in pool
    assert plan.drawn_at is not None and basis["as_of"] == plan.drawn_at.isoformat()
    # Every drawn enterprise has two distinct inspectors of the pool; the work is even.
    load = Counter(PlanAssignment.objects.filter(item__plan=plan).values_list("inspector_id", flat=True))
    assert all(len(set(ins)) == 2 for _, _, ins in drawn(plan)) and set(load) <= pool
    assert max(load.values()) - min(load.values()) <= 1
    assert services.plan_reproduces(plan)


def test_the_same_seed_over_the_same_archive_gives_the_same_plan(archive, people, inspectors):
    division = people["jinan-division"]
    first = services.plan_draw(plan=services.plan_create(data=plan_data(), actor=division), actor=division)
    second = services.plan_draw(plan=services.plan_create(data=plan_data(name="同一种子"), actor=division),
                                actor=division)
    other = services.plan_draw(plan=services.plan_create(data=plan_data(seed=7), actor=division), actor=division)
    assert drawn(first) == drawn(second)
    assert drawn(first) != drawn(other)
    assert first.basis["candidates"] == second.basis["candidates"]


def test_a_tampered_plan_or_basis_no_longer_reproduces(archive, people, inspectors):
    division = people["jinan-division"]
    plan = services.plan_draw(plan=services.plan_create(data=plan_data(), actor=division), actor=division)
    assert services.plan_reproduces(plan)
    assignment = PlanAssignment.objects.filter(item__plan=plan).first()
    stranger = next(u for u in inspectors if not PlanAssignment.objects.filter(item=assignment.item,
                                                                               inspector=u).exists())
    original = assignment.inspector_id
    PlanAssignment.objects.filter(pk=assignment.pk).update(inspector=stranger)
    assert not services.plan_reproduces(plan)
    PlanAssignment.objects.filter(pk=assignment.pk).update(inspector_id=original)
    assert services.plan_reproduces(plan)
    plan.basis["candidates"]["C"] = plan.basis["candidates"]["C"][1:]
    assert not services.plan_reproduces(plan)  # the digest no longer matches


def test_a_declared_conflict_is_never_assigned_and_a_fully_conflicted_enterprise_is_unassigned(
        grades, people, inspectors):
    division = people["jinan-division"]
    targets = grades.many({"D": 3})["D"]
    pool_unit = inspectors[0].memberships.get().unit  # the Jinan institute: jinan-inspection and the six
    staff = [people["jinan-inspection"], *inspectors]
    # Everybody must avoid the first enterprise; all but one the second.
    for user in staff:
        services.conflict_declare(inspector=user, enterprise=targets[0], reason="近亲属在该企业任职", actor=division)
    for user in staff[1:]:
        services.conflict_declare(inspector=user, enterprise=targets[1], reason="曾在该企业任职", actor=division)
    with pytest.raises(SupervisionError) as twice:
        services.conflict_declare(inspector=staff[0], enterprise=targets[0], reason="重复", actor=division)
    assert twice.value.code == SupervisionErrorCode.DUPLICATE
    for seed in (1, 2, 3):
        plan = services.plan_create(data=plan_data(seed=seed, pool="unit", pool_unit=pool_unit,
                                                   ratios={**RATIOS, "A": 0, "B": 0, "C": 0}), actor=division)
        plan = services.plan_draw(plan=plan, actor=division)
        by_enterprise = {e: ins for e, _, ins in drawn(plan)}
        assert by_enterprise[targets[0].pk] == ()
        assert by_enterprise[targets[1].pk] == (staff[0].pk,)
        assert len(by_enterprise[targets[2].pk]) == 2
        assert sorted(map(tuple, plan.basis["conflicts"])) == sorted(
            [(u.pk, targets[0].pk) for u in staff] + [(u.pk, targets[1].pk) for u in staff[1:]])
    # An ended declaration no longer bars the inspector.
    from qcredit.supervision.models import Conflict

    services.conflict_end(conflict=Conflict.objects.get(inspector=staff[3], enterprise=targets[0]),
                          reason="亲属已离职", actor=division)
    plan = services.plan_draw(plan=services.plan_create(data=plan_data(pool="unit", pool_unit=pool_unit), actor=division),
                              actor=division)
    assert {e: ins for e, _, ins in drawn(plan)}[targets[0].pk] == (staff[3].pk,)


def test_results_become_archive_records_and_regrade_at_once(grades, people, inspectors):
    division = people["jinan-division"]
    made = grades.many({"A": 2, "C": 1})
    plan = services.plan_create(data=plan_data(ratios={"A": 1, "B": 0, "C": 1, "D": 0, "N": 0}), actor=division)
    plan = services.plan_draw(plan=plan, actor=division)
    with pytest.raises(SupervisionError) as early:
        services.plan_result_record(item=plan.items.first(), result="pass", inspected_on=timezone.localdate(),
                                    actor=division)
    assert early.value.code == SupervisionErrorCode.WRONG_STATE  # not yet published
    plan = services.plan_publish(plan=plan, actor=division)
    items = {i.enterprise_id: i for i in plan.items.all()}
    failing, passing, closed_down = made["A"][0], made["A"][1], made["C"][0]
    day = timezone.localdate() - timedelta(days=2)

    seq = last_seq()
    item = services.plan_result_record(item=items[failing.pk], result="fail", inspected_on=day,
                                       findings="标志不合格；产品一致性不符合", ref="济市监抽〔2026〕8号", actor=division)
    assert actions_since(seq) == ["archive.record.add", "supervision.plan.result.record"]
    record = Record.objects.get(pk=item.record_id)
    assert (record.kind, record.result, record.scope, record.own_fault, record.source, record.date) == (
        "sampling", "fail", "quality", True, plan.unit.name, day)
    assert record.ref == "济市监抽〔2026〕8号" and "标志不合格" in record.note and plan.name in record.note
    assert record.enterprise_id == failing.pk and record.recorded_by == division
    assert grade_of(failing) == "C"  # a failed sampling in the current window (QCO 三(三))

    services.plan_result_record(item=items[passing.pk], result="pass", inspected_on=day, actor=division)
    assert grade_of(passing) == "A"
    services.plan_result_record(item=items[closed_down.pk], result="not_inspected", inspected_on=day, actor=division)
    assert PlanItem.objects.get(pk=items[closed_down.pk].pk).record_id is None

    # A fail needs findings; a correction needs a reason; a correction to pass regrades back.
    with pytest.raises(SupervisionError):
        services.plan_result_record(item=items[passing.pk], result="fail", inspected_on=day, actor=division,
                                    reason="复检")
    with pytest.raises(SupervisionError) as no_reason:
        services.plan_result_record(item=items[failing.pk], result="pass", inspected_on=day, actor=division)
    assert no_reason.value.code == SupervisionErrorCode.REASON_REQUIRED
    services.plan_result_record(item=items[failing.pk], result="pass", inspected_on=day, actor=division,
                                reason="复检合格，原判定有误")
    current = Record.objects.current().get(source=plan.unit.name, record_id=record.record_id)
    assert current.version == 2 and current.result == "pass" and grade_of(failing) == "A"
    # An inspected enterprise cannot become 'not inspected' (the archive keeps the fact).
    with pytest.raises(SupervisionError):
        services.plan_result_record(item=items[passing.pk], result="not_inspected", inspected_on=day,
                                    actor=division, reason="误录")

    plan = services.plan_publish_results(plan=plan, actor=division)
    assert plan.state == InspectionPlan.State.RESULTS_RECORDED and plan.results_published_at
    plan = services.plan_close(plan=plan, actor=division)
    assert plan.state == InspectionPlan.State.CLOSED


def test_results_are_published_only_when_every_enterprise_has_one(grades, people, inspectors):
    division = people["jinan-division"]
    grades.many({"C": 2})
    plan = services.plan_draw(plan=services.plan_create(data=plan_data(), actor=division), actor=division)
    plan = services.plan_publish(plan=plan, actor=division)
    first = plan.items.first()
    services.plan_result_record(item=first, result="pass", inspected_on=timezone.localdate(), actor=division)
    with pytest.raises(SupervisionError) as missing:
        services.plan_publish_results(plan=plan, actor=division)
    assert missing.value.code == SupervisionErrorCode.RESULTS_MISSING and "1 户" in missing.value.message


def test_an_inspection_plan_records_inspections_and_a_future_date_is_refused(grades, people, inspectors):
    division = people["jinan-division"]
    enterprise = grades.make("A")
    plan = services.plan_create(data=plan_data(kind="inspection", record_scope="metrology",
                                               ratios={"A": 1, "B": 0, "C": 0, "D": 0, "N": 0}), actor=division)
    plan = services.plan_publish(plan=services.plan_draw(plan=plan, actor=division), actor=division)
    item = plan.items.get(enterprise=enterprise)
    with pytest.raises(SupervisionError):
        services.plan_result_record(item=item, result="pass", inspected_on=timezone.localdate() + timedelta(days=1),
                                    actor=division)
    with pytest.raises(SupervisionError):
        services.plan_result_record(item=item, result="pass", inspected_on=plan.starts_on - timedelta(days=1),
                                    actor=division)
    item = services.plan_result_record(item=item, result="fail", inspected_on=timezone.localdate(),
                                       findings="计量器具未检定", actor=division)
    record = Record.objects.get(pk=item.record_id)
    assert (record.kind, record.scope, record.result, record.own_fault) == ("inspection", "metrology", "fail", None)


def test_who_may_make_draw_and_publish_a_plan(archive, people, inspectors):
    data = plan_data()
    for username in ("jinan-inspection", "jinan-office", "jinan-auditor", "jinan-admin"):
        with pytest.raises(AccessDenied):
            services.plan_create(data=data, actor=people[username])
    with pytest.raises(SupervisionError) as outside:
        services.plan_create(data=plan_data(regions="370202"), actor=people["jinan-division"])
    assert outside.value.code == SupervisionErrorCode.OUT_OF_SCOPE
    plan = services.plan_create(data=data, actor=people["jinan-division"])
    # The plan belongs to Jinan's bureau level: neither the county nor the province draws it.
    for username in ("lixia-division", "sheng-division", "jinan-inspection"):
        with pytest.raises(AccessDenied):
            services.plan_draw(plan=plan, actor=people[username])
    plan = services.plan_draw(plan=plan, actor=people["jinan-division"])
    with pytest.raises(SupervisionError) as final:
        services.plan_update(plan=plan, data=plan_data(seed=1), actor=people["jinan-division"])
    assert final.value.code == SupervisionErrorCode.WRONG_STATE
    with pytest.raises(SupervisionError) as again:
        services.plan_draw(plan=plan, actor=people["jinan-division"])
    assert again.value.code == SupervisionErrorCode.WRONG_STATE
    with pytest.raises(AccessDenied):
        services.plan_publish(plan=plan, actor=people["lixia-division"])
    services.plan_publish(plan=plan, actor=people["jinan-division"])
    with pytest.raises(SupervisionError):
        services.plan_cancel(plan=plan, actor=people["jinan-division"], reason="不再需要")


def test_a_draft_is_edited_and_a_drawn_plan_is_cancelled_with_a_reason(archive, people, inspectors):
    division = people["jinan-division"]
    plan = services.plan_create(data=plan_data(seed=None), actor=division)
    assert 0 <= plan.seed < services.SEED_LIMIT  # chosen by the system and recorded
    plan = services.plan_update(plan=plan, data=plan_data(seed=42, regions="3701", industries="c34 C38",
                                                          keywords="电线，电缆"), actor=division)
    assert (plan.seed, plan.regions, plan.industries, plan.keywords) == (42, ["3701"], ["C34", "C38"], sorted(["电线", "电缆"]))
    plan = services.plan_update(plan=plan, data=plan_data(seed=42), actor=division)
    plan = services.plan_draw(plan=plan, actor=division)
    with pytest.raises(SupervisionError) as no_reason:
        services.plan_cancel(plan=plan, actor=division, reason=" ")
    assert no_reason.value.code == SupervisionErrorCode.REASON_REQUIRED
    plan = services.plan_cancel(plan=plan, actor=division, reason="检查任务调整")
    assert plan.state == InspectionPlan.State.CANCELLED and plan.items.count() > 0  # the draw is kept
    assert AuditEvent.objects.filter(action="supervision.plan.cancel", reason="检查任务调整").exists()


def test_invalid_plans_are_refused_with_the_reason(archive, people, inspectors, units):
    division = people["jinan-division"]
    cases = [
        (plan_data(name=""), "计划名称"),
        (plan_data(ratios={**RATIOS, "C": "1.5"}), "0 到 1"),
        (plan_data(ratios={**RATIOS, "C": "三成"}), "不是数字"),
        (plan_data(regions="37010"), "格式不正确"),
        (plan_data(industries="34"), "格式不正确"),
        (plan_data(inspectors_per_enterprise=9), "每户检查人员数"),
        (plan_data(pool="unit"), "请选择检查人员所在单位"),
        (plan_data(pool="unit", pool_unit=units["sd-inspection"]), "不在"),
        (plan_data(seed=-1), "随机种子"),
        (plan_data(ends_on=timezone.localdate() - timedelta(days=30)), "结束日期"),
    ]
    for data, words in cases:
        with pytest.raises(SupervisionError) as refused:
            services.plan_create(data=data, actor=division)
        assert words in refused.value.message, (data, refused.value.message)
    assert not InspectionPlan.objects.exists()


def test_an_empty_scope_or_pool_is_refused_at_the_draw(archive, people, units):
    division = people["jinan-division"]
    empty = services.plan_create(data=plan_data(keywords="不存在的产品"), actor=division)
    with pytest.raises(SupervisionError) as nothing:
        services.plan_draw(plan=empty, actor=division)
    assert nothing.value.code == SupervisionErrorCode.EMPTY_SCOPE
    # The auditors' unit has no one to send (auditors are read-only).
    nobody = services.plan_create(data=plan_data(pool="unit", pool_unit=units["jn-auditor"]), actor=division)
    with pytest.raises(SupervisionError) as no_pool:
        services.plan_draw(plan=nobody, actor=division)
    assert no_pool.value.code == SupervisionErrorCode.NO_INSPECTORS
    assert InspectionPlan.objects.get(pk=nobody.pk).state == InspectionPlan.State.DRAFT
    assert not PlanItem.objects.exists()


def test_ratios_are_stored_exactly(people, archive):
    plan = services.plan_create(data=plan_data(ratios={**RATIOS, "C": "0.3333"}), actor=people["jinan-division"])
    assert InspectionPlan.objects.get(pk=plan.pk).ratio_c == Decimal("0.3333")
