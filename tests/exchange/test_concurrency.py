"""Workers at once, and a worker killed mid-delivery, on PostgreSQL (row locks with SKIP LOCKED
are what keep workers apart; SQLite has one writer and no such locks)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection, connections

from qcredit.exchange.delivery import deliver_due
from qcredit.exchange.models import DeliveryAttempt, OutboxMessage, Partner

from .conftest import new_entry, record, run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_delivery_runs_at_once_send_each_message_once_and_in_order(partners, fake, fake2, clock):
    fake.delay = fake2.delay = 0.03  # each answer takes a moment, so the runs overlap
    entries = [new_entry() for _ in range(16)]
    for entry in entries:
        record(entry)
    for entry in entries[::3]:
        record(entry, "withdrawn")
    barrier = threading.Barrier(2)
    reports, errors = {}, []

    def worker(name: str) -> None:
        try:
            barrier.wait()
            reports[name] = deliver_due(clock=clock, worker=name, rand=lambda: 0.5)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    messages = OutboxMessage.objects.all()
    assert messages.count() == 2 * (16 + 6)
    assert set(messages.values_list("state", flat=True)) == {"delivered"}
    for partner in (fake, fake2):
        counts = Counter(partner.received)
        assert counts and set(counts.values()) == {1}  # every message sent once, none twice
        for entry in entries:
            assert partner.order(entry) == (["published", "withdrawn"] if entry in entries[::3] else ["published"])
    assert set(messages.values_list("attempts", flat=True)) == {1}
    assert reports["w1"].delivered + reports["w2"].delivered == messages.count()
    workers = Counter(w.split(":")[0] for w in DeliveryAttempt.objects.values_list("worker", flat=True))
    assert workers["w1"] > 0 and workers["w2"] > 0  # both did work: they shared it, not queued behind each other


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_a_worker_process_killed_after_the_partner_applied_is_resent_once_with_the_same_key(partners, fake, clock):
    Partner.objects.filter(code="gsxt-sd").update(enabled=False)
    entry = new_entry()
    record(entry)
    message = OutboxMessage.objects.get(entry_key=entry)
    fake.script(message.idempotency_key, "hang-after")  # apply, then hold the answer
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "qcredit.config.settings"}
    worker = subprocess.Popen([sys.executable, "-m", "qcredit.cli", "exchange", "deliver"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert fake.applied_signal.wait(60), worker.communicate(timeout=5)
    finally:
        worker.send_signal(signal.SIGKILL)  # dies before it could record the delivery
        worker.wait(30)
    message.refresh_from_db()
    assert message.state == "pending" and message.leased_until is not None
    [attempt] = DeliveryAttempt.objects.filter(message=message)
    assert attempt.outcome == DeliveryAttempt.Outcome.SENDING
    assert fake.applied_keys == [message.idempotency_key]

    clock.to(message.leased_until + timedelta(seconds=1))  # the dead worker's claim runs out
    report = run(clock)
    assert (report.delivered, report.interrupted) == (1, 1)
    message.refresh_from_db()
    assert message.state == "delivered" and message.attempts == 2
    outcomes = list(DeliveryAttempt.objects.filter(message=message).order_by("number")
                    .values_list("outcome", "status_code"))
    assert outcomes == [(DeliveryAttempt.Outcome.INTERRUPTED, None), (DeliveryAttempt.Outcome.DELIVERED, 409)]
    assert fake.received_count(message.idempotency_key) == 2
    assert fake.applied_keys == [message.idempotency_key]  # applied once
