"""Celery tasks (qcredit.config.celery schedules them). Each is a thin wrapper: the work is
in :mod:`qcredit.jobs.services`, which ``qcredit jobs run-daily`` runs without Redis."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task

from qcredit.audit.context import channel

from . import services

log = logging.getLogger("qcredit.jobs")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _report(report: services.JobReport) -> dict:
    for run in report.failed:
        log.error("job %s %s: step %s failed: %s", report.job, report.day, run.name, run.error)
    return report.as_json()


@shared_task(name="qcredit.jobs.run_daily")
def run_daily(day: str | None = None) -> dict:
    """The daily run; ``day`` (YYYY-MM-DD) defaults to today in Asia/Shanghai."""
    with channel("celery"):
        return _report(services.run_daily(today=_day(day)))


@shared_task(name="qcredit.jobs.deadline_reminders")
def deadline_reminders(day: str | None = None) -> dict:
    """The deadline reminders; does nothing on a day the official calendar says is not a
    working day."""
    with channel("celery"):
        return _report(services.run_reminders(today=_day(day)))
