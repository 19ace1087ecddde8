"""The Celery app: configuration, beat schedule, and a real round trip through Redis."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
from celery.schedules import crontab

from qcredit.config.celery import app
from qcredit.jobs import services
from qcredit.jobs.models import JobRun
from tests.conftest import require_redis


def test_the_app_reads_redis_from_the_environment_and_runs_tasks_for_real_by_default():
    assert app.main == "qcredit"
    assert app.conf.broker_url == os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert app.conf.result_backend == app.conf.broker_url
    assert app.conf.task_always_eager is False
    assert app.conf.timezone == "Asia/Shanghai"


def test_the_beat_schedule_runs_the_daily_job_at_0130_reminders_at_0830_and_the_outbox_every_minute():
    schedule = app.conf.beat_schedule
    assert {e["task"] for e in schedule.values()} == {"qcredit.jobs.run_daily", "qcredit.jobs.deadline_reminders",
                                                      "qcredit.exchange.deliver_due"}
    by_task = {e["task"]: e["schedule"] for e in schedule.values()}
    assert by_task["qcredit.jobs.run_daily"] == crontab(hour=1, minute=30)
    # every day: the task asks the official calendar whether it is a working day
    assert by_task["qcredit.jobs.deadline_reminders"] == crontab(hour=8, minute=30)
    assert by_task["qcredit.exchange.deliver_due"] == 60.0
    app.loader.import_default_modules()
    assert {e["task"] for e in schedule.values()} <= set(app.tasks)


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_runs_in_a_worker_through_the_redis_broker(monkeypatch):
    require_redis(app.conf.broker_url)
    from celery.contrib.testing.worker import start_worker

    from qcredit.jobs.tasks import run_daily

    monkeypatch.setattr(services, "DAILY_STEPS", tuple(s for s in services.DAILY_STEPS
                                                        if s.name in {"workdays.check", "grading.regrade_all"}))
    queue = f"qcredit-test-{uuid.uuid4().hex[:8]}"  # nobody else's worker takes our message
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        result = run_daily.apply_async(args=["2026-06-30"], queue=queue)
        summary = result.get(timeout=60)
    assert summary["ok"] is True and summary["day"] == "2026-06-30"
    assert [s["name"] for s in summary["steps"]] == ["workdays.check", "grading.regrade_all"]
    runs = JobRun.objects.filter(day=date(2026, 6, 30)).order_by("id")
    assert [(r.name, r.ok, r.channel) for r in runs] == [("workdays.check", True, "celery"),
                                                         ("grading.regrade_all", True, "celery")]
