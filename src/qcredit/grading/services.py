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

from qcredit.archive.models import Enterprise
from qcredit.archive.selectors import enterprises_for_rules, records_for_rules
from qcredit.rules import SHIPPED, RuleSet, evaluate, ruleset_for

from . import batch
from .models import Evaluation, GradeChange, GradeState, GradingRun
from .signals import grades_changed, results_changed

# Up to this many enterprises an incremental regrade evaluates in Python (one query for
# their records); beyond it the compiled set-based query is cheaper.
INCREMENTAL_PYTHON_LIMIT = 200


def today() -> date:
    return timezone.localdate()


def available_rulesets() -> tuple[RuleSet, ...]:
    """Shipped versions and the successors an admin has activated (SPEC §6, qcredit.rulesets)."""
    from django.apps import apps

    if apps.is_installed("qcredit.rulesets"):
        from qcredit.rulesets.selectors import activated_rulesets

        return (*SHIPPED, *activated_rulesets())
    return SHIPPED


def ruleset_on(as_of: date) -> RuleSet:
    return ruleset_for(as_of, available_rulesets())


def regrade_all(*, as_of: date | None = None, cause: str = "全量重评") -> GradingRun:
    """Grade every enterprise as of ``as_of`` in one set-based statement."""
    as_of = as_of or today()
    ruleset = ruleset_on(as_of)
    with transaction.atomic():
        _lock_grading(exclusive=True)
        run = GradingRun.objects.create(kind=GradingRun.Kind.FULL, as_of=as_of, ruleset=ruleset.version, cause=cause)
        _insert_batch(run, ruleset, None, {})
        return _finish(run, evaluated=Enterprise.objects.count())


# Serialises full regrades against incremental ones on PostgreSQL (a full run reads a snapshot
# of the archive; an incremental regrade committed meanwhile must not be overwritten by it).
_GRADING_LOCK = 0x71637265646974  # "qcredit"


def _lock_grading(*, exclusive: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)" if exclusive else
                           "SELECT pg_advisory_xact_lock_shared(%s)", [_GRADING_LOCK])


def regrade_enterprises(*, enterprise_ids: Iterable[int], as_of: date | None = None, cause: str = "") -> GradingRun:
    """Re-grade some enterprises now (SPEC §4.3: a new, corrected or withdrawn record)."""
    ids = sorted(set(enterprise_ids))
    as_of = as_of or today()
    ruleset = ruleset_on(as_of)
    with transaction.atomic():
        _lock_grading(exclusive=False)
        run = GradingRun.objects.create(kind=GradingRun.Kind.INCREMENTAL, as_of=as_of, ruleset=ruleset.version,
                                        cause=cause[:200])
        if len(ids) <= INCREMENTAL_PYTHON_LIMIT:
            _insert_single(run, ruleset, ids)
        elif connection.vendor == "postgresql":
            _insert_batch(run, ruleset, "SELECT unnest(%(ids)s::bigint[])", {"ids": ids})
        else:
            _insert_batch(run, ruleset, "SELECT value FROM json_each(%(ids)s)", {"ids": json.dumps(ids)})
        return _finish(run, evaluated=Enterprise.objects.filter(id__in=ids).count() if len(ids) < 1000 else len(ids))


# A snapshot is stored where the result differs from the enterprise's current snapshot (or
# it has none); an unchanged result is confirmed by the run itself (GradingRun.as_of), so a
# daily full regrade of a million enterprises writes only what changed. See docs/decisions.md.
# The evidence is compared as sets of record keys per fact: on PostgreSQL by the checksum of
# GradeState.evidence_hash, on SQLite as text (both paths list the keys in archive order).
_CHANGED = ("gs.enterprise_id IS NULL OR gs.ruleset <> %(ruleset)s OR gs.grade <> g.grade OR gs.holds <> g.holds "
            "OR gs.evidence <> g.evidence")
_CHANGED_CHECKSUM = ("gs.enterprise_id IS NULL OR gs.ruleset <> %(ruleset)s OR gs.grade <> g.grade "
                     "OR gs.holds <> g.holds OR gs.evidence_hash IS DISTINCT FROM g.checksum")
_INSERT_EVALUATIONS = (
    "INSERT INTO grading_evaluation (enterprise_id, run_id, as_of, ruleset, grade, holds, evidence, computed_at) "
    "SELECT c.enterprise_id, %(run_id)s, %(as_of)s, %(ruleset)s, c.grade, c.holds, c.evidence, %(now)s FROM {source} c"
)


def _sql_now(moment):
    """A timestamp as a raw-SQL parameter, stored exactly as the ORM stores it (on SQLite: UTC
    text without an offset; a bare aware datetime would be written with "+08:00" and then compare
    wrongly with every ORM-written time)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _insert_batch(run: GradingRun, ruleset: RuleSet, ids_sql: str | None, ids_params: dict) -> None:
    vendor = connection.vendor
    run_params = dict(run_id=run.id, as_of=batch.Dialect(vendor).date(run.as_of), ruleset=ruleset.version,
                      now=_sql_now(timezone.now()))
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # One big analytical statement: JIT compilation costs more than it saves here, and
            # the aggregates and sorts should stay in memory (both local to this transaction).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '128MB'")
        if batch.checkable(ruleset, run.as_of, vendor):
            _insert_two_phase(cursor, run, ruleset, ids_sql, ids_params, run_params)
            return
        select, params = batch.compile_select(ruleset, run.as_of, vendor, ids_sql, ids_params)
        params.update(run_params)
        changed = (f"SELECT g.enterprise_id, g.grade, g.holds, g.evidence FROM ({select}) g "
                   f"LEFT JOIN grading_gradestate gs ON gs.enterprise_id = g.enterprise_id WHERE {_CHANGED}")
        if vendor == "postgresql":
            # PostgreSQL runs the SELECT of an INSERT … SELECT without parallel workers; CREATE
            # TABLE AS may use them, so the (few) changed results go through a temporary table.
            cursor.execute(f"CREATE TEMPORARY TABLE grading_result ON COMMIT DROP AS {changed}", params)
            cursor.execute(_INSERT_EVALUATIONS.format(source="grading_result"), params)
            cursor.execute("DROP TABLE grading_result")
        else:
            cursor.execute(_INSERT_EVALUATIONS.format(source=f"({changed})"), params)


def _insert_two_phase(cursor, run: GradingRun, ruleset: RuleSet, ids_sql: str | None, ids_params: dict,
                      run_params: dict) -> None:
    """PostgreSQL. Phase 1 computes every enterprise's grade, holds code and the checksum of
    its evidence (batch.Compiler.check: no text is built, the aggregates run in the parallel
    scan) and keeps the enterprises whose result differs from their GradeState; phase 2 computes
    the full result, evidence lists included, for those only, and stores their snapshots."""
    check, params = batch.compile_check(ruleset, run.as_of, connection.vendor, ids_sql, ids_params)
    params.update(run_params)
    # CREATE TABLE AS, not INSERT … SELECT: PostgreSQL may run its SELECT with parallel workers.
    cursor.execute("CREATE TEMPORARY TABLE grading_changed ON COMMIT DROP AS "
                   f"SELECT g.enterprise_id FROM ({check}) g "
                   f"LEFT JOIN grading_gradestate gs ON gs.enterprise_id = g.enterprise_id WHERE {_CHANGED_CHECKSUM}",
                   params)
    if cursor.rowcount:
        cursor.execute("ANALYZE grading_changed")  # a plan fit for 10 or 10⁶ enterprises
        select, params = batch.compile_select(ruleset, run.as_of, connection.vendor,
                                              "SELECT enterprise_id FROM grading_changed")
        params.update(run_params)
        cursor.execute(f"CREATE TEMPORARY TABLE grading_result ON COMMIT DROP AS {select}", params)
        cursor.execute(_INSERT_EVALUATIONS.format(source="grading_result"), params)
        cursor.execute("DROP TABLE grading_result")
    cursor.execute("DROP TABLE grading_changed")


def _insert_single(run: GradingRun, ruleset: RuleSet, ids: list[int]) -> None:
    enterprises = enterprises_for_rules(enterprise_ids=ids)
    records = records_for_rules(enterprise_ids=ids)
    current = {gs.enterprise_id: gs for gs in GradeState.objects.filter(enterprise_id__in=ids)}
    now = timezone.now()
    snapshots = []
    for enterprise_id, enterprise in enterprises.items():
        result = evaluate(enterprise, records.get(enterprise_id, ()), run.as_of, ruleset)
        holds, evidence = result.holds_code(), snapshot_evidence(result)
        cur = current.get(enterprise_id)
        if (cur and (cur.ruleset, cur.grade, cur.holds) == (ruleset.version, result.grade, holds)
                and same_evidence(cur.evidence, evidence)):
            continue
        snapshots.append(Evaluation(enterprise_id=enterprise_id, run=run, as_of=run.as_of, ruleset=ruleset.version,
                                    grade=result.grade, holds=holds, evidence=evidence, computed_at=now))
    Evaluation.objects.bulk_create(snapshots)


def snapshot_evidence(result) -> str:
    """The evidence of a snapshot as stored (grading.models.Evaluation.evidence)."""
    if "-" in result.holds_code():
        return ""
    return "".join(f"{name}={','.join(str(k) for k in value.evidence)};"
                   for name, value in result.facts.items() if value.evidence)


def same_evidence(a: str, b: str) -> bool:
    """Whether two stored evidence texts name the same record keys for the same facts (in
    whatever order)."""
    return a == b or ({k: sorted(v) for k, v in parse_evidence(a).items()}
                      == {k: sorted(v) for k, v in parse_evidence(b).items()})


def parse_evidence(evidence: str) -> dict[str, tuple[int, ...]]:
    """Fact name → record version keys, from a stored snapshot's evidence."""
    out: dict[str, tuple[int, ...]] = {}
    for part in (evidence or "").split(";"):
        if part:
            name, _, keys = part.partition("=")
            out[name] = tuple(int(k) for k in keys.split(",") if k)
    return out


def _finish(run: GradingRun, *, evaluated: int) -> GradingRun:
    """Grade-change events and current grades, set-based, for the new snapshots of ``run``.
    The current grade only moves forward in time: a regrade as of a past date stores its
    snapshots but does not replace a newer current grade."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO grading_gradechange (enterprise_id, run_id, evaluation_id, from_grade, to_grade, as_of, occurred_at) "
            "SELECT ev.enterprise_id, ev.run_id, ev.id, COALESCE(gs.grade, ''), ev.grade, ev.as_of, %(now)s "
            "FROM grading_evaluation ev LEFT JOIN grading_gradestate gs ON gs.enterprise_id = ev.enterprise_id "
            "WHERE ev.run_id = %(run)s AND (gs.grade IS NULL OR (gs.grade <> ev.grade AND gs.as_of <= ev.as_of))",
            {"now": _sql_now(now), "run": run.id},
        )
        changes = cursor.rowcount
        # The checksum of the evidence (PostgreSQL: the full regrade compares it; SQLite compares
        # the text).
        evidence_hash = batch.evidence_hash_sql("ev.evidence") if connection.vendor == "postgresql" else "NULL"
        cursor.execute(
            "INSERT INTO grading_gradestate (enterprise_id, evaluation_id, grade, as_of, since, ruleset, holds, evidence, "
            "evidence_hash) "
            "SELECT ev.enterprise_id, ev.id, ev.grade, ev.as_of, ev.as_of, ev.ruleset, ev.holds, ev.evidence, "
            f"{evidence_hash} FROM grading_evaluation ev WHERE ev.run_id = %(run)s "
            "ON CONFLICT (enterprise_id) DO UPDATE SET evaluation_id = excluded.evaluation_id, "
            "grade = excluded.grade, as_of = excluded.as_of, ruleset = excluded.ruleset, holds = excluded.holds, "
            "evidence = excluded.evidence, evidence_hash = excluded.evidence_hash, "
            "since = CASE WHEN grading_gradestate.grade = excluded.grade THEN grading_gradestate.since "
            "ELSE excluded.since END "
            "WHERE grading_gradestate.as_of <= excluded.as_of",
            {"run": run.id},
        )
    snapshots = Evaluation.objects.filter(run=run).count()
    GradingRun.objects.filter(pk=run.pk).update(finished_at=now, enterprises=evaluated, snapshots=snapshots,
                                                changes=changes)
    run.finished_at, run.enterprises, run.snapshots, run.changes = now, evaluated, snapshots, changes
    if changes:
        transaction.on_commit(lambda: grades_changed.send(sender=GradingRun, run=run))
    if snapshots:
        transaction.on_commit(lambda: results_changed.send(sender=GradingRun, run=run))
    return run


def grade_changes(run: GradingRun):
    return GradeChange.objects.filter(run=run)
