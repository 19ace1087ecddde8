"""Properties of the grading rules over random archives (hypothesis)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from qcredit.rules import evaluate

from .builders import enterprise, record
from .strategies import ADVERSE_KINDS, AS_OF, any_record_specs, enterprise_specs, record_specs

# From best to worst. N sits between B and C: an adverse record can turn N into C or D, and
# nothing an enterprise did wrong can turn it into A or B.
RANK = {"A": 4, "B": 3, "N": 2, "C": 1, "D": 0}

archives = st.tuples(enterprise_specs(), st.lists(any_record_specs, max_size=12))


def build(spec, records):
    return enterprise(**spec), [record(kind, day, **fields) for kind, day, fields in records]


@given(archives, st.lists(record_specs(ADVERSE_KINDS), min_size=1, max_size=3))
def test_an_extra_adverse_record_never_improves_a_grade(archive, extra):
    ent, recs = build(*archive)
    _, more = build(archive[0], extra)
    before = evaluate(ent, recs, AS_OF)
    after = evaluate(ent, recs + more, AS_OF)
    assert RANK[after.grade] <= RANK[before.grade]
    assert set(before.adverse) <= set(after.adverse) or after.grade == "N"
    if before.redlist.eligible is False:
        # Adverse records never make an ineligible subject eligible.
        assert after.redlist.eligible is False


@given(archives, st.lists(record_specs(), min_size=1, max_size=4), st.integers(1, 400))
def test_records_dated_after_as_of_never_matter(archive, later, offset):
    ent, recs = build(*archive)
    future = [record(kind, AS_OF + timedelta(days=offset), **fields) for kind, _, fields in later]
    a = evaluate(ent, recs, AS_OF)
    b = evaluate(ent, recs + future, AS_OF)
    assert (a.grade, a.holds_code(), a.adverse, a.unmet, a.redlist) == (
        b.grade, b.holds_code(), b.adverse, b.unmet, b.redlist)
    assert [r.evidence for r in a.results] == [r.evidence for r in b.results]


@given(archives)
def test_record_order_in_the_input_does_not_matter(archive):
    ent, recs = build(*archive)
    a = evaluate(ent, recs, AS_OF)
    b = evaluate(ent, list(reversed(recs)), AS_OF)
    assert (a.grade, a.holds_code()) == (b.grade, b.holds_code())
    assert [sorted(r.evidence) for r in a.results] == [sorted(r.evidence) for r in b.results]


@given(archives)
def test_ladder_is_consistent_with_criteria(archive):
    ev = evaluate(*build(*archive), AS_OF)
    holds = {r.criterion.id: r.holds for r in ev.results}
    if ev.grade == "D":
        assert any(holds[i] for i in holds if i.startswith("QCO-D"))
    if ev.grade in {"A", "B"}:
        assert not any(holds[i] for i in holds if i.startswith(("QCO-C", "QCO-D")))
    if ev.grade == "A":
        assert all(holds[i] for i in holds if i.startswith("QCO-A"))
    if ev.redlist.eligible:
        assert ev.grade not in {"C", "D"}


def test_the_rules_package_imports_no_django():
    code = ("import sys, pkgutil, importlib, qcredit.rules as r\n"
            "for m in pkgutil.walk_packages(r.__path__, 'qcredit.rules.'): importlib.import_module(m.name)\n"
            "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)
