"""Rule-set versions (SPEC §6): criteria + dated parameters, chosen by ``as_of``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from . import qco, srl
from .model import Criterion, Fact
from .parameters import DEFAULT_PARAMETERS, ParameterTable


class RuleSetError(LookupError):
    pass


@dataclass(frozen=True)
class RuleSet:
    version: str
    effective_from: date
    title: str
    criteria: tuple[Criterion, ...]
    parameters: ParameterTable
    note: str = ""

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise RuleSetError(f"规则版本 {self.version} 中没有指标 {criterion_id}")

    def tier(self, tier: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.tier == tier)

    @property
    def qco(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.tier in {"A", "B", "C", "D"})

    @property
    def srl(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.tier.startswith("SRL"))

    def facts(self) -> tuple[Fact, ...]:
        """Every fact the criteria ask about or cite as evidence, each once, in order."""
        seen: dict[str, Fact] = {}
        for c in self.criteria:
            for fact in (*c.facts(), *c.evidence()):
                seen.setdefault(fact.name, fact)
        return tuple(seen.values())

    def parameter_values(self, as_of: date) -> dict[str, object]:
        return self.parameters.values_at(as_of)

    def successor(self, *, version: str, effective_from: date, overrides: dict[str, object],
                  title: str = "", note: str = "") -> RuleSet:
        """A new version with changed parameter values from ``effective_from`` on."""
        if effective_from <= self.effective_from:
            raise RuleSetError("后续版本的生效日期必须晚于当前版本")
        return RuleSet(version, effective_from, title or self.title, self.criteria,
                       self.parameters.with_values(effective_from, overrides), note or self.note)


SHANDONG_2018 = RuleSet(
    version="SD-2018.1",
    effective_from=date(2018, 5, 1),
    title="企业质量信用等级（QCO 三）与山东省质量信用红名单（SRL 第八、九条）",
    criteria=qco.CRITERIA + srl.CRITERIA,
    parameters=DEFAULT_PARAMETERS,
    note="《山东省质监局质量信用“红名单”管理办法（试行）》有效期至2020年4月30日；新办法发布前继续沿用。",
)

SHIPPED: tuple[RuleSet, ...] = (SHANDONG_2018,)


def ruleset_for(as_of: date, versions: Iterable[RuleSet] = SHIPPED) -> RuleSet:
    """The version in force on ``as_of``: the newest whose ``effective_from <= as_of``."""
    candidates = sorted((v for v in versions if v.effective_from <= as_of), key=lambda v: v.effective_from)
    if not candidates:
        raise RuleSetError(f"{as_of.isoformat()} 没有生效的规则版本（最早的版本自 "
                           f"{min(v.effective_from for v in versions).isoformat()} 起施行）")
    return candidates[-1]
