"""Reactions of the red list to grading (SPEC §4.3: "a red-list subject with a new adverse record
gets a revocation review"). Sent on commit of a grading run; the same work is done daily by
:func:`qcredit.redlist.services.revocation_reviews_reconcile`, so a crash between the archive
commit and this reaction is repaired the next day."""

from __future__ import annotations

import logging

from qcredit.grading.models import Evaluation

from .models import Entry

logger = logging.getLogger(__name__)


def open_revocation_reviews(sender, *, run, **kwargs) -> None:
    from .services import revocation_reviews_reconcile
    from .services.common import today

    changed = Evaluation.objects.filter(run=run).values("enterprise_id")
    listed = set(Entry.objects.filter(state=Entry.State.PUBLISHED, enterprise_id__in=changed)
                 .values_list("enterprise_id", flat=True))
    if not listed:
        return
    try:
        revocation_reviews_reconcile(today=today(), enterprise_ids=listed)
    except Exception:
        # The archive change has committed; its reaction must not fail it after the fact. The
        # daily reconcile repeats this and reports the error (e.g. a missing holiday year).
        logger.exception("red list: revocation reviews for grading run %s failed; the daily job will retry", run.pk)
