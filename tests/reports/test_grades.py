"""Grade distribution and movements: every figure equals a count made here directly from the
archive rows (in Python, one enterprise at a time), and each aggregate is one GROUP BY."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qcredit.archive.models import Enterprise
from qcredit.grading.models import GradeChange, GradeState
from qcredit.reports import selectors
from qcredit.reports.selectors import GRADE_LABELS, GRADES, Scope

ALL = ("A", "B", "C", "D", "N", "")


def grade_now() -> dict[int, str]:
    return dict(GradeState.objects.values_list("enterprise_id", "grade"))


def expected_distribution(key, prefixes=("37",), industry="") -> dict[str, Counter]:
    grades, out = grade_now(), {}
    for e in Enterprise.objects.all():
        if any(e.region.startswith(p) for p in prefixes) and e.industry.startswith(industry):
            out.setdefault(key(e), Counter())[grades.get(e.id, "")] += 1
    return out


def figures(table) -> dict[str, list[int]]:
    return {row[0]: row[1:] for row in table.rows}


def as_row(counter: Counter) -> list[int]:
    cells = [counter[g] for g in ALL]
    return [*cells, sum(cells)]


def test_the_history_has_every_grade(history):
    assert Counter(grade_now().values()) == {"A": 4, "B": 1, "C": 1, "D": 1, "N": 1}


def test_distribution_by_city_for_the_province(history):
    table = selectors.grades_by_area(Scope(("37",)))
    expected = expected_distribution(lambda e: e.region[:4])
    assert table.codes == sorted(expected)
    assert [row[1:] for row in table.rows] == [as_row(expected[c]) for c in table.codes]
    assert table.total[1:] == as_row(sum(expected.values(), Counter()))
    assert table.columns == ["市", *[GRADE_LABELS[g] for g in ALL], "合计"]


def test_distribution_by_county_inside_a_city_and_with_an_industry(history):
    table = selectors.grades_by_area(Scope(("37",), region="3701", industry="C"))
    expected = expected_distribution(lambda e: e.region, prefixes=("3701",), industry="C")
    assert table.codes == sorted(expected) == ["370102", "370112"]
    assert [row[1:] for row in table.rows] == [as_row(expected[c]) for c in table.codes]
    assert table.rows[0][0] == "济南市历下区"


def test_distribution_by_industry_section_and_manufacturing_division(history):
    sections, divisions = selectors.grades_by_industry(Scope(("37",)))
    expected = expected_distribution(lambda e: e.industry[:1])
    assert dict(zip(sections.codes, [r[1:] for r in sections.rows], strict=True)) == {
        k: as_row(v) for k, v in expected.items()}
    assert sections.rows[-1][0] == "未登记行业"  # the enterprise without an industry, last
    manufacturing = expected_distribution(lambda e: e.industry[:3], industry="C")
    assert dict(zip(divisions.codes, [r[1:] for r in divisions.rows], strict=True)) == {
        k: as_row(v) for k, v in manufacturing.items()}


def test_a_jurisdiction_only_counts_its_own_enterprises(history):
    table = selectors.grades_by_area(Scope(("3701",)))
    expected = expected_distribution(lambda e: e.region, prefixes=("3701",))
    assert table.total[-1] == sum(sum(c.values()) for c in expected.values()) == 4
    assert all(code.startswith("3701") for code in table.codes)


@pytest.mark.parametrize("build", [
    lambda: selectors.grades_by_area(Scope(("37",))),
    lambda: selectors.grades_by_industry(Scope(("37",), industry="C")),
])
def test_each_distribution_is_one_query(history, build):
    with CaptureQueriesContext(connection) as ctx:
        build()
    assert len(ctx.captured_queries) == 1
    assert "GROUP BY" in ctx.captured_queries[0]["sql"]


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def test_movements_into_and_out_of_each_grade_per_month(history):
    found = selectors.grade_movements(Scope(("37",)), start=date(2026, 1, 1), end=date(2026, 6, 1), today=history.today)
    table = figures(found.movements)
    assert list(table) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    into, out, first = Counter(), Counter(), Counter()
    for change in GradeChange.objects.all():
        month = month_of(change.as_of)
        into[(month, change.to_grade)] += 1
        if change.from_grade:
            out[(month, change.from_grade)] += 1
        else:
            first[month] += 1
    columns = found.movements.columns
    for month, cells in table.items():
        values = dict(zip(columns[1:], cells, strict=True))
        assert values["首次评定"] == first[month]
        for g in GRADES:
            assert values[f"{g} 转入"] == into[(month, g)], (month, g)
            assert values[f"{g} 转出"] == out[(month, g)], (month, g)
    assert table["2026-02"][0] == 8  # eight first gradings in February
    assert sum(found.down) == 3 and sum(found.up) == 1  # A→C twice, A→D; C→A once


def test_month_end_distribution_equals_the_latest_change_before_each_month_end(history):
    found = selectors.grade_movements(Scope(("37",)), start=date(2026, 1, 1), end=date(2026, 6, 1), today=history.today)
    changes = sorted(GradeChange.objects.all(), key=lambda c: (c.as_of, c.id))
    for row, month in zip(found.month_ends.rows, found.months, strict=True):
        end = min(date(month.year + month.month // 12, month.month % 12 + 1, 1) - timedelta(days=1), history.today)
        latest = {}
        for change in changes:
            if change.as_of <= end:
                latest[change.enterprise_id] = change.to_grade
        counts = Counter(latest.values())
        assert row[1:] == [counts[g] for g in GRADES] + [sum(counts.values())], row[0]
    # and the last month end is the current distribution
    assert found.month_ends.rows[-1][1:-1] == [Counter(grade_now().values())[g] for g in GRADES]


def test_movements_respect_region_and_industry(history):
    found = selectors.grade_movements(Scope(("37",), region="3702", industry="C14"), start=date(2026, 2, 1),
                                      end=date(2026, 6, 1), today=history.today)
    qingdao = {history.enterprises["a2"].id, history.enterprises["d1"].id}
    expected = Counter(month_of(c.as_of) for c in GradeChange.objects.filter(enterprise_id__in=qingdao))
    assert {row[0]: row[-1] for row in found.movements.rows if row[-1]} == dict(expected)


def test_movements_are_two_queries(history):
    with CaptureQueriesContext(connection) as ctx:
        selectors.grade_movements(Scope(("37",)), start=date(2025, 7, 1), end=date(2026, 6, 1), today=history.today)
    assert len(ctx.captured_queries) == 2
