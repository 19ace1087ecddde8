"""Evaluation of one enterprise (SPEC §4, §4.1, §4.2, §5.1).

Pure Python over plain values: the offline CLI feeds it bundle records, the grading
service feeds it database rows. The batch path (``qcredit.grading.batch``) compiles the
same facts to SQL; a property test holds the two to identical results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from .dates import parse_date
from .kinds import BOOL, DATE, KINDS, RECORD_FIELD_NAMES
from .model import (
    EXPIRED,
    FAILED,
    PENDING,
    RECTIFYING,
    REVOKED,
    SUSPENDED,
    VALID,
    And,
    Attribute,
    Consecutive,
    Criterion,
    EstablishedFor,
    Exists,
    Expr,
    Fact,
    GradeIn,
    HonourIn,
    LicenceIn,
    Not,
    Or,
    condition_holds,
)
from .ruleset import RuleSet, ruleset_for
from .srl import NO_QUALIFYING_CONDITION, NOT_A_SUBJECT

GRADES = ("A", "B", "C", "D", "N")


@dataclass(slots=True)
class RecordData:
    """One archive record as the rules see it. ``key`` identifies it in evidence (the
    bundle ``id`` offline, the record version's primary key in the database)."""

    key: object
    record_id: str
    source: str
    kind: str
    date: date
    scope: str | None = None
    result: str | None = None
    own_fault: bool | None = None
    pass_rate: float | None = None
    serious_nonconformity: bool | None = None
    shipped_uninspected: bool | None = None
    rate: float | None = None
    finding: str | None = None
    severity: str | None = None
    decision_no: str | None = None
    verified: bool | None = None
    illegal: bool | None = None
    resolution: str | None = None
    harm: str | None = None
    number: str | None = None
    licence_type: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    status: str | None = None
    rectify_by: date | None = None
    honour_type: str | None = None
    level: str | None = None
    issued_by: str | None = None
    justification: str | None = None
    major: bool | None = None
    provider: str | None = None
    rating: str | None = None

    @classmethod
    def from_bundle(cls, item: Mapping) -> RecordData:
        """From a *validated* bundle record (dates as ISO strings, booleans defaulted here)."""
        kind = KINDS[item["kind"]]
        values: dict = {}
        for f in kind.fields:
            value = item.get(f.name)
            if value is None and f.type == BOOL:
                value = f.default
            elif value is not None and f.type == DATE:
                value = parse_date(value)
            values[f.name] = value
        return cls(key=item["id"], record_id=item["id"], source=item["source"], kind=item["kind"],
                   date=parse_date(item["date"]), **values)


assert {f.name for f in fields(RecordData)} >= set(RECORD_FIELD_NAMES)


@dataclass(frozen=True, slots=True)
class EnterpriseData:
    uscc: str
    established_on: date
    licence_required: bool = False
    mandatory_testing: bool = False
    exporter: bool = False
    status: str = "active"
    name: str = ""
    region: str = ""
    industry: str | None = None

    @classmethod
    def from_bundle(cls, item: Mapping) -> EnterpriseData:
        return cls(uscc=item["uscc"], established_on=parse_date(item["established_on"]),
                   licence_required=bool(item["licence_required"]), mandatory_testing=bool(item["mandatory_testing"]),
                   exporter=bool(item["exporter"]), status=item["status"], name=item["name"],
                   region=item["region"], industry=item.get("industry"))


@dataclass(frozen=True, slots=True)
class FactValue:
    holds: bool
    evidence: tuple = ()


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    holds: bool | None  # None: not evaluated (deregistered)
    evidence: tuple
    parameters: dict[str, object]

    @property
    def id(self) -> str:
        return self.criterion.id


@dataclass(frozen=True)
class RedListResult:
    eligible: bool
    qualifying: tuple[str, ...]
    unmet: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    uscc: str
    as_of: date
    ruleset: RuleSet
    grade: str
    results: tuple[CriterionResult, ...]
    adverse: tuple[str, ...]
    unmet: tuple[str, ...]
    redlist: RedListResult
    facts: dict[str, FactValue] = field(default_factory=dict)

    def result(self, criterion_id: str) -> CriterionResult:
        for r in self.results:
            if r.criterion.id == criterion_id:
                return r
        raise KeyError(criterion_id)

    def holds_code(self) -> str:
        """One character per criterion of the rule set: 1 holds, 0 not, - not evaluated."""
        return "".join("-" if r.holds is None else ("1" if r.holds else "0") for r in self.results)

    def grade_json(self) -> dict:
        """The per-enterprise item of ``qcredit grade --format json`` (SPEC §8)."""
        return {
            "uscc": self.uscc,
            "grade": self.grade,
            "adverse": list(self.adverse),
            "unmet": list(self.unmet),
            "criteria": [
                {"id": r.criterion.id, "holds": r.holds, "article": r.criterion.article,
                 "parameters": r.parameters, "evidence": [str(k) for k in r.evidence]}
                for r in self.results if r.criterion.tier in {"A", "B", "C", "D"}
            ],
        }

    def redlist_json(self) -> dict:
        return {"uscc": self.uscc, "eligible": self.redlist.eligible,
                "qualifying": list(self.redlist.qualifying), "unmet": list(self.redlist.unmet),
                "criteria": [
                    {"id": r.criterion.id, "holds": r.holds, "article": r.criterion.article,
                     "parameters": r.parameters, "evidence": [str(k) for k in r.evidence]}
                    for r in self.results if r.criterion.tier.startswith("SRL")
                ]}


# --- facts ------------------------------------------------------------------------------------


def licence_state(record: RecordData, as_of: date) -> str:
    """The state on ``as_of`` of a licence whose newest record is ``record`` (SPEC §4.1)."""
    status = record.status
    if status == "valid":
        if record.valid_from is not None and as_of < record.valid_from:
            return PENDING
        if record.valid_to is not None and as_of > record.valid_to:
            return EXPIRED
        return VALID
    if status == "rectifying":
        return RECTIFYING if record.rectify_by is None or as_of <= record.rectify_by else FAILED
    if status == "rectification_failed":
        return FAILED
    if status == "revoked":
        return REVOKED
    if status == "suspended":
        return SUSPENDED
    raise ValueError(f"unknown licence status {status!r}")


def order_key(record: RecordData) -> tuple:
    """Archive order: date, then record id, then source (D4 "in a row", newest licence)."""
    return (record.date, record.record_id, record.source)


def _in_window(window, record: RecordData, as_of: date, values: Mapping) -> bool:
    return window is None or record.date > window.after(as_of, values)


def evaluate_fact(fact: Fact, enterprise: EnterpriseData, records: list[RecordData], as_of: date,
                  values: Mapping, grade: str | None = None) -> FactValue:
    """``records`` must be those with ``date <= as_of``, in :func:`order_key` order."""
    if isinstance(fact, Attribute):
        return FactValue(bool(getattr(enterprise, fact.attribute)))
    if isinstance(fact, EstablishedFor):
        from .dates import add_years
        return FactValue(enterprise.established_on <= add_years(as_of, -values[fact.years_parameter]))
    if isinstance(fact, Exists):
        hits = tuple(r.key for r in records
                     if _in_window(fact.window, r, as_of, values) and any(m.matches(r) for m in fact.matches))
        return FactValue(bool(hits), hits)
    if isinstance(fact, Consecutive):
        sequence = [r for r in records if r.kind == fact.kind and _in_window(fact.window, r, as_of, values)]
        hits: list = []
        run: list = []
        for r in (*sequence, None):
            if r is not None and all(condition_holds(c, r) for c in fact.failing):
                run.append(r.key)
                continue
            if len(run) >= fact.run:
                hits.extend(run)
            run = []
        return FactValue(bool(hits), tuple(hits))
    if isinstance(fact, LicenceIn):
        newest: dict[str, RecordData] = {}
        for r in records:
            if r.kind == "licence":
                newest[r.number] = r  # records are in archive order: the last one wins
        hits = tuple(r.key for r in sorted(newest.values(), key=order_key)
                     if licence_state(r, as_of) in fact.states)
        return FactValue(bool(hits), hits)
    if isinstance(fact, HonourIn):
        hits = tuple(r.key for r in records
                     if r.kind == "honour" and r.honour_type in fact.types
                     and (r.valid_to is None or r.valid_to >= as_of)
                     and all(condition_holds(c, r) for c in fact.conditions))
        return FactValue(bool(hits), hits)
    if isinstance(fact, GradeIn):
        if grade is None:
            raise ValueError(f"fact {fact.name} needs the grade")
        return FactValue(grade in fact.grades)
    raise TypeError(f"unknown fact type {type(fact).__name__}")


def truth(expr: Expr, facts: Mapping[str, FactValue]) -> bool:
    if isinstance(expr, Fact):
        return facts[expr.name].holds
    if isinstance(expr, Not):
        return not truth(expr.part, facts)
    if isinstance(expr, And):
        return all(truth(p, facts) for p in expr.parts)
    if isinstance(expr, Or):
        return any(truth(p, facts) for p in expr.parts)
    raise TypeError(expr)


# --- the ladder (SPEC §4) --------------------------------------------------------------------------


def grade_ladder(holds: Mapping[str, bool], ruleset: RuleSet) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(grade, adverse, unmet): D if any D holds; else C if any C; else A if every A; else B
    if every B; else N. ``adverse`` = the C/D criteria that hold (C or D); ``unmet`` = the A
    criteria not met (B) or the B criteria not met (N)."""
    def ids(tier: str, want: bool) -> tuple[str, ...]:
        return tuple(sorted(c.id for c in ruleset.tier(tier) if holds[c.id] is want))

    adverse = tuple(sorted(ids("C", True) + ids("D", True)))
    if ids("D", True):
        return "D", adverse, ()
    if adverse:
        return "C", adverse, ()
    if not ids("A", False):
        return "A", (), ()
    if not ids("B", False):
        return "B", (), ids("A", False)
    return "N", (), ids("B", False)


def evaluate(enterprise: EnterpriseData, records: Iterable[RecordData], as_of: date,
             ruleset: RuleSet | None = None) -> Evaluation:
    """Grade and red-list eligibility of one enterprise as of ``as_of``.

    ``records`` are the current versions (withdrawn and superseded ones already left out);
    records dated after ``as_of`` are ignored here.
    """
    ruleset = ruleset or ruleset_for(as_of)
    values = ruleset.parameter_values(as_of)

    def params_of(c: Criterion) -> dict[str, object]:
        return {name: values[name] for name in c.parameter_names()}

    if enterprise.status != "active":
        results = tuple(CriterionResult(c, None, (), params_of(c)) for c in ruleset.criteria)
        return Evaluation(enterprise.uscc, as_of, ruleset, "N", results, (), (),
                          RedListResult(False, (), (NOT_A_SUBJECT,)))

    known = sorted((r for r in records if r.date <= as_of), key=order_key)
    fact_values: dict[str, FactValue] = {}
    for fact in ruleset.facts():
        if not isinstance(fact, GradeIn):
            fact_values[fact.name] = evaluate_fact(fact, enterprise, known, as_of, values)
    qco_holds = {c.id: truth(c.condition, fact_values) for c in ruleset.qco}
    grade, adverse, unmet = grade_ladder(qco_holds, ruleset)
    for fact in ruleset.facts():
        if isinstance(fact, GradeIn):
            fact_values[fact.name] = evaluate_fact(fact, enterprise, known, as_of, values, grade=grade)

    results = tuple(
        CriterionResult(c, truth(c.condition, fact_values), criterion_evidence(c, fact_values), params_of(c))
        for c in ruleset.criteria
    )
    return Evaluation(enterprise.uscc, as_of, ruleset, grade, results, adverse, unmet,
                      redlist_outcome(results), fact_values)


def criterion_evidence(criterion: Criterion, fact_values: Mapping[str, FactValue]) -> tuple:
    keys: dict = {}
    for fact in criterion.evidence():
        value = fact_values.get(fact.name)
        if value is not None:
            for key in value.evidence:
                keys[key] = None
    return tuple(keys)


def redlist_outcome(results: Iterable[CriterionResult]) -> RedListResult:
    qualifying = tuple(sorted(r.criterion.id for r in results if r.criterion.tier == "SRL-8" and r.holds))
    unmet = [r.criterion.id for r in results if r.criterion.tier == "SRL-9" and not r.holds]
    if not qualifying:
        unmet.append(NO_QUALIFYING_CONDITION)
    unmet_sorted = tuple(sorted(unmet))
    return RedListResult(not unmet_sorted, qualifying, unmet_sorted)


def evaluation_from_snapshot(*, uscc: str, as_of: date, ruleset: RuleSet, grade: str, holds_code: str,
                             evidence: Mapping[str, Iterable]) -> Evaluation:
    """Rebuild a stored snapshot (SPEC §4.2) for display: holds per criterion from the code,
    evidence per criterion from the stored evidence of its facts."""
    if len(holds_code) != len(ruleset.criteria):
        raise ValueError(f"snapshot has {len(holds_code)} criteria, rule set {ruleset.version} has "
                         f"{len(ruleset.criteria)}")
    values = ruleset.parameter_values(as_of)
    fact_values = {name: FactValue(True, tuple(keys)) for name, keys in evidence.items()}
    results = []
    for c, ch in zip(ruleset.criteria, holds_code, strict=True):
        holds = None if ch == "-" else ch == "1"
        results.append(CriterionResult(c, holds, criterion_evidence(c, fact_values) if holds is not None else (),
                                       {n: values[n] for n in c.parameter_names()}))
    results_t = tuple(results)
    if "-" in holds_code:
        return Evaluation(uscc, as_of, ruleset, grade, results_t, (), (),
                          RedListResult(False, (), (NOT_A_SUBJECT,)))
    _, adverse, unmet = grade_ladder({r.criterion.id: r.holds for r in results_t if r.criterion.tier in "ABCD"},
                                     ruleset)
    return Evaluation(uscc, as_of, ruleset, grade, results_t, adverse, unmet, redlist_outcome(results_t))
