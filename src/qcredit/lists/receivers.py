"""Reactions of the public lists to grading events (SPEC §4.3), told on commit of the run."""

from __future__ import annotations


def lists_on_grades_changed(sender, *, run, **kwargs) -> None:
    from .services import grade_changes_react

    grade_changes_react(run=run)
