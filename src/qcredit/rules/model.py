"""The vocabulary in which the regulations are written down as code.

A *criterion* (QCO-A1 …, SRL-9.3) is a boolean *condition* over *facts*. A fact is a named
question about one enterprise on the evaluation date — "is there a failed sampling in the
current window?", "is a licence valid?" — answered with a boolean and the records it rests
on. Facts are declarative (which kind, which field values, which window), so that the
same definition is evaluated in Python for one enterprise (:mod:`qcredit.rules.evaluate`)
and compiled to one set-based SQL query for all enterprises (``qcredit.grading.batch``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .dates import add_years

# ---------------------------------------------------------------------------------------
# Conditions on one record's fields


@dataclass(frozen=True)
class Eq:
    field: str
    value: object


@dataclass(frozen=True)
class In:
    field: str
    values: tuple


@dataclass(frozen=True)
class Below:
    """A rate strictly below a bound (a pass rate under 100%)."""

    field: str
    bound: float


@dataclass(frozen=True)
class NonBlank:
    field: str


Condition = Eq | In | Below | NonBlank


def condition_holds(cond: Condition, record) -> bool:
    value = getattr(record, cond.field)
    if isinstance(cond, Eq):
        return value == cond.value
    if isinstance(cond, In):
        return value in cond.values
    if isinstance(cond, Below):
        return value is not None and value < cond.bound
    if isinstance(cond, NonBlank):
        return bool(value and str(value).strip())
    raise TypeError(cond)


@dataclass(frozen=True)
class Match:
    """Records of one kind whose fields satisfy every condition."""

    kind: str
    conditions: tuple[Condition, ...] = ()

    def matches(self, record) -> bool:
        return record.kind == self.kind and all(condition_holds(c, record) for c in self.conditions)


# ---------------------------------------------------------------------------------------
# Windows


@dataclass(frozen=True)
class Window:
    """``after < date <= as_of``; the length is a parameter in years.

    ``basis`` names a parameter that may switch a window to the calendar year (I-1).
    """

    years_parameter: str
    basis_parameter: str | None = None

    def parameters(self) -> tuple[str, ...]:
        return (self.years_parameter,) + ((self.basis_parameter,) if self.basis_parameter else ())

    def after(self, as_of: date, values: dict) -> date:
        years = values[self.years_parameter]
        if self.basis_parameter and values[self.basis_parameter] == "calendar":
            return date(as_of.year - years + 1, 1, 1) - _ONE_DAY
        return add_years(as_of, -years)


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)


# ---------------------------------------------------------------------------------------
# Boolean expressions


class Expr:
    def __and__(self, other: Expr) -> Expr:
        return And((self, other))

    def __or__(self, other: Expr) -> Expr:
        return Or((self, other))

    def __invert__(self) -> Expr:
        return Not(self)

    def facts(self) -> Iterator[Fact]:
        raise NotImplementedError


@dataclass(frozen=True)
class And(Expr):
    parts: tuple[Expr, ...]

    def facts(self):
        for p in self.parts:
            yield from p.facts()


@dataclass(frozen=True)
class Or(Expr):
    parts: tuple[Expr, ...]

    def facts(self):
        for p in self.parts:
            yield from p.facts()


@dataclass(frozen=True)
class Not(Expr):
    part: Expr

    def facts(self):
        yield from self.part.facts()


@dataclass(frozen=True, eq=False)
class Fact(Expr):
    """A named question about an enterprise on the evaluation date. ``name`` is an
    identifier (it names evidence in snapshots and columns in the batch query)."""

    name: str
    label: str

    def facts(self):
        yield self

    def parameters(self) -> tuple[str, ...]:
        return ()

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass(frozen=True, eq=False)
class Attribute(Fact):
    """A boolean field of the enterprise itself (``licence_required`` …)."""

    attribute: str = ""


@dataclass(frozen=True, eq=False)
class EstablishedFor(Fact):
    """``established_on <= as_of − N years``."""

    years_parameter: str = ""

    def parameters(self):
        return (self.years_parameter,)


@dataclass(frozen=True, eq=False)
class Exists(Fact):
    """Some record (``date <= as_of``) matches one of ``matches`` within ``window``."""

    matches: tuple[Match, ...] = ()
    window: Window | None = None

    def parameters(self):
        return self.window.parameters() if self.window else ()


@dataclass(frozen=True, eq=False)
class Consecutive(Fact):
    """Within ``window``, the records of ``kind`` ordered by (date, id, source) contain
    ``run`` matching ``failing`` in a row. Evidence: every record of such a run."""

    kind: str = ""
    failing: tuple[Condition, ...] = ()
    run: int = 2
    window: Window | None = None

    def parameters(self):
        return self.window.parameters() if self.window else ()


# Licence states on as_of (SPEC §4.1)
VALID, EXPIRED, PENDING, RECTIFYING, FAILED, REVOKED, SUSPENDED = (
    "valid", "expired", "pending", "rectifying", "failed", "revoked", "suspended")
LICENCE_STATES = (VALID, EXPIRED, PENDING, RECTIFYING, FAILED, REVOKED, SUSPENDED)


@dataclass(frozen=True, eq=False)
class LicenceIn(Fact):
    """Some licence (by number, its newest record with ``date <= as_of``) is in one of
    ``states`` on ``as_of``. Not windowed (SPEC §4.1)."""

    states: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class HonourIn(Fact):
    """An honour of one of ``types`` in force on ``as_of`` (``date <= as_of`` and no
    ``valid_to`` or ``valid_to >= as_of``), satisfying ``conditions`` (SPEC §5.1)."""

    types: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, eq=False)
class GradeIn(Fact):
    """The QCO grade computed for the same date is one of ``grades`` (used by SRL-9.1)."""

    grades: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------
# Criteria


@dataclass(frozen=True)
class Criterion:
    """One criterion of a regulation.

    ``tier``: A/B (a standard the enterprise must meet: *holds* = 符合), C/D (an adverse
    situation: *holds* = 情形成立), SRL-8 (a qualifying condition), SRL-9 (a mandatory one).
    ``article`` cites the provision, ``text`` quotes its words, ``check`` says in plain
    Chinese what the system tests; ``interpretations`` name the SPEC §10 readings used.
    """

    id: str
    tier: str
    article: str
    text: str
    check: str
    condition: Expr
    interpretations: tuple[str, ...] = ()
    evidence_facts: tuple[Fact, ...] | None = None

    def facts(self) -> tuple[Fact, ...]:
        return tuple(dict.fromkeys(self.condition.facts()))

    def evidence(self) -> tuple[Fact, ...]:
        return self.evidence_facts if self.evidence_facts is not None else self.facts()

    def parameter_names(self) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for f in (*self.facts(), *self.evidence()):
            for p in f.parameters():
                names[p] = None
        return tuple(names)

    @property
    def adverse(self) -> bool:
        return self.tier in {"C", "D"}


@dataclass(frozen=True)
class Interpretation:
    id: str
    text: str
    applies_to: tuple[str, ...] = field(default_factory=tuple)
