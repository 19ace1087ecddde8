"""The Celery task that delivers the outbox (scheduled every minute by config/celery.py). The
work is :func:`qcredit.exchange.delivery.deliver_due`, which ``qcredit exchange deliver`` runs
without Redis (cron)."""

from __future__ import annotations

import logging

from celery import shared_task

from qcredit.audit.context import channel

from .delivery import deliver_due as deliver

log = logging.getLogger("qcredit.exchange")


@shared_task(name="qcredit.exchange.deliver_due")
def deliver_due(limit: int | None = None) -> dict:
    """Deliver the due messages; runs at most the configured budget (50 s), so that runs
    started every minute rarely overlap — and when they do, row locks keep them apart."""
    with channel("celery"):
        report = deliver(limit=limit)
    if report.failed:
        log.warning("outbox: %s message(s) failed and need a person", report.failed)
    return report.as_json()
