"""The early-warning risk score of C enterprises (SPEC §9; QCO 四(三) "加强质量失信企业风险分析，
对风险较大的企业进行预警或黄牌警告"). Pure Python, no Django: the supervision service fetches the
inputs of every C enterprise set-based and scores them here, row by row.

The score (0–100) adds five parts, each with its dated parameters in ``risk.yaml``:

- **失信情形** — the weight of each C/D criterion that holds in the enterprise's current snapshot
  (closer to a D criterion weighs more);
- **同期多条记录** — adverse records in the current window beyond one per criterion;
- **既往不良记录** — adverse records of the earlier windows (recurrence): dated after the start of
  the look-back (3 years, QCO 三(一)1) and on or before the start of the current window, judged by
  the rules' own record predicates (:func:`is_adverse_record`);
- **等级反复下降** — grade drops (A > B > C > D) in the look-back beyond the one that made it C;
- **外部信用** — the newest rating of each provider (bank, tax, customs, market) in the look-back:
  poor or severe by the table in ``risk.yaml``, anything else neutral (QCO 四 lead: "参照银行、税务、
  工商、海关等部门反映的企业信用状况"; it never changes the grade, QCO 三(五)).

Bands: 高 / 中 / 低 by two thresholds. Nothing here reads the archive or the database.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qcredit.rules.dates import add_years
from qcredit.rules.model import Exists
from qcredit.rules.parameters import ParameterTable, load
from qcredit.rules.ruleset import RuleSet

PARAMETERS: ParameterTable = load(Path(__file__).with_name("risk.yaml"))

LOW, MEDIUM, HIGH = "low", "medium", "high"
BAND_LABELS = {LOW: "低", MEDIUM: "中", HIGH: "高"}
BAND_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

POOR, SEVERE, NEUTRAL = "poor", "severe", "neutral"
RATING_LABELS = {POOR: "较差", SEVERE: "严重失信", NEUTRAL: "中性"}
PROVIDER_LABELS = {"bank": "银行", "tax": "税务", "market": "市场监管（工商）", "customs": "海关"}

GRADE_RANK = {"A": 0, "B": 1, "C": 2, "D": 3}  # N (未定级) and "" (first grading) are off the scale
MAX_SCORE = 100


def parameters_on(day: date, table: ParameterTable = PARAMETERS) -> dict[str, object]:
    """The risk parameters in force on ``day``."""
    return table.values_at(day)


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdverseCriterion:
    """A C/D criterion that holds in the current snapshot, with the number of its evidence records."""

    id: str
    records: int = 1


@dataclass(frozen=True)
class ExternalRating:
    provider: str  # bank | tax | market | customs
    rating: str  # the provider's own words
    date: date | None = None


@dataclass(frozen=True)
class RiskInputs:
    uscc: str
    adverse: tuple[AdverseCriterion, ...] = ()
    current_records: int = 0  # distinct evidence records of the adverse criteria (current window)
    prior_records: int = 0  # adverse records of the earlier windows in the look-back
    grade_drops: int = 0  # drops in the look-back, the one that made it C included
    external: tuple[ExternalRating, ...] = ()  # the newest rating per provider in the look-back


# --- the score -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskPart:
    key: str
    label: str
    points: int
    detail: str


@dataclass(frozen=True)
class RiskScore:
    uscc: str
    score: int
    band: str
    parts: tuple[RiskPart, ...] = field(default_factory=tuple)
    uncapped: int = 0

    @property
    def band_label(self) -> str:
        return BAND_LABELS[self.band]

    @property
    def summary(self) -> str:
        """The parts that scored, in one line: "失信情形 25；既往不良记录 20"."""
        return "；".join(f"{p.label} {p.points}" for p in self.parts if p.points) or "无风险因素"

    def part(self, key: str) -> RiskPart:
        for p in self.parts:
            if p.key == key:
                return p
        raise KeyError(key)

    def as_dict(self) -> dict:
        """What a warning letter keeps of the score it was issued on."""
        return {"score": self.score, "band": self.band,
                "parts": [{"key": p.key, "label": p.label, "points": p.points, "detail": p.detail}
                          for p in self.parts]}


@functools.lru_cache(maxsize=4096)
def normalise_rating(rating: str) -> str:
    """A rating as the table compares it: NFKC (full-width → half-width), no blanks, upper case,
    without trailing ``+``/``-``, "纳税人" and "级" ("A级纳税人" → "A", "bb+" → "BB")."""
    text = "".join(unicodedata.normalize("NFKC", rating or "").split()).upper()
    text = text.rstrip("+-")
    for suffix in ("纳税人", "级"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return text


def rating_class(provider: str, rating: str, table: Mapping[str, Mapping[str, Iterable[str]]]) -> str | None:
    """poor, severe or neutral by the provider's table; None for a provider or rating the table
    does not list (scored as neutral, shown as unrecognised)."""
    classes = table.get(provider) or {}
    wanted = normalise_rating(rating)
    if not wanted:
        return None
    for cls in (SEVERE, POOR, NEUTRAL):
        if wanted in {normalise_rating(r) for r in classes.get(cls) or ()}:
            return cls
    return None


def band_of(score: int, thresholds: Mapping[str, int]) -> str:
    if score >= thresholds["high"]:
        return HIGH
    if score >= thresholds["medium"]:
        return MEDIUM
    return LOW


def risk_score(inputs: RiskInputs, values: Mapping[str, object]) -> RiskScore:
    """The score of one enterprise under the parameter ``values`` in force (:func:`parameters_on`)."""
    weights: Mapping[str, int] = values["risk_criterion_weights"]
    default_weight = int(values["risk_criterion_default_weight"])

    criteria_points = sum(int(weights.get(c.id, default_weight)) for c in inputs.adverse)
    criteria_detail = "、".join(f"{c.id}（{int(weights.get(c.id, default_weight))}分）" for c in inputs.adverse)

    more = max(0, inputs.current_records - len(inputs.adverse))
    more_counted = min(more, int(values["risk_more_record_cap"]))
    more_points = more_counted * int(values["risk_more_record_points"])

    prior_counted = min(max(0, inputs.prior_records), int(values["risk_prior_record_cap"]))
    prior_points = prior_counted * int(values["risk_prior_record_points"])

    repeated = max(0, inputs.grade_drops - 1)
    drops_counted = min(repeated, int(values["risk_grade_drop_cap"]))
    drop_points = drops_counted * int(values["risk_grade_drop_points"])

    table = values["risk_external_ratings"]
    points_of = {POOR: int(values["risk_external_poor_points"]), SEVERE: int(values["risk_external_severe_points"]),
                 NEUTRAL: 0}
    external_points = 0
    external_detail = []
    for r in sorted(inputs.external, key=lambda r: r.provider):
        cls = rating_class(r.provider, r.rating, table)
        points = points_of[cls or NEUTRAL]
        external_points += points
        label = RATING_LABELS[cls] if cls else "未识别（按中性处理）"
        external_detail.append(f"{PROVIDER_LABELS.get(r.provider, r.provider)}“{r.rating}”{label}（{points}分）")

    parts = (
        RiskPart("criteria", "失信情形", criteria_points, criteria_detail or "无"),
        RiskPart("more_records", "同期多条不良记录", more_points,
                 f"当年不良记录 {inputs.current_records} 条，超出情形数 {more} 条，计 {more_counted} 条"),
        RiskPart("prior_records", "既往不良记录", prior_points,
                 f"回看期内当年以前的不良记录 {inputs.prior_records} 条，计 {prior_counted} 条"),
        RiskPart("grade_drops", "等级反复下降", drop_points,
                 f"回看期内等级下降 {inputs.grade_drops} 次，除本次外计 {drops_counted} 次"),
        RiskPart("external", "外部信用", external_points, "；".join(external_detail) or "无外部信用记录"),
    )
    total = sum(p.points for p in parts)
    score = min(MAX_SCORE, total)
    return RiskScore(inputs.uscc, score, band_of(score, values["risk_band_thresholds"]), parts, total)


def ranking_key(score: RiskScore, *, since: date | None = None) -> tuple:
    """The warning queue's order: highest score first; on a tie the enterprise C for longer
    (earlier ``since``) first, then by USCC — a stable, reproducible order."""
    return (-score.score, since or date.max, score.uscc)


# --- the inputs from archive rows (the service passes plain values) -------------------------------


def lookback_start(today: date, values: Mapping[str, object]) -> date:
    """Records, grade changes and ratings count when dated after this day (the look-back)."""
    return add_years(today, -int(values["risk_lookback_years"]))


def current_window_start(today: date, current_window_years: int) -> date:
    """The current window (当年, SPEC §4) starts after this day; earlier records are "prior"."""
    return add_years(today, -current_window_years)


def adverse_matches(ruleset: RuleSet) -> tuple:
    """The record predicates of every C/D criterion of ``ruleset`` that rests on records of a
    kind (``Exists`` facts): what "an adverse record" means, in the rules' own words."""
    found: dict = {}
    for criterion in ruleset.criteria:
        if criterion.tier not in {"C", "D"}:
            continue
        for fact in criterion.evidence():
            if isinstance(fact, Exists):
                for m in fact.matches:
                    found.setdefault(m, None)
    return tuple(found)


def adverse_kinds(ruleset: RuleSet) -> tuple[str, ...]:
    return tuple(sorted({m.kind for m in adverse_matches(ruleset)}))


def adverse_record_test(ruleset: RuleSet):
    """:func:`is_adverse_record` for many records: the predicates are collected once."""
    matches = adverse_matches(ruleset)

    def is_adverse(record) -> bool:
        return any(m.matches(record) for m in matches)

    return is_adverse


def is_adverse_record(record, ruleset: RuleSet) -> bool:
    """A record (anything with the archive's field names) that would make a C/D criterion hold
    if it were in the current window."""
    return adverse_record_test(ruleset)(record)


def grade_drops(changes: Iterable[tuple[str, str]]) -> int:
    """How many of ``(from_grade, to_grade)`` are drops on A > B > C > D."""
    return sum(1 for old, new in changes
               if old in GRADE_RANK and new in GRADE_RANK and GRADE_RANK[new] > GRADE_RANK[old])


def newest_per_provider(ratings: Iterable[ExternalRating]) -> tuple[ExternalRating, ...]:
    """The newest rating of each provider (by date; the later one on the same date wins)."""
    newest: dict[str, ExternalRating] = {}
    for r in ratings:
        held = newest.get(r.provider)
        if held is None or (r.date or date.min) >= (held.date or date.min):
            newest[r.provider] = r
    return tuple(newest[p] for p in sorted(newest))
