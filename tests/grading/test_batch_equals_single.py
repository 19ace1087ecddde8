"""The set-based batch and the single-enterprise Python path give identical results
(grade, every criterion, every piece of evidence, the evidence text itself with its keys in
archive order) on random archives — on SQLite and on PostgreSQL, whichever DATABASE_URL names.
On PostgreSQL the check query of the two-phase regrade (grade, holds, evidence checksum) agrees
with both."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcredit.archive.models import Enterprise, Record
from qcredit.archive.selectors import enterprises_for_rules, records_for_rules
from qcredit.grading import batch
from qcredit.grading.services import parse_evidence, snapshot_evidence
from qcredit.rules import evaluate, ruleset_for
from qcredit.rules.uscc import make_uscc
from tests.rules.strategies import AS_OF, any_record_specs, enterprise_specs

pytestmark = pytest.mark.django_db
_serial = itertools.count(1)


class Rollback(Exception):
    pass


def store(archives) -> list[int]:
    """Insert enterprises and record versions; some versions superseded, some withdrawn."""
    now = timezone.now()
    ids = []
    for spec, records, lifecycle in archives:
        n = next(_serial)
        e = Enterprise.objects.create(uscc=make_uscc(f"91370102MA{n:07d}"), name=f"企业{n}", region="370102", **spec)
        ids.append(e.id)
        for (kind, day, fields), fate in zip(records, lifecycle, strict=False):
            columns = {k: ("" if v is None else v) for k, v in fields.items()}
            rec = Record.objects.create(enterprise=e, record_id=f"R{next(_serial)}", source="单位", kind=kind, date=day,
                                        recorded_at=now, **columns)
            if fate == "withdrawn":
                Record.objects.filter(pk=rec.pk).update(superseded_at=now)
                Record.objects.create(enterprise=e, record_id=rec.record_id, source=rec.source, kind=kind, date=day,
                                      recorded_at=now, version=2, supersedes=rec, withdrawn=True, reason="撤回",
                                      **columns)
            elif fate == "superseded":
                # The old version stays in the ledger; only the new one counts.
                Record.objects.filter(pk=rec.pk).update(superseded_at=now)
                Record.objects.create(enterprise=e, record_id=rec.record_id, source=rec.source, kind="inspection",
                                      date=day, recorded_at=now, version=2, supersedes=rec, reason="更正",
                                      scope="quality", result="pass")
    return ids


def batch_rows(ids: list[int]) -> dict[int, tuple]:
    placeholders = ", ".join(f"%(id{i})s" for i in range(len(ids)))
    sql, params = batch.compile_select(ruleset_for(AS_OF), AS_OF, connection.vendor, placeholders,
                                       {f"id{i}": v for i, v in enumerate(ids)})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        out = {}
        for enterprise_id, grade, holds, evidence in cursor.fetchall():
            out[enterprise_id] = (grade, holds, {k: sorted(v) for k, v in parse_evidence(evidence).items()}, evidence)
    return out


def check_rows(ids: list[int], texts: dict[int, str]) -> dict[int, tuple]:
    """PostgreSQL: the check query, and the checksum of the given evidence texts."""
    placeholders = ", ".join(f"%(id{i})s" for i in range(len(ids)))
    sql, params = batch.compile_check(ruleset_for(AS_OF), AS_OF, connection.vendor, placeholders,
                                      {f"id{i}": v for i, v in enumerate(ids)})
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT g.enterprise_id, g.grade, g.holds, g.checksum, {batch.evidence_hash_sql('t.evidence')} "
                       f"FROM ({sql}) g JOIN (SELECT unnest(%(tid)s::bigint[]) AS id, "
                       f"unnest(%(ttext)s::text[]) AS evidence) t ON t.id = g.enterprise_id",
                       {**params, "tid": list(texts), "ttext": list(texts.values())})
        return {eid: (grade, holds, checksum, expected) for eid, grade, holds, checksum, expected in cursor.fetchall()}


def single_rows(ids: list[int]) -> dict[int, tuple]:
    enterprises = enterprises_for_rules(enterprise_ids=ids)
    records = records_for_rules(enterprise_ids=ids)
    out = {}
    for eid, ent in enterprises.items():
        ev = evaluate(ent, records.get(eid, ()), AS_OF)
        evidence = {} if ent.status != "active" else {
            name: sorted(v.evidence) for name, v in ev.facts.items() if v.evidence}
        out[eid] = (ev.grade, ev.holds_code(), evidence, snapshot_evidence(ev))
    return out


archive = st.tuples(enterprise_specs(), st.lists(any_record_specs, max_size=10),
                    st.lists(st.sampled_from(["current"] * 6 + ["withdrawn", "superseded"]), max_size=10))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(st.lists(archive, min_size=1, max_size=6))
def test_batch_equals_single_on_random_archives(archives):
    try:
        with transaction.atomic():
            ids = store(archives)
            single = single_rows(ids)
            assert batch_rows(ids) == single
            if batch.checkable(ruleset_for(AS_OF), AS_OF, connection.vendor):
                checked = check_rows(ids, {eid: row[3] for eid, row in single.items()})
                assert {eid: row[:2] for eid, row in checked.items()} == {eid: row[:2] for eid, row in single.items()}
                assert all(checksum == expected for _, _, checksum, expected in checked.values())
            raise Rollback
    except Rollback:
        pass
