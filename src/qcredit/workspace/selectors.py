"""Reads for the staff pages (HackSoft selectors): a bounded number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet

from qcredit.archive.models import Enterprise, Record
from qcredit.grading.models import GradeChange, GradeState, GradingRun
from qcredit.grading.services import available_rulesets, parse_evidence
from qcredit.rules.evaluate import Evaluation, evaluation_from_snapshot
from qcredit.rules.interpretations import INTERPRETATIONS
from qcredit.rules.kinds import BOOL, CHOICE_LABELS, DATE, ENUM, KINDS, RATE
from qcredit.rules.uscc import USCCError, normalize_uscc

GRADE_LABELS = {"A": "A 守信", "B": "B 基本守信", "C": "C 失信", "D": "D 严重失信", "N": "未定级"}
TIER_LABELS = {"A": "守信（A级）标准 — QCO 三(一)", "B": "基本守信（B级）标准 — QCO 三(二)",
               "C": "失信（C级）情形 — QCO 三(三)", "D": "严重失信（D级）情形 — QCO 三(四)",
               "SRL-8": "红名单列入条件 — SRL 第八条", "SRL-9": "红名单基本要求 — SRL 第九条"}


def in_jurisdictions(enterprises: QuerySet[Enterprise], jurisdictions: list[str]) -> QuerySet[Enterprise]:
    """Only the enterprises whose region one of ``jurisdictions`` covers (SPEC §1)."""
    if not jurisdictions:
        return enterprises.none()
    cover = Q()
    for prefix in jurisdictions:
        cover |= Q(region__startswith=prefix)
    return enterprises.filter(cover)


def enterprise_search(*, query: str, jurisdictions: list[str]) -> QuerySet[Enterprise]:
    """By USCC (any case, exact) or by a part of the name, within the staff member's
    jurisdictions (their grades are internal data, SPEC §7.1)."""
    query = (query or "").strip()
    enterprises = in_jurisdictions(Enterprise.objects.select_related("grade_state").order_by("uscc"), jurisdictions)
    if not query:
        return enterprises
    if len(query) == 18:
        try:
            return enterprises.filter(uscc=normalize_uscc(query))
        except USCCError:
            pass
    return enterprises.filter(Q(name__contains=query) | Q(uscc__startswith=query.upper()))


def grade_counts(*, jurisdictions: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(GRADE_LABELS, 0)
    enterprises = in_jurisdictions(Enterprise.objects.all(), jurisdictions)
    for row in GradeState.objects.filter(enterprise__in=enterprises).values("grade").annotate(n=Count("enterprise")):
        counts[row["grade"]] = row["n"]
    counts["total"] = enterprises.count()
    counts["ungraded"] = counts["total"] - sum(counts[g] for g in GRADE_LABELS)
    return counts


@dataclass
class RecordView:
    record: Record
    fields: list[tuple[str, str]]
    corrected: bool = False


@dataclass
class Dossier:
    enterprise: Enterprise
    state: GradeState | None
    evaluation: Evaluation | None
    confirmed_as_of: date | None
    records_by_year: list[tuple[int, list[RecordView]]]
    history: list[RecordView]
    external_credit: list[RecordView]
    changes: list[GradeChange]
    current_keys: set[int] = field(default_factory=set)
    interpretations: dict = field(default_factory=lambda: INTERPRETATIONS)


def _display(value, f) -> str:
    if value is None or value == "":
        return "—"
    if f.type == BOOL:
        return "是" if value else "否"
    if f.type == RATE:
        return f"{value * 100:.2f}%".replace(".00%", "%")
    if f.type == DATE:
        return value.isoformat()
    if f.type == ENUM:
        return CHOICE_LABELS.get(value, value)
    return str(value)


def record_view(record: Record, corrected: bool = False) -> RecordView:
    kind = KINDS[record.kind]
    return RecordView(record, [(f.label, _display(getattr(record, f.name), f)) for f in kind.fields], corrected)


def ruleset_by_version(version: str):
    for ruleset in available_rulesets():
        if ruleset.version == version:
            return ruleset
    return None


def enterprise_dossier(*, uscc: str) -> Dossier | None:
    try:
        uscc = normalize_uscc(uscc)
    except USCCError:
        return None
    enterprise = Enterprise.objects.filter(uscc=uscc).first()
    if enterprise is None:
        return None
    state = GradeState.objects.select_related("evaluation").filter(enterprise=enterprise).first()
    evaluation = None
    if state is not None:
        ruleset = ruleset_by_version(state.evaluation.ruleset)
        if ruleset is not None:
            ev = state.evaluation
            evaluation = evaluation_from_snapshot(uscc=uscc, as_of=ev.as_of, ruleset=ruleset, grade=ev.grade,
                                                  holds_code=ev.holds, evidence=parse_evidence(ev.evidence))
    last_full = GradingRun.objects.filter(kind=GradingRun.Kind.FULL, finished_at__isnull=False).order_by(
        "-as_of").values_list("as_of", flat=True).first()
    confirmed = max(filter(None, [state.as_of if state else None, last_full]), default=None)

    versions = list(Record.objects.filter(enterprise=enterprise).select_related("recorded_by").order_by(
        "-date", "source", "record_id", "-version"))
    corrected_keys = {(v.source, v.record_id) for v in versions if v.version > 1}
    current, history, external = [], [], []
    for v in versions:
        if v.superseded_at is None and not v.withdrawn:
            view = record_view(v, (v.source, v.record_id) in corrected_keys)
            (external if v.kind == "external_credit" else current).append(view)
        else:
            history.append(record_view(v))
    by_year: dict[int, list[RecordView]] = {}
    for view in current:
        by_year.setdefault(view.record.date.year, []).append(view)
    changes = list(GradeChange.objects.filter(enterprise=enterprise).order_by("-occurred_at", "-id")[:50])
    return Dossier(enterprise, state, evaluation, confirmed, sorted(by_year.items(), reverse=True), history,
                   external, changes, {v.record.pk for v in current})
