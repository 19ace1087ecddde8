"""The outbox through Celery: beat runs ``qcredit.exchange.deliver_due`` every minute, and a
real worker delivers through the Redis broker."""

from __future__ import annotations

import uuid

import pytest

from qcredit.config.celery import app
from qcredit.exchange.models import DeliveryAttempt, OutboxMessage
from tests.conftest import require_redis

from .conftest import new_entry, record


def test_beat_delivers_the_outbox_every_minute_and_a_late_run_expires():
    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == "qcredit.exchange.deliver_due"]
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] < 60
    app.loader.import_default_modules()
    assert "qcredit.exchange.deliver_due" in app.tasks


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_delivers_the_outbox_through_redis(partners, fake, fake2):
    require_redis(app.conf.broker_url)
    from celery.contrib.testing.worker import start_worker

    from qcredit.exchange.tasks import deliver_due

    entry = new_entry()
    record(entry)
    record(entry, "withdrawn")
    queue = f"qcredit-test-{uuid.uuid4().hex[:8]}"  # nobody else's worker takes our message
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        summary = deliver_due.apply_async(queue=queue).get(timeout=60)
    assert summary["delivered"] == 4 and summary["failed"] == 0
    assert fake.order(entry) == fake2.order(entry) == ["published", "withdrawn"]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"delivered"}
    assert DeliveryAttempt.objects.filter(outcome="delivered").count() == 4
