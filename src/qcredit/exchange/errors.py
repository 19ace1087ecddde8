"""Errors of the partner exchange as values with codes (STYLE): the screens and the CLI render
``.message`` (Chinese) as it is. Refusals for want of a role or jurisdiction are
:class:`qcredit.accounts.services.AccessDenied`, never these."""

from __future__ import annotations

import enum


class ExchangeErrorCode(enum.Enum):
    NOT_FOUND = "not_found"
    NOT_RETRYABLE = "not_retryable"  # only a failed message, or one waiting after a failure, is retried
    BAD_PARTNER = "bad_partner"  # a partner's configuration is refused (endpoint, code)


class ExchangeError(Exception):
    def __init__(self, code: ExchangeErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
