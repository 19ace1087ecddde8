"""The full regrade stores a snapshot exactly where a result changed: a changed grade, holds
code or evidence list (even with the grade and holds unchanged), never where only the
order of the evidence could differ. On PostgreSQL the full regrade tells "unchanged" by a
checksum of the evidence (two phases, grading.services._insert_two_phase), on SQLite by the
text; both are run here, whichever DATABASE_URL names."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from qcredit.archive.models import Enterprise, Record
from qcredit.archive.selectors import enterprises_for_rules, records_for_rules
from qcredit.grading import batch, services
from qcredit.grading.models import Evaluation, GradeChange, GradeState
from qcredit.rules import evaluate
from qcredit.rules.uscc import make_uscc

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
_serial = itertools.count(1)


def enterprise(**extra) -> Enterprise:
    n = next(_serial)
    return Enterprise.objects.create(uscc=make_uscc(f"91370102MB{n:07d}"), name=f"企业{n}", region="370102",
                                     established_on=date(2010, 1, 1), **extra)


def record(e: Enterprise, kind: str, days_before: int, record_id: str | None = None, **fields) -> Record:
    """A record stored directly (no incremental regrade), as an import would leave it before the run."""
    return Record.objects.create(enterprise=e, record_id=record_id or f"T{next(_serial)}", source="测试单位", kind=kind,
                                 date=AS_OF - timedelta(days=days_before), recorded_at=timezone.now(), **fields)


def false_claim(e: Enterprise, days_before: int, record_id: str | None = None) -> Record:
    return record(e, "false_claim", days_before, record_id, harm="none")


def snapshot(e: Enterprise) -> Evaluation:
    return GradeState.objects.get(enterprise=e).evaluation


def test_a_steady_state_regrade_stores_nothing():
    # Several keys per fact, entered out of archive order: the evidence text must come out the
    # same on every run.
    a, b = enterprise(), enterprise()
    for days in (30, 200, 10, 90):
        false_claim(a, days)
    record(b, "sampling", 40, scope="quality", result="fail", own_fault=True)
    record(b, "sampling", 20, scope="quality", result="fail", own_fault=True)
    first = services.regrade_all(as_of=AS_OF)
    assert first.snapshots == 2
    second = services.regrade_all(as_of=AS_OF)
    assert (second.snapshots, second.changes) == (0, 0)


def test_evidence_keys_are_in_archive_order_as_on_the_single_path():
    e = enterprise()
    late, early, middle = false_claim(e, 10), false_claim(e, 200), false_claim(e, 90)
    services.regrade_all(as_of=AS_OF)
    full = snapshot(e).evidence
    assert f"false_claim={early.pk},{middle.pk},{late.pk};" in full
    # The single-enterprise path writes the very same text.
    single = evaluate(enterprises_for_rules(enterprise_ids=[e.pk])[e.pk],
                      records_for_rules(enterprise_ids=[e.pk])[e.pk], AS_OF)
    assert services.snapshot_evidence(single) == full


def test_a_changed_evidence_list_with_the_same_grade_and_holds_is_a_new_snapshot():
    e = enterprise()
    false_claim(e, 30)
    services.regrade_all(as_of=AS_OF)
    before = snapshot(e)
    added = false_claim(e, 20)
    run = services.regrade_all(as_of=AS_OF)
    after = snapshot(e)
    assert run.snapshots == 1 and run.changes == 0
    assert (after.grade, after.holds) == (before.grade, before.holds)
    assert after.evidence != before.evidence and str(added.pk) in after.evidence
    assert not GradeChange.objects.filter(run=run).exists()
    assert services.regrade_all(as_of=AS_OF).snapshots == 0


def test_a_record_replaced_by_an_equivalent_version_is_a_new_snapshot():
    # Same count of keys, same grade and holds, another key: the checksum must tell.
    e = enterprise()
    old = false_claim(e, 30, record_id="FC-1")
    services.regrade_all(as_of=AS_OF)
    before = snapshot(e)
    Record.objects.filter(pk=old.pk).update(superseded_at=timezone.now())
    new = Record.objects.create(enterprise=e, record_id="FC-1", source=old.source, kind=old.kind, date=old.date,
                                harm="none", recorded_at=timezone.now(), version=2, supersedes=old, reason="更正")
    run = services.regrade_all(as_of=AS_OF)
    after = snapshot(e)
    assert run.snapshots == 1
    assert (after.grade, after.holds) == (before.grade, before.holds)
    assert after.evidence == before.evidence.replace(str(old.pk), str(new.pk)) != before.evidence


def test_a_changed_grade_is_a_snapshot_and_a_grade_change():
    e = enterprise()
    services.regrade_all(as_of=AS_OF)
    assert snapshot(e).grade in {"A", "B"}
    record(e, "penalty", 15, scope="quality", severity="grave")
    run = services.regrade_all(as_of=AS_OF)
    assert run.snapshots == 1 and run.changes == 1
    assert snapshot(e).grade == "D"


def test_a_deregistered_enterprise_keeps_its_ungraded_snapshot():
    e = enterprise(status="deregistered")
    false_claim(e, 30)
    services.regrade_all(as_of=AS_OF)
    assert (snapshot(e).grade, snapshot(e).evidence) == ("N", "")
    false_claim(e, 20)
    assert services.regrade_all(as_of=AS_OF).snapshots == 0


def test_the_incremental_and_the_full_regrade_agree():
    e = enterprise()
    for days in (300, 30, 100):
        record(e, "sampling", days, scope="quality", result="fail", own_fault=True)
    services.regrade_enterprises(enterprise_ids=[e.pk], as_of=AS_OF)  # Python path
    assert services.regrade_all(as_of=AS_OF).snapshots == 0
    if connection.vendor == "postgresql":
        state = GradeState.objects.get(enterprise=e)
        assert state.evidence_hash is not None and state.evidence_hash != 0


def test_the_single_path_ignores_the_order_of_stored_evidence():
    e = enterprise()
    first, second = false_claim(e, 30), false_claim(e, 20)
    services.regrade_all(as_of=AS_OF)
    # A snapshot written before evidence was kept in archive order: same keys, other order.
    stored = GradeState.objects.get(enterprise=e).evidence
    reordered = stored.replace(f"{first.pk},{second.pk}", f"{second.pk},{first.pk}")
    assert reordered != stored
    GradeState.objects.filter(enterprise=e).update(evidence=reordered)
    assert services.regrade_enterprises(enterprise_ids=[e.pk], as_of=AS_OF).snapshots == 0


@pytest.mark.postgres
def test_the_migration_fills_the_checksum_as_the_services_compute_it():
    from importlib import import_module

    migration = import_module("qcredit.grading.migrations.0006_gradestate_evidence_hash")
    assert batch.evidence_hash_sql("evidence") == migration.EVIDENCE_HASH
    e = enterprise()
    false_claim(e, 30)
    false_claim(e, 20)
    services.regrade_all(as_of=AS_OF)
    stored = GradeState.objects.get(enterprise=e).evidence_hash
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {migration.EVIDENCE_HASH} FROM grading_gradestate WHERE enterprise_id = %s", [e.pk])
        assert cursor.fetchone()[0] == stored != 0


def test_a_large_incremental_regrade_uses_the_batch_and_agrees_with_the_full_one():
    many = [enterprise() for _ in range(services.INCREMENTAL_PYTHON_LIMIT + 5)]
    false_claim(many[0], 30)
    false_claim(many[0], 20)
    record(many[1], "licence", 400, number="XK-1", licence_type="生产许可", status="valid",
           valid_from=AS_OF - timedelta(days=400), valid_to=AS_OF + timedelta(days=400))
    ids = [e.pk for e in many]
    first = services.regrade_enterprises(enterprise_ids=ids, as_of=AS_OF)
    assert first.snapshots == len(ids)
    assert services.regrade_all(as_of=AS_OF).snapshots == 0
    false_claim(many[2], 10)
    again = services.regrade_enterprises(enterprise_ids=ids, as_of=AS_OF)
    assert again.snapshots == 1 and GradeState.objects.get(enterprise=many[2]).evaluation.run_id == again.pk


@pytest.mark.django_db
def test_times_written_by_the_set_based_statements_compare_like_orm_times():
    """GradeChange.occurred_at and Evaluation.computed_at come from raw SQL; they must be stored
    as the ORM stores datetimes, so that filtering on them finds what it should (on SQLite a bare
    aware datetime was stored with "+08:00" and missed by an equality or range filter)."""
    from datetime import timedelta

    from django.utils import timezone as tz

    from qcredit.archive.bundle import validate_bundle
    from qcredit.archive.demo import generate_bundle
    from qcredit.archive.imports import import_bundle
    from qcredit.grading.models import Evaluation, GradeChange
    from qcredit.grading.services import regrade_all

    import_bundle(validate_bundle(generate_bundle(enterprises=5, as_of=tz.localdate())), via="test", regrade=False)
    run = regrade_all()
    run.refresh_from_db()
    change = GradeChange.objects.filter(run=run).first()
    assert GradeChange.objects.filter(run=run, occurred_at=change.occurred_at).count() == GradeChange.objects.filter(
        run=run).count()
    assert GradeChange.objects.filter(occurred_at__gte=run.finished_at - timedelta(seconds=1),
                                      occurred_at__lte=run.finished_at + timedelta(seconds=1), run=run).exists()
    evaluation = Evaluation.objects.filter(run=run).first()
    assert Evaluation.objects.filter(computed_at=evaluation.computed_at, run=run).exists()
