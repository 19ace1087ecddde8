"""The Celery app ``qcredit`` (issue "Celery tasks for regrade, expiry, deadline reminders").

Broker and results: Redis at ``REDIS_URL`` (default redis://127.0.0.1:6379/0); every setting
is read from Django settings under the ``CELERY_`` prefix (config/settings.py). Run a worker
and the scheduler with::

    celery -A qcredit.config worker -B --loglevel=info   # or worker and beat as two processes

Without Redis (the embedded default), ``qcredit jobs run-daily`` from cron does the same work.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcredit.config.settings")

app = Celery("qcredit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# In Asia/Shanghai (CELERY_TIMEZONE). The reminders are scheduled every day: whether a day is
# a working day is the official calendar's answer (调休 Saturdays work, holiday weekdays do
# not), which the task asks itself.
BEAT_SCHEDULE = {
    "daily-run": {"task": "qcredit.jobs.run_daily", "schedule": crontab(hour=1, minute=30)},
    "deadline-reminders": {"task": "qcredit.jobs.deadline_reminders", "schedule": crontab(hour=8, minute=30)},
    # exchange: the partner outbox every minute; a run stops claiming after 50 s (docs/exchange.md)
    "exchange-deliver": {"task": "qcredit.exchange.deliver_due", "schedule": 60.0, "options": {"expires": 55}},
}
app.conf.beat_schedule = BEAT_SCHEDULE
