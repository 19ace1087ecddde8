"""Red-list services (SPEC §5.1): every state change of the red list is one of these functions.
Each checks role and jurisdiction itself (:func:`qcredit.accounts.services.authorize`), runs
in one transaction, writes exactly one audit event there, and tells people through inbox
rows of the same transaction (e-mail on commit). Errors: :class:`qcredit.redlist.errors.
RedListError` (``.code``, Chinese ``.message``) and ``AccessDenied``.
"""

from .common import partner_fields
from .exits import (
    redlist_daily,
    redlist_expire_due,
    removal_item_open,
    revocation_review_propose,
    revocation_reviews_flag_overdue,
    revocation_reviews_reconcile,
    ruleset_recheck,
    ruleset_recheck_preview,
)
from .meetings import agenda_item_add, agenda_item_decide, agenda_item_defer, meeting_schedule
from .nominations import (
    nomination_draft,
    nomination_edit,
    nomination_legal_review,
    nomination_submit,
    nomination_withdraw,
    redlist_create,
)

__all__ = [
    "agenda_item_add", "agenda_item_decide", "agenda_item_defer", "meeting_schedule", "nomination_draft",
    "nomination_edit", "nomination_legal_review", "nomination_submit", "nomination_withdraw", "partner_fields",
    "redlist_create", "redlist_daily", "redlist_expire_due", "removal_item_open", "revocation_review_propose",
    "revocation_reviews_flag_overdue", "revocation_reviews_reconcile", "ruleset_recheck", "ruleset_recheck_preview",
]
