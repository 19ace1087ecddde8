"""Services of the public lists (HackSoft ``<noun>_<verb>``; Zulip-style transitions): A-grade
publication, the D re-check and the black list, objections, enterprise statements, and the
reactions to grade changes with their daily reconcile functions (run by qcredit.jobs)."""

from __future__ import annotations

import logging
from datetime import date

from .blacklist import (
    blacklist_credit_repair,
    blacklist_end_due,
    recheck_candidates,
    recheck_confirm,
    recheck_lapse,
    recheck_not_confirm,
    recheck_open,
    recheck_reconcile,
)
from .objections import objection_answer, objection_assign, objection_lodge, objections_flag_overdue
from .published_a import (
    a_application_cancel,
    a_application_evaluate,
    a_application_inspection_opinion,
    a_application_submit,
    published_a_expire_due,
    published_a_grade_left,
    published_a_reconcile,
    published_a_withdraw_request,
)
from .statements import statement_moderate, statement_submit

log = logging.getLogger("qcredit.lists")

__all__ = [
    "a_application_cancel",
    "a_application_evaluate",
    "a_application_inspection_opinion",
    "a_application_submit",
    "blacklist_credit_repair",
    "blacklist_end_due",
    "grade_changes_react",
    "objection_answer",
    "objection_assign",
    "objection_lodge",
    "objections_flag_overdue",
    "published_a_expire_due",
    "published_a_grade_left",
    "published_a_reconcile",
    "published_a_withdraw_request",
    "recheck_candidates",
    "recheck_confirm",
    "recheck_lapse",
    "recheck_not_confirm",
    "recheck_open",
    "recheck_reconcile",
    "statement_moderate",
    "statement_submit",
]


def grade_changes_react(*, run, today: date | None = None) -> dict:
    """What a grading run's grade changes mean for the public lists (SPEC §4.3), read set-based
    from its GradeChange rows: a grade that left A withdraws the published A and ends open
    applications; a new D opens a re-check; a grade that left D ends open re-checks and
    black-list entries whose minimum exposure has passed. Each reaction commits on its own;
    one that fails is logged and repaired by the daily reconcile functions."""
    from qcredit.archive.models import Enterprise
    from qcredit.grading.models import GradeChange

    from . import common

    today = today or common.today()
    # Sub-selects of the run's GradeChange rows, never id lists: a first regrade changes every
    # enterprise's grade, and a list of 100,000 ids is one SQL parameter each (SQLite refuses
    # more than 32,766).
    changes = GradeChange.objects.filter(run=run)
    left_a = changes.exclude(to_grade="A").values("enterprise_id")
    to_d = changes.filter(to_grade="D").values("enterprise_id")
    left_d = changes.filter(from_grade="D").exclude(to_grade="D").values("enterprise_id")
    done: dict[str, object] = {}
    steps = [
        ("published_a", lambda: published_a_grade_left(enterprise_ids=left_a, today=today)),
        # Only the new D episodes that have no re-check yet are opened one by one (each is a
        # case with its own audit event and notification); the filter is one query.
        ("rechecks_opened", lambda: sum(recheck_open(enterprise=e, today=today) is not None
                                        for e in Enterprise.objects.filter(
                                            pk__in=recheck_candidates(enterprise_ids=to_d)))),
        ("rechecks_lapsed", lambda: recheck_lapse(enterprise_ids=left_d, today=today)),
        ("blacklist_ended", lambda: blacklist_end_due(today=today, enterprise_ids=left_d)),
    ]
    for name, step in steps:
        try:
            done[name] = step()
        except Exception:  # repaired by the daily reconcile; never breaks the archive write that committed
            log.exception("lists: reaction %s to grading run %s failed", name, getattr(run, "pk", run))
            done[name] = "failed"
    return done
