"""The draw of a 双随机、一公开 plan (SPEC §9), as a pure function of its recorded basis.

Two random choices, both from one ``random.Random(seed)``:

1. **Enterprises** (随机抽取检查对象): per grade stratum, in the fixed order A, B, C, D, N, exactly
   ``ceil(ratio × stratum size)`` enterprises are sampled without replacement from the stratum's
   enterprise ids in ascending order. Exact counts (not a coin per enterprise) make the plan's
   size predictable and the ratio auditable: a stratum of 7 at 30 % gives 3, always.
2. **Inspectors** (随机选派执法检查人员): for each drawn enterprise, in draw order, up to
   ``per_enterprise`` inspectors are chosen from the pool, one at a time, at random among the
   eligible inspectors with the fewest assignments so far (so that the work is spread evenly).
   An inspector with a declared conflict of interest with the enterprise is never eligible
   (回避). When fewer eligible inspectors remain than required, the enterprise gets those there
   are and is reported short; with none it is reported unassigned — never given to a
   conflicted inspector.

The same seed over the same basis (candidates, pool, conflicts, ratios) gives the same plan:
every input is sorted before the generator touches it, and nothing else is random.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

STRATA = ("A", "B", "C", "D", "N")


def stratum_count(ratio: Decimal | str, size: int) -> int:
    """How many of a stratum of ``size`` a ``ratio`` draws: ``ceil(ratio × size)``, in exact
    decimal arithmetic (0.3 × 10 is 3, not 3.0000000000000004 → 4)."""
    ratio = Decimal(str(ratio))
    if not Decimal(0) <= ratio <= Decimal(1):
        raise ValueError(f"ratio {ratio} outside 0..1")
    return min(size, int((ratio * size).to_integral_value(rounding=ROUND_CEILING)))


@dataclass(frozen=True)
class DrawnItem:
    enterprise_id: int
    stratum: str
    draw_order: int  # 1-based, within the stratum
    inspectors: tuple[tuple[int, int], ...]  # (user id, unit id), in the order chosen


@dataclass
class Draw:
    items: list[DrawnItem] = field(default_factory=list)
    required: int = 0  # inspectors per enterprise

    @property
    def unassigned(self) -> list[DrawnItem]:
        return [i for i in self.items if not i.inspectors]

    @property
    def short(self) -> list[DrawnItem]:
        return [i for i in self.items if 0 < len(i.inspectors) < self.required]

    def signature(self) -> list[tuple]:
        """What identifies the plan: each enterprise with its stratum, order and inspectors."""
        return sorted((i.enterprise_id, i.stratum, i.draw_order, tuple(u for u, _ in i.inspectors))
                      for i in self.items)


def draw(*, seed: int, candidates: Mapping[str, Iterable[int]], ratios: Mapping[str, Decimal | str],
         pool: Iterable[tuple[int, int]], conflicts: Iterable[tuple[int, int]], per_enterprise: int) -> Draw:
    """Draw a plan (see the module docstring). ``candidates``: enterprise ids per stratum;
    ``pool``: (user id, unit id) of each inspector; ``conflicts``: (user id, enterprise id)."""
    if per_enterprise < 1:
        raise ValueError("per_enterprise must be at least 1")
    rng = random.Random(seed)
    result = Draw(required=per_enterprise)
    for stratum in STRATA:
        ids = sorted(set(candidates.get(stratum, ())))
        count = stratum_count(ratios.get(stratum, 0), len(ids))
        for order, enterprise_id in enumerate(rng.sample(ids, count), start=1):
            result.items.append(DrawnItem(enterprise_id, stratum, order, ()))
    inspectors = sorted(set((int(u), int(unit)) for u, unit in pool))
    barred = {(int(u), int(e)) for u, e in conflicts}
    load = {u: 0 for u, _ in inspectors}
    assigned: list[DrawnItem] = []
    for item in result.items:
        eligible = [(u, unit) for u, unit in inspectors if (u, item.enterprise_id) not in barred]
        chosen: list[tuple[int, int]] = []
        for _ in range(min(per_enterprise, len(eligible))):
            fewest = min(load[u] for u, _ in eligible)
            pick = rng.choice([p for p in eligible if load[p[0]] == fewest])
            chosen.append(pick)
            eligible.remove(pick)
            load[pick[0]] += 1
        assigned.append(DrawnItem(item.enterprise_id, item.stratum, item.draw_order, tuple(chosen)))
    result.items = assigned
    return result

