"""The early-warning risk score (SPEC §9, QCO 四(三)) on constructed inputs: every part of the
documented formula, its caps and edges, the bands at their thresholds, the rating table with
unknown ratings neutral, the dated parameters, and the queue's order. Pure Python, no database."""

from __future__ import annotations

from datetime import date

import pytest

from qcredit.rules.dates import add_years
from qcredit.rules.evaluate import RecordData
from qcredit.rules.parameters import ParameterError
from qcredit.rules.ruleset import SHANDONG_2018
from qcredit.supervision import risk
from qcredit.supervision.risk import AdverseCriterion as C
from qcredit.supervision.risk import ExternalRating as R
from qcredit.supervision.risk import RiskInputs

DAY = date(2026, 6, 15)
V = risk.parameters_on(DAY)


def score(**kwargs) -> risk.RiskScore:
    return risk.risk_score(RiskInputs(uscc=kwargs.pop("uscc", "X"), **kwargs), V)


def test_the_weights_follow_the_distance_to_a_d_criterion_and_every_parameter_names_its_source():
    weights = V["risk_criterion_weights"]
    # One more record of the same kind, or a deadline passing, makes D: the heaviest C weights.
    assert weights["QCO-C1"] == weights["QCO-C2"] == max(weights[f"QCO-C{i}"] for i in range(9))
    assert weights["QCO-C3"] == weights["QCO-C8"] == min(weights[f"QCO-C{i}"] for i in range(9))
    assert all(weights[f"QCO-D{i}"] > weights["QCO-C2"] for i in range(9))
    assert {c.id for c in SHANDONG_2018.criteria if c.tier in "CD"} <= set(weights)
    for name, parameter in risk.PARAMETERS.parameters.items():
        assert parameter.reference.strip(), name
        assert parameter.label.strip(), name


def test_parameters_are_dated_and_none_is_in_force_before_the_rule_set():
    with pytest.raises(ParameterError):
        risk.parameters_on(date(2018, 4, 30))
    assert risk.parameters_on(date(2018, 5, 1)) == V


def test_no_adverse_fact_scores_zero_and_is_low():
    s = score()
    assert s.score == 0 and s.band == risk.LOW and s.band_label == "低"
    assert [p.points for p in s.parts] == [0, 0, 0, 0, 0]


def test_the_criteria_part_is_the_sum_of_the_weights_and_an_unknown_criterion_takes_the_default():
    weights = V["risk_criterion_weights"]
    s = score(adverse=(C("QCO-C2"), C("QCO-C5"), C("QCO-C9-NEW")), current_records=3)
    expected = weights["QCO-C2"] + weights["QCO-C5"] + V["risk_criterion_default_weight"]
    assert s.part("criteria").points == expected == s.score
    assert "QCO-C9-NEW" in s.part("criteria").detail


def test_more_records_than_criteria_add_points_up_to_the_cap():
    per, cap = V["risk_more_record_points"], V["risk_more_record_cap"]
    one = (C("QCO-C2", 1),)
    assert score(adverse=one, current_records=1).part("more_records").points == 0
    assert score(adverse=one, current_records=2).part("more_records").points == per
    assert score(adverse=one, current_records=1 + cap).part("more_records").points == per * cap
    assert score(adverse=one, current_records=1 + cap + 5).part("more_records").points == per * cap
    # Fewer distinct records than criteria (one record behind two criteria) never goes negative.
    assert score(adverse=(C("QCO-C2"), C("QCO-C0")), current_records=1).part("more_records").points == 0


def test_earlier_adverse_records_add_points_up_to_the_cap():
    per, cap = V["risk_prior_record_points"], V["risk_prior_record_cap"]
    assert score(prior_records=0).part("prior_records").points == 0
    assert score(prior_records=1).part("prior_records").points == per
    assert score(prior_records=cap).part("prior_records").points == per * cap
    assert score(prior_records=cap + 7).part("prior_records").points == per * cap


def test_the_drop_that_made_it_c_is_not_counted_again_repeated_drops_are_up_to_the_cap():
    per, cap = V["risk_grade_drop_points"], V["risk_grade_drop_cap"]
    assert score(grade_drops=0).part("grade_drops").points == 0
    assert score(grade_drops=1).part("grade_drops").points == 0
    assert score(grade_drops=2).part("grade_drops").points == per
    assert score(grade_drops=1 + cap + 3).part("grade_drops").points == per * cap


def test_grade_drops_count_moves_down_the_scale_only():
    assert risk.grade_drops([("A", "B"), ("B", "C"), ("C", "B"), ("B", "C")]) == 3
    assert risk.grade_drops([("", "C"), ("N", "C"), ("C", "N"), ("D", "C"), ("C", "D")]) == 1
    assert risk.grade_drops([]) == 0


@pytest.mark.parametrize(("provider", "rating", "cls"), [
    ("tax", "D级纳税人", risk.SEVERE), ("tax", "D", risk.SEVERE), ("tax", " c 级 ", risk.POOR),
    ("tax", "A级纳税人", risk.NEUTRAL), ("tax", "M级纳税人", risk.NEUTRAL),
    ("bank", "BB+", risk.POOR), ("bank", "ｃｃｃ", risk.SEVERE), ("bank", "AAA", risk.NEUTRAL),
    ("customs", "失信企业", risk.SEVERE), ("customs", "高级认证企业", risk.NEUTRAL),
    ("market", "列入经营异常名录", risk.POOR), ("market", "严重违法失信", risk.SEVERE), ("market", "守信", risk.NEUTRAL),
    ("tax", "Z级", None), ("bank", "", None), ("customs", "D", None), ("unknown-provider", "D", None),
])
def test_ratings_are_read_per_provider_and_unknown_ones_are_unrecognised(provider, rating, cls):
    assert risk.rating_class(provider, rating, V["risk_external_ratings"]) == cls


def test_poor_and_severe_external_ratings_add_points_and_unknown_ones_are_neutral_and_said_so():
    poor, severe = V["risk_external_poor_points"], V["risk_external_severe_points"]
    s = score(external=(R("tax", "D级纳税人"), R("bank", "BB"), R("market", "良好（自评）"), R("customs", "高级认证企业")))
    part = s.part("external")
    assert part.points == poor + severe == s.score
    assert "未识别（按中性处理）" in part.detail and "严重失信" in part.detail and "较差" in part.detail
    assert score(external=(R("market", "良好（自评）"),)).score == 0


def test_the_newest_rating_of_each_provider_counts():
    ratings = [R("tax", "D", date(2025, 1, 1)), R("tax", "A", date(2026, 1, 1)), R("bank", "C", date(2024, 5, 1))]
    newest = risk.newest_per_provider(ratings)
    assert newest == (R("bank", "C", date(2024, 5, 1)), R("tax", "A", date(2026, 1, 1)))


@pytest.mark.parametrize("delta", [-1, 0])
def test_bands_change_exactly_at_the_thresholds(delta):
    thresholds = V["risk_band_thresholds"]
    assert risk.band_of(thresholds["medium"] + delta, thresholds) == (risk.MEDIUM if delta == 0 else risk.LOW)
    assert risk.band_of(thresholds["high"] + delta, thresholds) == (risk.HIGH if delta == 0 else risk.MEDIUM)


def test_the_score_is_capped_at_100_and_keeps_the_uncapped_sum():
    s = score(adverse=tuple(C(f"QCO-D{i}") for i in range(9)), current_records=20, prior_records=10, grade_drops=9,
              external=(R("tax", "D"), R("bank", "D"), R("customs", "失信企业"), R("market", "严重违法失信")))
    assert s.score == risk.MAX_SCORE and s.band == risk.HIGH
    assert s.uncapped == sum(p.points for p in s.parts) > risk.MAX_SCORE


def test_a_documented_example_adds_up_part_by_part():
    """One failed sampling with a second record, one earlier adverse record, a second drop and a
    D tax rating: 25 + 5 + 10 + 10 + 20 = 70 → 高 (the docs' worked example)."""
    s = score(adverse=(C("QCO-C2", 2),), current_records=2, prior_records=1, grade_drops=2,
              external=(R("tax", "D级纳税人"),))
    assert [p.points for p in s.parts] == [25, 5, 10, 10, 20]
    assert s.score == 70 and s.band_label == "高"
    assert s.as_dict()["parts"][0] == {"key": "criteria", "label": "失信情形", "points": 25, "detail": "QCO-C2（25分）"}


def test_the_queue_order_is_score_then_longest_c_then_uscc():
    a = score(uscc="A", adverse=(C("QCO-C2"),))
    b = score(uscc="B", adverse=(C("QCO-C2"),))
    c = score(uscc="C", adverse=(C("QCO-C2"), C("QCO-C0")))
    rows = [(a, date(2026, 3, 1)), (b, date(2026, 1, 1)), (c, date(2026, 5, 1)), (score(uscc="0"), None)]
    ordered = sorted(rows, key=lambda r: risk.ranking_key(r[0], since=r[1]))
    assert [s.uscc for s, _ in ordered] == ["C", "B", "A", "0"]


def _record(kind: str, **fields) -> RecordData:
    return RecordData(key=1, record_id="R", source="S", kind=kind, date=DAY, **fields)


@pytest.mark.parametrize(("record", "adverse"), [
    (_record("sampling", scope="quality", result="fail", own_fault=False), True),
    (_record("sampling", scope="quality", result="pass"), False),
    (_record("penalty", scope="quality", severity="ordinary"), True),
    (_record("penalty", scope="other", severity="ordinary"), False),  # not C0; not grave (D7)
    (_record("penalty", scope="other", severity="grave"), True),
    (_record("complaint", scope="quality", verified=True, own_fault=True, resolution="timely"), False),
    (_record("complaint", scope="quality", verified=True, own_fault=True, resolution="late"), True),
    (_record("factory_pass_rate", rate=0.99), True),
    (_record("factory_pass_rate", rate=1.0), False),
    (_record("honour", honour_type="credit_aaa", level="provincial"), False),
    (_record("external_credit", provider="tax", rating="D"), False),
    (_record("counterfeit"), True),
])
def test_an_adverse_record_is_one_a_c_or_d_criterion_of_the_rules_would_cite(record, adverse):
    assert risk.is_adverse_record(record, SHANDONG_2018) is adverse


def test_the_windows_of_the_look_back_and_of_the_current_year():
    assert risk.lookback_start(DAY, V) == add_years(DAY, -3)
    assert risk.current_window_start(DAY, 1) == date(2025, 6, 15)
    assert risk.lookback_start(date(2028, 2, 29), V) == date(2025, 2, 28)
