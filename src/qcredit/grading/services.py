"""Grading service: full (set-based) and incremental regrades, snapshots, grade history.

Both paths store the same things: one :class:`Evaluation` snapshot per enterprise graded,
a :class:`GradeChange` event wherever the grade differs from the current one, and the
current :class:`GradeState`. The change and state writes are one set-based statement each,
shared by both paths. Receivers of :data:`signals.grades_changed` are told on commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from qcredit.archive.selectors import enterprises_for_rules, records_for_rules
from qcredit.rules import SHIPPED, RuleSet, evaluate, ruleset_for

from . import batch
from .models import Evaluation, GradeChange, GradingRun
from .signals import grades_changed

# Up to this many enterprises an incremental regrade evaluates in Python (one query for
# their records); beyond it the compiled set-based query is cheaper.
INCREMENTAL_PYTHON_LIMIT = 200


def today() -> date:
    return timezone.localdate()


def available_rulesets() -> tuple[RuleSet, ...]:
    """Shipped versions; activated successors (SPEC §6) are added by the rule-set service."""
    return SHIPPED


def ruleset_on(as_of: date) -> RuleSet:
    return ruleset_for(as_of, available_rulesets())


def regrade_all(*, as_of: date | None = None, cause: str = "全量重评") -> GradingRun:
    """Grade every enterprise as of ``as_of`` in one set-based statement."""
    as_of = as_of or today()
    ruleset = ruleset_on(as_of)
    with transaction.atomic():
        run = GradingRun.objects.create(kind=GradingRun.Kind.FULL, as_of=as_of, ruleset=ruleset.version, cause=cause)
        _insert_batch(run, ruleset, None, {})
        return _finish(run)


def regrade_enterprises(*, enterprise_ids: Iterable[int], as_of: date | None = None, cause: str = "") -> GradingRun:
    """Re-grade some enterprises now (SPEC §4.3: a new, corrected or withdrawn record)."""
    ids = sorted(set(enterprise_ids))
    as_of = as_of or today()
    ruleset = ruleset_on(as_of)
    with transaction.atomic():
        run = GradingRun.objects.create(kind=GradingRun.Kind.INCREMENTAL, as_of=as_of, ruleset=ruleset.version,
                                        cause=cause[:200])
        if len(ids) <= INCREMENTAL_PYTHON_LIMIT:
            _insert_single(run, ruleset, ids)
        elif connection.vendor == "postgresql":
            _insert_batch(run, ruleset, "SELECT unnest(%(ids)s::bigint[])", {"ids": ids})
        else:
            _insert_batch(run, ruleset, "SELECT value FROM json_each(%(ids)s)", {"ids": json.dumps(ids)})
        return _finish(run)


def _insert_batch(run: GradingRun, ruleset: RuleSet, ids_sql: str | None, ids_params: dict) -> None:
    select, params = batch.compile_select(ruleset, run.as_of, connection.vendor, ids_sql, ids_params)
    params.update(run_id=run.id, as_of=batch.Dialect(connection.vendor).date(run.as_of),
                  ruleset=ruleset.version, now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO grading_evaluation (enterprise_id, run_id, as_of, ruleset, grade, holds, evidence, computed_at) "
            f"SELECT g.enterprise_id, %(run_id)s, %(as_of)s, %(ruleset)s, g.grade, g.holds, g.evidence, %(now)s "
            f"FROM ({select}) g",
            params,
        )


def _insert_single(run: GradingRun, ruleset: RuleSet, ids: list[int]) -> None:
    enterprises = enterprises_for_rules(enterprise_ids=ids)
    records = records_for_rules(enterprise_ids=ids)
    now = timezone.now()
    snapshots = []
    for enterprise_id, enterprise in enterprises.items():
        result = evaluate(enterprise, records.get(enterprise_id, ()), run.as_of, ruleset)
        snapshots.append(Evaluation(
            enterprise_id=enterprise_id, run=run, as_of=run.as_of, ruleset=ruleset.version, grade=result.grade,
            holds=result.holds_code(), evidence=snapshot_evidence(result), computed_at=now,
        ))
    Evaluation.objects.bulk_create(snapshots)


def snapshot_evidence(result) -> dict[str, str]:
    """The evidence of a snapshot: fact name → comma-separated record version keys."""
    if "-" in result.holds_code():
        return {}
    return {name: ",".join(str(k) for k in value.evidence) for name, value in result.facts.items() if value.evidence}


def parse_evidence(evidence: dict[str, str]) -> dict[str, tuple[int, ...]]:
    return {name: tuple(int(k) for k in keys.split(",")) for name, keys in (evidence or {}).items() if keys}


def _finish(run: GradingRun) -> GradingRun:
    """Grade-change events and the current grades, set-based, for every snapshot of ``run``."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO grading_gradechange (enterprise_id, run_id, evaluation_id, from_grade, to_grade, as_of, occurred_at) "
            "SELECT ev.enterprise_id, ev.run_id, ev.id, COALESCE(gs.grade, ''), ev.grade, ev.as_of, %(now)s "
            "FROM grading_evaluation ev LEFT JOIN grading_gradestate gs ON gs.enterprise_id = ev.enterprise_id "
            "WHERE ev.run_id = %(run)s AND (gs.grade IS NULL OR gs.grade <> ev.grade)",
            {"now": now, "run": run.id},
        )
        changes = cursor.rowcount
        cursor.execute(
            "INSERT INTO grading_gradestate (enterprise_id, evaluation_id, grade, as_of, since) "
            "SELECT ev.enterprise_id, ev.id, ev.grade, ev.as_of, ev.as_of FROM grading_evaluation ev "
            "WHERE ev.run_id = %(run)s "
            "ON CONFLICT (enterprise_id) DO UPDATE SET evaluation_id = excluded.evaluation_id, "
            "grade = excluded.grade, as_of = excluded.as_of, "
            "since = CASE WHEN grading_gradestate.grade = excluded.grade THEN grading_gradestate.since "
            "ELSE excluded.since END",
            {"run": run.id},
        )
        evaluated = cursor.rowcount
    GradingRun.objects.filter(pk=run.pk).update(finished_at=now, enterprises=evaluated, changes=changes)
    run.finished_at, run.enterprises, run.changes = now, evaluated, changes
    if changes:
        transaction.on_commit(lambda: grades_changed.send(sender=GradingRun, run=run))
    return run


def grade_changes(run: GradingRun):
    return GradeChange.objects.filter(run=run)
