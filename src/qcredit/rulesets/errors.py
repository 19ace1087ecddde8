"""Errors of rule-set versions (SPEC §6): a code the admin, the API and the CLI all render,
and a Chinese message for the user."""

from __future__ import annotations

import enum


class RuleSetVersionErrorCode(enum.Enum):
    NOT_FOUND = "not_found"
    VERSION_INVALID = "version_invalid"
    VERSION_EXISTS = "version_exists"
    NO_OVERRIDES = "no_overrides"
    UNKNOWN_PARAMETER = "unknown_parameter"
    INVALID_VALUE = "invalid_value"
    UNIT_MISMATCH = "unit_mismatch"
    ARTICLE_REQUIRED = "article_required"
    UNCHANGED_VALUE = "unchanged_value"
    EFFECTIVE_TOO_EARLY = "effective_too_early"
    REASON_REQUIRED = "reason_required"
    NOT_PREVIEWED = "not_previewed"
    ALREADY_ACTIVE = "already_active"
    PREDECESSOR_CHANGED = "predecessor_changed"
    AS_OF_BEFORE_EFFECTIVE = "as_of_before_effective"
    IMMUTABLE = "immutable"


class RuleSetVersionError(Exception):
    def __init__(self, code: RuleSetVersionErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
