"""Every criterion of QCO 三 and SRL 第八、九条 at the edges of its window (SPEC §4, §5.1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qcredit.rules import evaluate
from qcredit.rules.dates import add_years
from qcredit.rules.ruleset import SHANDONG_2018, RuleSetError, ruleset_for

from .builders import enterprise, record

AS_OF = date(2026, 6, 30)
ONE_YEAR_AGO = date(2025, 6, 30)  # as_of − 1 year: outside the current window (I-1)
THREE_YEARS_AGO = date(2023, 6, 30)
DAY = timedelta(days=1)

# One triggering record per adverse criterion (C/D), as (kind, fields).
TRIGGERS = {
    "QCO-C0": [("penalty", dict(scope="quality", severity="ordinary")),
               ("penalty", dict(scope="metrology", severity="ordinary"))],
    "QCO-C2": [("sampling", dict(scope="quality", result="fail")),
               ("sampling", dict(scope="metrology", result="fail", own_fault=False)),
               ("inspection", dict(scope="quality", result="fail")),
               ("inspection", dict(scope="metrology", result="fail"))],
    "QCO-C3": [("statutory_test", dict(pass_rate=0.95)), ("export_test", dict(pass_rate=0.98)),
               ("factory_pass_rate", dict(rate=0.99))],
    "QCO-C4": [("standard_conduct", dict(finding="below_declared"))],
    "QCO-C5": [("false_claim", dict(harm="none")), ("false_claim", dict(harm="significant"))],
    "QCO-C6": [("complaint", dict(scope="quality", verified=True, own_fault=True, resolution="late")),
               ("complaint", dict(scope="metrology", verified=True, own_fault=True, resolution="unresolved")),
               ("accident", dict(severity="general"))],
    "QCO-C7": [("after_sales", dict(finding="not_fulfilled"))],
    "QCO-C8": [("export_conformity", dict(finding="serious"))],
    "QCO-D0": [("accident", dict(severity="major"))],
    "QCO-D2": [("counterfeit", {})],
    "QCO-D4": [("statutory_test", dict(pass_rate=1.0, serious_nonconformity=True)),
               ("statutory_test", dict(pass_rate=1.0, shipped_uninspected=True))],
    "QCO-D5": [("false_claim", dict(harm="major"))],
    "QCO-D6": [("standard_conduct", dict(finding="not_per_standard")),
               ("standard_conduct", dict(finding="no_standard"))],
    "QCO-D7": [("penalty", dict(scope="quality", severity="grave")), ("penalty", dict(scope="other", severity="grave"))],
    "QCO-D8": [("after_sales", dict(finding="severe_breach"))],
}
CASES = [(cid, kind, fields) for cid, triggers in TRIGGERS.items() for kind, fields in triggers]


def grade(records, as_of=AS_OF, **ent):
    return evaluate(enterprise(**ent), records, as_of)


@pytest.mark.parametrize(("criterion", "kind", "fields"), CASES)
def test_adverse_criterion_holds_inside_the_current_window(criterion, kind, fields):
    for day in (ONE_YEAR_AGO + DAY, AS_OF):
        rec = record(kind, day, **fields)
        ev = grade([rec])
        assert criterion in ev.adverse, (day, ev.adverse)
        assert ev.grade == criterion[4]
        assert rec.key in ev.result(criterion).evidence


@pytest.mark.parametrize(("criterion", "kind", "fields"), CASES)
def test_adverse_criterion_ignores_records_outside_the_window_or_after_as_of(criterion, kind, fields):
    for day in (ONE_YEAR_AGO, AS_OF + DAY):
        ev = grade([record(kind, day, **fields)])
        assert criterion not in ev.adverse
        assert ev.grade in {"A", "B"}


def test_a_clean_record_meets_every_standard_without_evidence():
    ev = grade([])
    assert ev.grade == "A"
    for r in ev.results:
        if r.criterion.tier in {"A", "B"}:
            assert r.holds and r.evidence == ()
        if r.criterion.tier in {"C", "D"}:
            assert r.holds is False


@pytest.mark.parametrize(("kind", "fields"), [
    ("sampling", dict(scope="quality", result="fail")),
    ("inspection", dict(scope="metrology", result="fail")),
    ("penalty", dict(scope="quality", severity="ordinary")),
    ("penalty", dict(scope="metrology", severity="ordinary")),
])
def test_a1_three_year_window(kind, fields):
    # Dated in the 3-year window but before the current one: B, because A1 fails.
    inside = record(kind, THREE_YEARS_AGO + DAY, **fields)
    ev = grade([inside])
    assert (ev.grade, ev.unmet) == ("B", ("QCO-A1",))
    assert inside.key in ev.result("QCO-A1").evidence
    assert grade([record(kind, THREE_YEARS_AGO, **fields)]).grade == "A"


def test_penalty_of_other_scope_does_not_touch_a1_but_grave_is_d7():
    assert grade([record("penalty", AS_OF, scope="other", severity="ordinary")]).grade == "A"
    assert grade([record("penalty", AS_OF, scope="other", severity="grave")]).adverse == ("QCO-D7",)


@pytest.mark.parametrize(("established", "expected", "unmet"), [
    (add_years(AS_OF, -3), "A", ()),
    (add_years(AS_OF, -3) + DAY, "B", ("QCO-A1",)),
    (add_years(AS_OF, -2), "B", ("QCO-A1",)),
    (add_years(AS_OF, -2) + DAY, "N", ("QCO-B1",)),
])
def test_establishment_edges(established, expected, unmet):
    ev = grade([], established_on=established)
    assert (ev.grade, ev.unmet) == (expected, unmet)


@pytest.mark.parametrize(("kind", "fields", "unmet"), [
    ("complaint", dict(scope="quality", verified=True, own_fault=True, resolution="timely"), "QCO-A5"),
    ("export_conformity", dict(finding="nonconformity"), "QCO-A8"),
])
def test_b_grade_findings(kind, fields, unmet):
    ev = grade([record(kind, AS_OF, **fields)])
    assert (ev.grade, ev.unmet) == ("B", (unmet,))


@pytest.mark.parametrize("fields", [
    dict(scope="quality", verified=False, own_fault=True, resolution="late"),
    dict(scope="quality", verified=True, own_fault=False, resolution="unresolved"),
])
def test_complaints_not_verified_or_not_own_fault_do_not_count(fields):
    assert grade([record("complaint", AS_OF, **fields)]).grade == "A"


def test_two_failed_samplings_in_a_row_make_d4_quality_and_metrology_in_one_sequence():
    first = record("sampling", date(2026, 1, 5), scope="quality", result="fail")
    second = record("sampling", date(2026, 2, 5), scope="metrology", result="fail")
    ev = grade([first, second])
    assert ev.grade == "D" and ev.adverse == ("QCO-C2", "QCO-D4")
    assert set(ev.result("QCO-D4").evidence) == {first.key, second.key}


def test_a_pass_between_two_fails_breaks_the_run():
    recs = [record("sampling", date(2026, 1, 5), scope="quality", result="fail"),
            record("sampling", date(2026, 1, 20), scope="quality", result="pass"),
            record("sampling", date(2026, 2, 5), scope="quality", result="fail")]
    assert grade(recs).adverse == ("QCO-C2",)


def test_same_day_fails_are_ordered_by_id_and_count_as_a_run():
    a = record("sampling", date(2026, 3, 1), scope="quality", result="fail")
    b = record("sampling", date(2026, 3, 1), scope="quality", result="fail")
    assert "QCO-D4" in grade([b, a]).adverse


def test_a_fail_before_the_current_window_does_not_start_a_run():
    old = record("sampling", ONE_YEAR_AGO, scope="quality", result="fail")
    new = record("sampling", AS_OF, scope="quality", result="fail")
    assert grade([old, new]).adverse == ("QCO-C2",)


# --- licences (SPEC §4.1) ------------------------------------------------------------------------


def licence(day, number="XK-1", **kw):
    base = dict(number=number, valid_from=date(2024, 1, 1), valid_to=date(2028, 12, 31), status="valid")
    base.update(kw)
    return record("licence", day, **base)


@pytest.mark.parametrize(("licences", "grade_", "adverse"), [
    ([], "D", ("QCO-D1",)),
    ([licence(date(2024, 1, 1))], "A", ()),
    ([licence(date(2024, 1, 1), valid_to=AS_OF)], "A", ()),
    ([licence(date(2024, 1, 1), valid_to=AS_OF - DAY)], "D", ("QCO-D1",)),
    ([licence(date(2026, 6, 1), valid_from=AS_OF + DAY)], "D", ("QCO-D1",)),
    ([licence(date(2026, 6, 1), status="rectifying", rectify_by=AS_OF)], "C", ("QCO-C1",)),
    ([licence(date(2026, 6, 1), status="rectifying", rectify_by=AS_OF - DAY)], "D", ("QCO-D1", "QCO-D3")),
    ([licence(date(2026, 6, 1), status="rectification_failed")], "D", ("QCO-D1", "QCO-D3")),
    ([licence(date(2026, 6, 1), status="revoked")], "D", ("QCO-D1",)),
    ([licence(date(2026, 6, 1), status="suspended")], "D", ("QCO-D1",)),
    # The newest record per number is its state; a renewal restores a revoked number.
    ([licence(date(2025, 1, 1), status="revoked"), licence(date(2026, 1, 1))], "A", ()),
    ([licence(date(2025, 1, 1)), licence(date(2026, 1, 1), status="revoked")], "D", ("QCO-D1",)),
    # A record dated after as_of is not known yet.
    ([licence(date(2025, 1, 1)), licence(AS_OF + DAY, status="revoked")], "A", ()),
    # Another number still valid: the enterprise holds a valid licence.
    ([licence(date(2025, 1, 1), number="XK-1", status="revoked"), licence(date(2025, 1, 1), number="XK-2")], "A", ()),
])
def test_licence_states(licences, grade_, adverse):
    ev = grade(licences, licence_required=True)
    assert (ev.grade, ev.adverse) == (grade_, adverse)


def test_licence_records_are_not_windowed_and_matter_only_if_required():
    old = licence(date(2015, 1, 1), valid_from=date(2015, 1, 1), valid_to=date(2030, 1, 1))
    assert grade([old], licence_required=True).grade == "A"
    assert grade([], licence_required=False).grade == "A"


def test_rectifying_licence_makes_c1_even_without_licence_required():
    ev = grade([licence(date(2026, 6, 1), status="rectifying", rectify_by=AS_OF)])
    assert ev.adverse == ("QCO-C1",)


def test_d1_cites_the_licences_it_looked_at():
    expired = licence(date(2024, 1, 1), valid_to=date(2025, 1, 1))
    ev = grade([expired], licence_required=True)
    assert ev.result("QCO-D1").evidence == (expired.key,)


# --- deregistered, rule sets, dates ----------------------------------------------------------------


def test_deregistered_enterprise_is_n_and_nothing_is_evaluated():
    ev = grade([record("counterfeit", AS_OF)], status="deregistered")
    assert (ev.grade, ev.adverse, ev.unmet) == ("N", (), ())
    assert all(r.holds is None for r in ev.results)
    assert not ev.redlist.eligible


def test_rule_set_is_chosen_by_as_of():
    assert ruleset_for(date(2018, 5, 1)) is SHANDONG_2018
    with pytest.raises(RuleSetError, match="2018-04-30"):
        ruleset_for(date(2018, 4, 30))


def test_leap_day_as_of_maps_the_window_to_28_february():
    as_of = date(2028, 2, 29)
    out = record("sampling", date(2027, 2, 28), scope="quality", result="fail")
    inside = record("sampling", date(2027, 3, 1), scope="quality", result="fail")
    assert grade([out], as_of=as_of).grade == "B"
    assert grade([inside], as_of=as_of).grade == "C"


def test_calendar_year_basis_is_a_parameter_switch():
    rs = SHANDONG_2018.successor(version="T-cal", effective_from=date(2026, 1, 1),
                                 overrides={"current_window_basis": "calendar"})
    dec = record("sampling", date(2025, 12, 31), scope="quality", result="fail")
    jan = record("sampling", date(2026, 1, 1), scope="quality", result="fail")
    assert evaluate(enterprise(), [dec], AS_OF, rs).grade == "B"
    assert evaluate(enterprise(), [jan], AS_OF, rs).grade == "C"
    # The shipped rolling window counts the December fail.
    assert grade([dec]).grade == "C"


def test_parameters_used_are_reported_per_criterion():
    ev = grade([])
    assert ev.result("QCO-A1").parameters == {"a_min_age": 3, "a_clean_years": 3}
    assert ev.result("QCO-B1").parameters == {"b_min_age": 2, "current_window": 1, "current_window_basis": "rolling"}
    assert ev.result("SRL-9.2").parameters == {"redlist_clean_years": 3}


def test_every_criterion_cites_an_article_and_quotes_the_regulation():
    ids = [c.id for c in SHANDONG_2018.criteria]
    expected = ([f"QCO-A{i}" for i in range(1, 9)] + [f"QCO-B{i}" for i in range(1, 9)]
                + [f"QCO-C{i}" for i in range(0, 9)] + [f"QCO-D{i}" for i in range(0, 9)]
                + [f"SRL-8.{i}" for i in range(1, 7)] + [f"SRL-9.{i}" for i in range(1, 4)])
    assert ids == expected
    for c in SHANDONG_2018.criteria:
        assert c.article.startswith(("QCO 三(", "SRL 第"))
        assert len(c.text) >= 8 and c.check


# --- red list (SPEC §5.1) ---------------------------------------------------------------------------


def honour(day, honour_type="credit_aaa", **kw):
    return record("honour", day, honour_type=honour_type, level=kw.pop("level", "provincial"), **kw)


def test_honour_counts_until_its_valid_to_inclusive():
    assert grade([honour(date(2025, 1, 1), valid_to=AS_OF)]).redlist.qualifying == ("SRL-8.3",)
    assert grade([honour(date(2025, 1, 1), valid_to=AS_OF - DAY)]).redlist.unmet == ("SRL-8",)
    assert grade([honour(AS_OF + DAY)]).redlist.unmet == ("SRL-8",)


def test_other_honour_needs_a_justification():
    assert grade([honour(date(2025, 1, 1), "other", justification="  ")]).redlist.unmet == ("SRL-8",)
    assert grade([honour(date(2025, 1, 1), "other", justification="连续五年零投诉")]).redlist.eligible


@pytest.mark.parametrize(("kind", "fields", "unmet"), [
    ("sampling", dict(scope="quality", result="fail", own_fault=True), "SRL-9.2"),
    ("complaint", dict(scope="quality", verified=True, illegal=True, resolution="timely"), "SRL-9.2"),
    ("penalty", dict(scope="other", severity="ordinary"), "SRL-9.2"),
    ("media_exposure", dict(verified=True, major=True), "SRL-9.3"),
])
def test_red_list_three_year_window(kind, fields, unmet):
    h = honour(date(2020, 1, 1))
    assert unmet in grade([h, record(kind, THREE_YEARS_AGO + DAY, **fields)]).redlist.unmet
    assert grade([h, record(kind, THREE_YEARS_AGO, **fields)]).redlist.eligible


@pytest.mark.parametrize("fields", [dict(verified=False, major=True), dict(verified=True, major=False)])
def test_unverified_or_minor_media_exposure_does_not_count(fields):
    assert grade([honour(date(2020, 1, 1)), record("media_exposure", AS_OF, **fields)]).redlist.eligible


def test_a_sampling_fail_not_of_own_fault_blocks_no_red_list_but_counts_for_qco():
    ev = grade([honour(date(2020, 1, 1)), record("sampling", AS_OF, scope="quality", result="fail", own_fault=False)])
    assert ev.grade == "C"
    assert ev.redlist.unmet == ("SRL-9.1",)  # I-7: a C grade blocks 9.1, not 9.2


def test_red_list_needs_a_valid_licence_when_required():
    h = honour(date(2020, 1, 1))
    assert "SRL-9.1" in grade([h], licence_required=True).redlist.unmet
    assert grade([h, licence(date(2024, 1, 1))], licence_required=True).redlist.eligible
