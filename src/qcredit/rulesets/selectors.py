"""Reads of rule-set versions (SPEC §6).

:func:`activated_rulesets` is asked on every grading (``grading.services.ruleset_on``), in
web, CLI and worker processes alike. Each process keeps the chain it built, stamped with
the state of the table (number of active versions, newest id, newest activation time): one
small aggregate per call tells whether another process has activated a version since, and
a rolled-back activation changes the stamp back, so no process ever grades by a version
that is not (or no longer) active in the database it reads.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from qcredit.rules import SHIPPED, RuleSet
from qcredit.rules.parameters import ParameterTable

from .errors import RuleSetVersionError, RuleSetVersionErrorCode
from .models import RuleSetVersion

_lock = threading.Lock()
_cache: tuple[tuple, tuple[RuleSet, ...]] | None = None


def _stamp() -> tuple:
    agg = RuleSetVersion.objects.filter(state=RuleSetVersion.State.ACTIVE).aggregate(
        n=Count("id"), top=Max("id"), last=Max("activated_at"))
    return agg["n"], agg["top"], agg["last"]


def successor_ruleset(predecessor: RuleSet, version: RuleSetVersion) -> RuleSet:
    """The rule set of ``version``: its predecessor's criteria and parameters, with the
    overridden values in force from ``effective_from``, each citing the article given for it."""
    values = {name: o["value"] for name, o in version.overrides.items()}
    ruleset = predecessor.successor(version=version.version, effective_from=version.effective_from,
                                    overrides=values, title=version.title, note=version.note)
    table = dict(ruleset.parameters.parameters)
    for name, o in version.overrides.items():
        table[name] = dataclasses.replace(table[name], reference=o["article"])
    return dataclasses.replace(ruleset, parameters=ParameterTable(table))


def _build_chain(rows: list[RuleSetVersion]) -> tuple[RuleSet, ...]:
    by_predecessor = {row.predecessor: row for row in rows}
    chain: list[RuleSet] = []
    current = SHIPPED[-1]
    while current.version in by_predecessor:
        current = successor_ruleset(current, by_predecessor.pop(current.version))
        chain.append(current)
    if by_predecessor:  # cannot happen through the services (one active successor each)
        raise RuleSetVersionError(RuleSetVersionErrorCode.PREDECESSOR_CHANGED,
                                  "已启用的规则版本不能连成一条版本链："
                                  + "、".join(sorted(r.version for r in by_predecessor.values())))
    return tuple(chain)


def activated_rulesets() -> tuple[RuleSet, ...]:
    """Successor versions activated by an admin, oldest first (none until the first activation)."""
    global _cache
    stamp = _stamp()
    cached = _cache
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        rows = list(RuleSetVersion.objects.filter(state=RuleSetVersion.State.ACTIVE))
        chain = _build_chain(rows)
        _cache = (stamp, chain)
    return chain


def newest_ruleset() -> RuleSet:
    """The newest version of the chain (shipped or activated): a new version succeeds it."""
    return (*SHIPPED, *activated_rulesets())[-1]


def ruleset_version_get(*, version: str) -> RuleSetVersion:
    found = RuleSetVersion.objects.filter(version=version.strip()).first()
    if found is None:
        raise RuleSetVersionError(RuleSetVersionErrorCode.NOT_FOUND, f"没有版本号为 {version} 的规则版本")
    return found


def ruleset_version_list():
    return RuleSetVersion.objects.select_related("created_by", "activated_by").order_by("-effective_from", "-id")


def ruleset_of(version: RuleSetVersion) -> RuleSet:
    """The RuleSet a stored version stands for: an active one as part of the chain, a draft as
    the successor of its predecessor (which must still be in the chain)."""
    chain = (*SHIPPED, *activated_rulesets())
    if version.state == RuleSetVersion.State.ACTIVE:
        for ruleset in chain:
            if ruleset.version == version.version:
                return ruleset
    for ruleset in chain:
        if ruleset.version == version.predecessor:
            return successor_ruleset(ruleset, version)
    raise RuleSetVersionError(RuleSetVersionErrorCode.PREDECESSOR_CHANGED,
                              f"规则版本 {version.version} 的前一版本 {version.predecessor} 不在已启用的版本链中")


@dataclass(frozen=True)
class ParameterChange:
    name: str
    label: str
    unit: str
    previous: object
    value: object
    article: str
    previous_article: str

    def describe(self, value: object) -> str:
        from qcredit.rules.parameters import UNIT_LABELS

        return f"{value}{UNIT_LABELS.get(self.unit, '')}"


def ruleset_version_changes(version: RuleSetVersion) -> list[ParameterChange]:
    """The parameter changes of ``version`` for display: old value and article, new ones."""
    from qcredit.rules.parameters import DEFAULT_PARAMETERS

    out = []
    for name, o in sorted(version.overrides.items()):
        p = DEFAULT_PARAMETERS.parameters.get(name)
        out.append(ParameterChange(name, p.label if p else name, p.unit if p else "", o.get("previous"), o["value"],
                                   o["article"], o.get("previous_article", p.reference if p else "")))
    return out
