"""The draw of a 双随机 plan as a pure function (qcredit.supervision.draw): reproducible from its
seed, exact per-grade counts, uniform choice inside a stratum, inspectors at random, evenly, and
never one with a declared conflict of interest."""

from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist

from hypothesis import given
from hypothesis import strategies as st

from qcredit.supervision.draw import STRATA, draw

RATIOS = {"A": Decimal("0.05"), "B": Decimal("0.10"), "C": Decimal("0.30"), "D": Decimal("0.50"),
          "N": Decimal("0.10")}


def world(sizes: dict[str, int]) -> dict[str, list[int]]:
    ids, start = {}, 1
    for stratum in STRATA:
        ids[stratum] = list(range(start, start + sizes.get(stratum, 0)))
        start += sizes.get(stratum, 0)
    return ids


POOL = [(100 + n, 9) for n in range(8)]
CANDIDATES = world({"A": 40, "B": 120, "C": 17, "D": 6, "N": 9})


def plan(seed: int, *, candidates=CANDIDATES, ratios=RATIOS, pool=POOL, conflicts=(), per: int = 2):
    return draw(seed=seed, candidates=candidates, ratios=ratios, pool=pool, conflicts=conflicts, per_enterprise=per)


def ceil_ratio(ratio: Decimal, size: int) -> int:
    """⌈ratio × size⌉ in exact rational arithmetic (independent of the code under test)."""
    exact = Fraction(str(ratio)) * size
    return min(size, math.ceil(exact))


def chi_square_limit(df: int, p: float = 0.001) -> float:
    """The upper p-quantile of χ²(df) (Wilson–Hilferty)."""
    z = NormalDist().inv_cdf(1 - p)
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    first, again = plan(20261129), plan(20261129)
    assert first.signature() == again.signature()
    # The input order of candidates and pool does not matter: both are sorted first.
    shuffled = {s: list(reversed(ids)) for s, ids in CANDIDATES.items()}
    assert plan(20261129, candidates=shuffled, pool=list(reversed(POOL))).signature() == first.signature()
    others = {tuple(plan(seed).signature()) for seed in range(1, 21)}
    assert len(others) == 20  # twenty seeds, twenty different plans
    assert {i.enterprise_id for i in plan(1).items} != {i.enterprise_id for i in plan(2).items}


def test_each_stratum_draws_exactly_the_ceiling_of_its_ratio_for_every_seed():
    cases = [
        (world({"A": 40, "B": 120, "C": 17, "D": 6, "N": 9}), RATIOS),
        (world({"A": 3, "B": 10, "C": 10, "D": 1, "N": 0}), {"A": "0.05", "B": "0.3", "C": "0.7", "D": "1", "N": "0.5"}),
        (world({"A": 1000, "B": 7, "C": 33, "D": 2, "N": 5}), {"A": "0.0010", "B": "0", "C": "0.3333", "D": "0.5",
                                                              "N": "0.2"}),
    ]
    for candidates, ratios in cases:
        for seed in range(300):
            drawn = Counter(i.stratum for i in plan(seed, candidates=candidates, ratios=ratios).items)
            for stratum in STRATA:
                assert drawn[stratum] == ceil_ratio(Decimal(str(ratios[stratum])), len(candidates[stratum])), \
                    (seed, stratum)


def test_decimal_ratios_are_exact_not_floating_point():
    # 0.3 × 10 is 3 (a float product, 3.0000000000000004, would round up to 4).
    candidates = world({"C": 10})
    assert len(plan(7, candidates=candidates, ratios={"C": Decimal("0.3")}).items) == 3
    assert len(plan(7, candidates=candidates, ratios={"C": Decimal("0.31")}).items) == 4


def test_inside_a_stratum_every_enterprise_is_equally_likely():
    """Over 20,000 fixed seeds, how often each of the 17 C enterprises is drawn (6 of 17 each
    time) fits the uniform expectation. Drawing a fixed number without replacement gives each
    count the variance S·p(1−p) and the counts a covariance that sums to zero, so
    Σ(O−E)² / (E(1−p)) · (n−1)/n follows χ²(n−1); it must stay below its 0.1 % quantile."""
    seeds = range(20000)
    counts = Counter()
    for seed in seeds:
        counts.update(i.enterprise_id for i in plan(seed, per=1).items if i.stratum == "C")
    n, k = len(CANDIDATES["C"]), ceil_ratio(RATIOS["C"], len(CANDIDATES["C"]))
    p = k / n
    expected = len(seeds) * p
    statistic = (sum((counts[e] - expected) ** 2 for e in CANDIDATES["C"]) / (expected * (1 - p))
                 * (n - 1) / n)
    assert set(counts) == set(CANDIDATES["C"])
    assert sum(counts.values()) == len(seeds) * k
    assert statistic < chi_square_limit(n - 1)


def test_a_higher_ratio_draws_c_and_d_more_often_than_a_and_b():
    frequency = {}
    for stratum in STRATA:
        size = len(CANDIDATES[stratum])
        drawn = sum(1 for seed in range(50) for i in plan(seed).items if i.stratum == stratum)
        frequency[stratum] = drawn / (50 * size) if size else 0
    assert frequency["D"] > frequency["C"] > frequency["B"] > frequency["A"]


def test_inspectors_are_distinct_per_enterprise_and_the_work_is_even():
    for seed in range(50):
        result = plan(seed, per=2)
        load = Counter()
        for item in result.items:
            users = [u for u, _ in item.inspectors]
            assert len(users) == 2 and len(set(users)) == 2
            load.update(users)
        assert set(load) == {u for u, _ in POOL}
        assert max(load.values()) - min(load.values()) <= 1


def test_each_inspector_is_equally_likely_for_an_enterprise():
    candidates = world({"D": 1})
    first = Counter()
    for seed in range(2000):
        (item,) = plan(seed, candidates=candidates, ratios={"D": 1}, per=1).items
        first[item.inspectors[0][0]] += 1
    expected = 2000 / len(POOL)
    statistic = sum((first[u] - expected) ** 2 / expected for u, _ in POOL)
    assert statistic < chi_square_limit(len(POOL) - 1)


@given(seed=st.integers(min_value=0, max_value=10**12 - 1),
       barred=st.sets(st.tuples(st.sampled_from([u for u, _ in POOL]), st.integers(min_value=1, max_value=196)),
                      max_size=400),
       per=st.integers(min_value=1, max_value=4))
def test_a_conflicted_inspector_is_never_assigned(seed, barred, per):
    result = plan(seed, conflicts=barred, per=per)
    for item in result.items:
        users = [u for u, _ in item.inspectors]
        assert not any((u, item.enterprise_id) in barred for u in users)
        eligible = [u for u, _ in POOL if (u, item.enterprise_id) not in barred]
        # As many as required, or every eligible one when fewer remain.
        assert len(users) == min(per, len(eligible))
        assert len(set(users)) == len(users)


def test_an_enterprise_every_inspector_must_avoid_is_reported_unassigned():
    candidates = world({"D": 4})
    target = candidates["D"][0]
    conflicts = [(u, target) for u, _ in POOL]
    result = plan(3, candidates=candidates, ratios={"D": 1}, conflicts=conflicts)
    assert [i.enterprise_id for i in result.unassigned] == [target]
    assert all(len(i.inspectors) == 2 for i in result.items if i.enterprise_id != target)
    # Only one inspector left for another enterprise: it gets that one and is reported short.
    second = candidates["D"][1]
    conflicts += [(u, second) for u, _ in POOL[1:]]
    result = plan(3, candidates=candidates, ratios={"D": 1}, conflicts=conflicts)
    assert [(i.enterprise_id, i.inspectors) for i in result.short] == [(second, (POOL[0],))]
