"""SPEC §7.3: the audit trail is append-only and hash-chained; ``qcredit audit verify`` finds
an edited, a deleted and an inserted event, and names the first broken link."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from qcredit.audit.chain import HASHED, event_hash
from qcredit.audit.models import AuditEvent
from qcredit.audit.purge import allow_purge
from qcredit.audit.services import AuditRequiresTransaction, audit_write
from qcredit.cli import main

pytestmark = pytest.mark.django_db


def write(n: int) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_write(actor=None, action="test.step", obj=("test.thing", i, f"第{i}件"),
                                      before={"n": i}, after={"n": i + 1, "日期": "2026-11-23"}, reason="测试"))
    return events


def raw(sql: str, params=()) -> None:
    """What a database superuser could do behind the application's back."""
    with allow_triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


class allow_triggers_off:
    def __enter__(self):
        self.purge = allow_purge(connection)
        self.purge.__enter__()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")  # triggers off (superuser)
        else:
            with connection.cursor() as cursor:
                cursor.execute("DROP TRIGGER audit_event_no_update")
        return self

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        else:
            with connection.cursor() as cursor:
                cursor.execute("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
                               "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END")
        self.purge.__exit__(*exc)


def verify(capsys, *args) -> tuple[int, str]:
    code = main(["audit", "verify", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_an_intact_chain_verifies_and_prints_its_head(capsys):
    events = write(5)
    code, text = verify(capsys)
    assert code == 0 and "5 个事件" in text and f"5:{events[-1].hash}" in text
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == "0" * 64 and events[3].prev_hash == events[2].hash


def test_the_database_refuses_to_change_or_delete_an_event():
    event = write(1)[0]
    for sql in ("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 1", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).reason == "测试"


def test_an_edited_event_is_named(capsys):
    write(5)
    raw("UPDATE audit_auditevent SET after = %s WHERE seq = 3", ['{"n":999}'])
    code, text = verify(capsys)
    assert code == 1 and "事件 #3" in text and "被修改" in text


def test_a_deleted_event_is_named(capsys):
    write(5)
    raw("DELETE FROM audit_auditevent WHERE seq = 2")
    code, text = verify(capsys)
    assert code == 1 and "事件 #3" in text and "删除" in text


def test_an_inserted_event_is_named(capsys):
    events = write(4)
    # A forged event with a correct hash of its own, slipped in after #2 (later events renumbered).
    raw("UPDATE audit_auditevent SET seq = seq + 1000 WHERE seq >= 3")
    raw("UPDATE audit_auditevent SET seq = seq - 999 WHERE seq >= 1000")
    forged = {name: getattr(events[1], name) for name in HASHED}
    forged.update(seq=3, action="test.forged", prev_hash=events[1].hash)
    forged["hash"] = event_hash(forged)
    AuditEvent.objects.bulk_create([AuditEvent(**forged)])
    code, text = verify(capsys)
    assert code == 1 and "事件 #4" in text


def test_a_truncated_tail_is_found_against_a_kept_anchor(capsys):
    events = write(4)
    anchor = f"4:{events[-1].hash}"
    assert verify(capsys, "--expect-head", anchor)[0] == 0
    raw("DELETE FROM audit_auditevent WHERE seq = 4")
    code, text = verify(capsys, "--expect-head", anchor)
    assert code == 1 and "截断" in text


@pytest.mark.django_db(transaction=True)
def test_events_commit_and_roll_back_with_the_change():
    with pytest.raises(AuditRequiresTransaction):
        audit_write(actor=None, action="test.outside")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_write(actor=None, action="test.rolled_back")
        raise RuntimeError("the change fails after its event was written")
    assert not AuditEvent.objects.exists()
