"""Errors of the public-list workflows as values with codes (STYLE: the UI, the API and the CLI
all render ``.code``; ``.message`` is Chinese and shown as it is). Refusals for want of a role,
a jurisdiction or an enterprise account are :class:`qcredit.accounts.services.AccessDenied`,
never these."""

from __future__ import annotations

import enum


class ListsErrorCode(enum.Enum):
    WRONG_STATE = "wrong_state"  # the transition is not allowed from the object's state
    REASON_REQUIRED = "reason_required"
    TEXT_TOO_LONG = "text_too_long"
    # A-grade publication (QCO 三(五), 四(一), 五(五); SPEC §5.2)
    NOT_GRADE_A = "not_grade_a"  # only a current computed A may apply / be published
    ALREADY_APPLIED = "already_applied"  # one open application at a time
    ALREADY_PUBLISHED = "already_published"  # a published A runs until it ends; then apply anew
    INSPECTION_UNFAVOURABLE = "inspection_unfavourable"  # no publication against the inspection unit
    # D re-check and black list (QCO 三(五), 四(四); SPEC §5.3)
    NOT_GRADE_D = "not_grade_d"  # a re-check confirms a current D only
    FACTS_REQUIRED = "facts_required"  # the black list shows the facts
    NOT_OWN_RECORD = "not_own_record"  # a record of another enterprise
    STILL_D = "still_d"  # corrections left the grade D and nothing says why it is not exposed
    NOTHING_CHANGED = "nothing_changed"  # "not confirmed" needs a correction, withdrawal or annotation
    # Objections and statements (SPEC §5.4)
    NOT_PUBLIC = "not_public"  # only a public entry can be objected to or carry a statement
    UNKNOWN_TARGET = "unknown_target"
    CONTACT_REQUIRED = "contact_required"
    ATTACHMENT_REFUSED = "attachment_refused"
    NOT_ASSIGNEE = "not_assignee"
    ASSIGNEE_NOT_OFFICE = "assignee_not_office"


class ListsError(Exception):
    def __init__(self, code: ListsErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
