"""SRL 第十三条: the 5 working days to propose a revocation count from the day the obligation
arose — the day the new adverse situation could first be known. A situation resting on several
records is known with the last of them: an older record that only becomes evidence next to a
new one does not date the obligation back to its own day."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from qcredit.redlist.eligibility import violations_since

from .conftest import add_record, subject

pytestmark = pytest.mark.django_db


def result(criterion_id: str, tier: str, holds: bool, evidence=()):
    return SimpleNamespace(criterion=SimpleNamespace(id=criterion_id, tier=tier), holds=holds,
                           evidence=tuple(evidence))


def test_a_situation_is_known_with_its_last_record_and_the_first_known_situation_counts(clock):
    enterprise = subject()
    clock.set(date(2025, 3, 3))
    older = add_record(enterprise, "sampling", scope="quality", result="fail")
    clock.set(date(2025, 9, 1))
    newer = add_record(enterprise, "sampling", scope="quality", result="fail")
    clock.set(date(2025, 9, 15))
    alone = add_record(enterprise, "penalty", scope="quality", severity="ordinary")
    evaluation = SimpleNamespace(adverse=("QCO-D5", "QCO-C4"), grade="D", results=[
        result("QCO-D5", "D", True, [older.pk, newer.pk]),  # needs both failures: known on 1 September
        result("QCO-C4", "C", True, [alone.pk]),  # known on 15 September
        result("QCO-A1", "A", True, []),
    ])
    base = {"grade": "A", "adverse": [], "srl9_unmet": [], "records": []}
    violation = violations_since(base, evaluation)
    assert set(violation.new_records.values()) == {date(2025, 3, 3), date(2025, 9, 1), date(2025, 9, 15)}
    assert violation.first_known_on == date(2025, 9, 1)
    assert violation.arose_on(date(2025, 9, 20), not_before=date(2025, 1, 1)) == date(2025, 9, 1)
    assert violation.arose_on(date(2025, 9, 20), not_before=date(2025, 9, 10)) == date(2025, 9, 10)


def test_records_already_behind_the_baseline_do_not_make_a_situation_new(clock):
    enterprise = subject()
    clock.set(date(2025, 3, 3))
    older = add_record(enterprise, "sampling", scope="quality", result="fail")
    evaluation = SimpleNamespace(adverse=("QCO-C2",), grade="C", results=[result("QCO-C2", "C", True, [older.pk])])
    identity = f"{older.source}/{older.record_id}"
    violation = violations_since({"grade": "C", "adverse": ["QCO-C2"], "records": [identity]}, evaluation)
    assert violation.new_records == {} and violation.first_known_on is None
    assert violation.arose_on(date(2025, 9, 20), not_before=date(2025, 1, 1)) == date(2025, 9, 20)
