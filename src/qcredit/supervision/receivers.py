"""Reactions of supervision to grading events (SPEC §9, QCO 四(三)), told on commit of the run."""

from __future__ import annotations


def honour_reviews_on_grades_changed(sender, *, run, **kwargs) -> None:
    """An enterprise that became C (or D) gets a review item for each honour and preferential
    policy it holds; a failure is logged, and the daily reconcile (qcredit.jobs) repairs it."""
    from .warnings import honour_reviews_react

    honour_reviews_react(run=run)
