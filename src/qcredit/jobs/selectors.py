"""Reads of the job records."""

from __future__ import annotations

from .models import JobRun


def job_runs_recent(*, limit: int = 30, job: str | None = None) -> list[JobRun]:
    runs = JobRun.objects.all()
    if job:
        runs = runs.filter(job=job)
    return list(runs.order_by("-started_at", "-id")[:limit])
