"""Red-list eligibility (SRL 第八、九条) and violations during publication (SRL 第十三条), read
from the rules (:mod:`qcredit.rules`) over the archive as it stands.

Two things are computed here, both pure reads:

- the eligibility result a nomination carries (qualifying 第八条 conditions, unmet 第九条
  conditions, the rule-set version, the evaluation date) — :func:`eligibility_snapshot`;
- the *baseline* of a listed subject — the adverse side of its evaluation: the C/D criteria
  that hold, the A/B criteria not met, the 第九条 conditions that fail, the grade, and the
  archive records behind them — and what is new against it (:func:`violations_since`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from qcredit.archive.models import Enterprise, Record
from qcredit.archive.selectors import enterprises_for_rules, records_for_rules
from qcredit.rules import RuleSet, evaluate
from qcredit.rules.evaluate import Evaluation

# QCO 三: A above B above C above D; N (未定级) is not on the scale and never "falls".
GRADE_RANK = {"A": 4, "B": 3, "C": 2, "D": 1}


def ruleset_in_force(as_of: date) -> RuleSet:
    from qcredit.grading.services import ruleset_on

    return ruleset_on(as_of)


def evaluate_enterprises(enterprise_ids: Iterable[int], as_of: date,
                         ruleset: RuleSet | None = None) -> dict[int, Evaluation]:
    """Grade and red-list eligibility of some enterprises as of ``as_of`` (two queries)."""
    ids = sorted(set(enterprise_ids))
    ruleset = ruleset or ruleset_in_force(as_of)
    enterprises = enterprises_for_rules(enterprise_ids=ids)
    records = records_for_rules(enterprise_ids=ids)
    return {pk: evaluate(data, records.get(pk, ()), as_of, ruleset) for pk, data in enterprises.items()}


def evaluate_enterprise(enterprise: Enterprise, as_of: date, ruleset: RuleSet | None = None) -> Evaluation:
    return evaluate_enterprises([enterprise.pk], as_of, ruleset)[enterprise.pk]


def eligibility_snapshot(evaluation: Evaluation) -> dict:
    """What a nomination stores of its eligibility result (SPEC §5.1 lifecycle 1)."""
    return {
        "evaluated_on": evaluation.as_of,
        "ruleset": evaluation.ruleset.version,
        "grade": evaluation.grade,
        "eligible": evaluation.redlist.eligible,
        "qualifying": list(evaluation.redlist.qualifying),
        "unmet": list(evaluation.redlist.unmet),
        "eligibility": {**evaluation.redlist_json(), "as_of": evaluation.as_of.isoformat(),
                        "ruleset": evaluation.ruleset.version, "grade": evaluation.grade},
    }


# --- baseline and violations (SRL 第十三条) ------------------------------------------------------


def _adverse_evidence(evaluation: Evaluation) -> dict[str, set]:
    """Criterion id → the archive record keys behind it, for every criterion on the adverse side
    (a C/D situation that holds, an A/B/第九条 condition that fails)."""
    out: dict[str, set] = {}
    for r in evaluation.results:
        tier = r.criterion.tier
        if r.holds is None:
            continue
        if (tier in {"C", "D"} and r.holds) or (tier in {"A", "B", "SRL-9"} and not r.holds):
            out[r.criterion.id] = set(r.evidence)
    return out


def _adverse_record_keys(evaluation: Evaluation) -> set:
    return set().union(*_adverse_evidence(evaluation).values())


def _record_rows(keys: Iterable) -> dict:
    """Archive record version key → (``source/record_id``, stable across corrections; the local
    date the version entered the archive)."""
    return {pk: (f"{source}/{record_id}", timezone.localdate(recorded_at))
            for pk, source, record_id, recorded_at in Record.objects.filter(pk__in=list(keys)).values_list(
                "pk", "source", "record_id", "recorded_at")}


def _record_identities(keys: Iterable) -> dict[str, date]:
    """Archive record versions → ``source/record_id`` and the day the version entered the archive."""
    return dict(_record_rows(keys).values())


def _adverse_side(evaluation: Evaluation) -> tuple[list[str], dict[str, date]]:
    """The 第九条 conditions that fail, and the adverse archive records (by identity, with the
    day they entered the archive)."""
    failing_srl9 = sorted(r.criterion.id for r in evaluation.results
                          if r.criterion.tier == "SRL-9" and r.holds is False)
    return failing_srl9, _record_identities(_adverse_record_keys(evaluation))


def baseline(evaluation: Evaluation) -> dict:
    """The adverse side of an evaluation, as the list accepted it."""
    failing_srl9, records = _adverse_side(evaluation)
    return {
        "as_of": evaluation.as_of.isoformat(),
        "ruleset": evaluation.ruleset.version,
        "grade": evaluation.grade,
        "adverse": list(evaluation.adverse),
        "srl9_unmet": failing_srl9,
        "records": sorted(records),
    }


@dataclass(frozen=True)
class Violation:
    """What is new against a subject's baseline; empty when nothing is."""

    new_adverse: tuple[str, ...]  # C/D criteria (QCO 三(三)(四)) that hold now and did not
    new_srl9_unmet: tuple[str, ...]  # SRL 第九条 conditions that fail now and did not
    grade_from: str
    grade_to: str
    new_records: dict[str, date]  # adverse archive records not behind the baseline → entered on
    # The first day on which one of the new adverse situations could be known: for each
    # criterion resting on a new record, the day its last evidence record entered the archive
    # (a criterion needing two failures is known with the second); the earliest of those.
    first_known_on: date | None = None

    @property
    def grade_fell(self) -> bool:
        return (self.grade_from in GRADE_RANK and self.grade_to in GRADE_RANK
                and GRADE_RANK[self.grade_to] < GRADE_RANK[self.grade_from])

    def __bool__(self) -> bool:
        return bool(self.new_adverse or self.new_srl9_unmet or self.grade_fell or self.new_records)

    def arose_on(self, detected_on: date, not_before: date) -> date:
        """The day the obligation to propose arose: the day the first new adverse record entered
        the archive (when the division could first know of it), or the day of detection when the
        change comes from no record (a grade falling as time passes); never before the baseline."""
        day = self.first_known_on or detected_on
        return max(day, not_before)

    def as_json(self, evaluation: Evaluation) -> dict:
        return {
            "as_of": evaluation.as_of.isoformat(), "ruleset": evaluation.ruleset.version,
            "grade_from": self.grade_from, "grade_to": self.grade_to, "grade_fell": self.grade_fell,
            "new_adverse": list(self.new_adverse), "new_srl9_unmet": list(self.new_srl9_unmet),
            "new_records": sorted(self.new_records),
        }


def violations_since(base: dict, evaluation: Evaluation) -> Violation:
    failing_srl9 = sorted(r.criterion.id for r in evaluation.results
                          if r.criterion.tier == "SRL-9" and r.holds is False)
    evidence = _adverse_evidence(evaluation)
    rows = _record_rows(set().union(*evidence.values()))
    known = set(base.get("records", ()))
    known_on = [max(rows[k][1] for k in keys if k in rows) for keys in evidence.values()
                if any(k in rows and rows[k][0] not in known for k in keys)]
    return Violation(
        new_adverse=tuple(sorted(set(evaluation.adverse) - set(base.get("adverse", ())))),
        new_srl9_unmet=tuple(sorted(set(failing_srl9) - set(base.get("srl9_unmet", ())))),
        grade_from=base.get("grade", ""), grade_to=evaluation.grade,
        new_records={identity: day for identity, day in rows.values() if identity not in known},
        first_known_on=min(known_on) if known_on else None,
    )
