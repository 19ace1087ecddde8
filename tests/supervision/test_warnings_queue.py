"""The risk inputs read from the archive (SPEC §9): the adverse criteria of the current snapshot,
earlier adverse records of the look-back, repeated grade drops from the grade history and the
newest external rating per provider — each counted exactly as documented, and read in a
constant number of queries whatever the number of C enterprises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qcredit.archive.services import record_withdraw
from qcredit.grading.models import GradeState
from qcredit.rules.dates import add_years
from qcredit.supervision import risk, warnings
from tests.lists.world import World

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def test_each_input_is_read_from_the_archive_as_the_formula_says():
    today = timezone.localdate()
    values = risk.parameters_on(today)
    world = World()
    e = world.enterprise()
    # Drop 1: A → C; back to A; drop 2: A → C again (both inside the look-back).
    first = world.make_c(e)
    record_withdraw(record=first, reason="复检合格，撤销抽查结论", actor=None)
    world.make_c(e)
    world.record(e, "penalty", scope="quality", severity="ordinary", decision_no="鲁市监罚〔2026〕9号")  # C0 too
    # Earlier windows: two adverse records inside the look-back, one outside it, one harmless.
    world.record(e, "sampling", scope="quality", result="fail", date=days_ago(400))
    world.record(e, "complaint", scope="quality", verified=True, own_fault=True, resolution="late", date=days_ago(800))
    world.record(e, "inspection", scope="quality", result="fail",
                 date=(add_years(today, -values["risk_lookback_years"]) - timedelta(days=5)).isoformat())
    world.record(e, "sampling", scope="quality", result="pass", date=days_ago(500))
    # External credit: the newest per provider counts; a rating older than the look-back does not.
    world.record(e, "external_credit", provider="tax", rating="D级纳税人", date=days_ago(300))
    world.record(e, "external_credit", provider="tax", rating="B级纳税人", date=days_ago(30))
    world.record(e, "external_credit", provider="bank", rating="BB", date=days_ago(90))
    world.record(e, "external_credit", provider="customs", rating="失信企业", date=days_ago(365 * 4))

    [row] = warnings.risk_rows(states=GradeState.objects.filter(enterprise=e))
    weights = values["risk_criterion_weights"]
    assert [a.id for a in row.adverse] == ["QCO-C0", "QCO-C2"]
    assert row.score.part("criteria").points == weights["QCO-C0"] + weights["QCO-C2"]
    assert row.score.part("more_records").points == 0  # one record per criterion
    assert row.score.part("prior_records").points == 2 * values["risk_prior_record_points"]
    assert row.score.part("grade_drops").points == values["risk_grade_drop_points"]  # two drops: one repeated
    assert row.score.part("external").points == values["risk_external_poor_points"]  # bank BB; tax now B
    assert {(r.provider, r.rating) for r in row.external} == {("tax", "B级纳税人"), ("bank", "BB")}
    assert row.score.score == sum(p.points for p in row.score.parts)


def test_the_queue_is_read_in_a_constant_number_of_queries():
    world = World()

    def queries_for(n: int) -> int:
        for _ in range(n):
            e = world.enterprise()
            world.make_c(e)
            world.record(e, "external_credit", provider="tax", rating="C级")
        with CaptureQueriesContext(connection) as captured:
            rows = warnings.risk_rows(states=GradeState.objects.filter(grade="C"))
        assert len(rows) == GradeState.objects.filter(grade="C").count()
        return len(captured.captured_queries)

    assert queries_for(2) == queries_for(6)


def test_only_c_enterprises_of_the_readers_jurisdictions_are_in_the_queue():
    from tests.factories import staff

    world = World()
    jinan_c = world.enterprise(region="370102")
    world.make_c(jinan_c)
    qingdao_c = world.enterprise(region="370202")
    world.make_c(qingdao_c)
    jinan_d = world.enterprise(region="370102")
    world.make_d(jinan_d)
    rows = warnings.warning_queue(user=staff("office", "3701"))
    assert [r.enterprise for r in rows] == [jinan_c]
    assert {r.enterprise for r in warnings.warning_queue(user=staff("legal", "37"))} == {jinan_c, qingdao_c}
    from qcredit.accounts.services import AccessDenied

    with pytest.raises(AccessDenied):
        warnings.warning_queue(user=staff("auditor", "37"))


def test_the_adverse_facts_of_the_queue_are_those_of_the_full_explanation_of_the_snapshot():
    """The queue reads only the C/D criteria of each snapshot (fast path); they must be exactly the
    adverse criteria, with the same evidence, as rules.evaluate.evaluation_from_snapshot gives."""
    from qcredit.grading.services import available_rulesets, parse_evidence
    from qcredit.rules.evaluate import evaluation_from_snapshot

    world = World()
    for make in (lambda e: world.make_c(e),
                 lambda e: (world.make_c(e), world.make_c(e),
                            world.record(e, "after_sales", finding="not_fulfilled"),
                            world.record(e, "factory_pass_rate", rate=0.98)),
                 lambda e: world.make_d(e)):
        make(world.enterprise())
    rulesets = {r.version: r for r in available_rulesets()}
    rows = warnings.risk_rows(states=GradeState.objects.filter(grade__in=("C", "D")))
    assert len(rows) == 3
    for row in rows:
        ev = GradeState.objects.select_related("evaluation").get(enterprise=row.enterprise).evaluation
        full = evaluation_from_snapshot(uscc=row.enterprise.uscc, as_of=ev.as_of, ruleset=rulesets[ev.ruleset],
                                        grade=ev.grade, holds_code=ev.holds, evidence=parse_evidence(ev.evidence))
        expected = [(r.criterion.id, tuple(r.evidence)) for r in full.results
                    if r.criterion.tier in ("C", "D") and r.holds]
        assert [(a.id, a.record_keys) for a in row.adverse] == expected
        assert list(full.adverse) == sorted(a.id for a in row.adverse)
