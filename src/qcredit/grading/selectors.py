"""Reads of the grading tables for pages and APIs."""

from __future__ import annotations

from datetime import date

from .models import GradeState, GradingRun


def last_full_regrade_on() -> date | None:
    """The evaluation day of the latest finished full regrade."""
    return (GradingRun.objects.filter(kind=GradingRun.Kind.FULL, finished_at__isnull=False)
            .order_by("-as_of").values_list("as_of", flat=True).first())


def confirmed_as_of(state: GradeState | None) -> date | None:
    """The latest day the current grade is known to hold. A full regrade stores a new snapshot
    only where a result changed (docs/performance.md), so ``state.as_of`` is the day the result
    last changed; every later full regrade confirmed it."""
    if state is None:
        return None
    return max(filter(None, [state.as_of, last_full_regrade_on()]))
