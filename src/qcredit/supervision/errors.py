"""Errors of measures and inspection plans as values with codes (STYLE: the UI and the CLI render
``.code``; ``.message`` is Chinese and shown as it is). Refusals for want of a role or a
jurisdiction are :class:`qcredit.accounts.services.AccessDenied`, never these."""

from __future__ import annotations

import enum


class SupervisionErrorCode(enum.Enum):
    WRONG_STATE = "wrong_state"  # the transition is not allowed from the plan's state
    INVALID = "invalid"  # a field of a measure or a plan is invalid (the message names it)
    REASON_REQUIRED = "reason_required"
    OUT_OF_SCOPE = "out_of_scope"  # a region, unit or enterprise outside the plan's unit
    EMPTY_SCOPE = "empty_scope"  # no enterprise in the plan's scope
    NO_INSPECTORS = "no_inspectors"  # the inspector pool is empty
    NOT_DRAWN = "not_drawn"  # the enterprise is not one of the plan's
    RESULTS_MISSING = "results_missing"  # results are published when every drawn enterprise has one
    DUPLICATE = "duplicate"  # the conflict is declared already


class SupervisionError(Exception):
    def __init__(self, code: SupervisionErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
