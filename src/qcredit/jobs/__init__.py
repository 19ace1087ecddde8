"""Scheduled jobs (issue "Celery tasks for regrade, expiry, deadline reminders"): the daily run
and the working-day reminders, each step recorded as a :class:`~qcredit.jobs.models.JobRun`.
Celery (``qcredit.config.celery``, tasks in :mod:`qcredit.jobs.tasks`) runs them on a schedule;
``qcredit jobs run-daily`` runs the same without Redis."""
