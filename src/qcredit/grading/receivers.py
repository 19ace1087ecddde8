"""Reactions of the grading service to archive events."""

from __future__ import annotations

from . import services


def regrade_on_archive_change(sender, *, enterprise_ids, cause: str = "", **kwargs) -> None:
    ids = list(enterprise_ids)
    if ids:
        services.regrade_enterprises(enterprise_ids=ids, cause=cause or "档案变更")
