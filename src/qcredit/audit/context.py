"""Where a request comes from, for the audit event (SPEC §7.3 "client address"), without
passing the request through every service: the middleware sets it per request, the CLI and
the jobs set their own channel."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.conf import settings

_client_address: ContextVar[str] = ContextVar("qcredit_client_address", default="system")


def client_address() -> str:
    return _client_address.get()


@contextlib.contextmanager
def channel(address: str):
    token = _client_address.set(address)
    try:
        yield
    finally:
        _client_address.reset(token)


def request_address(request) -> str:
    """REMOTE_ADDR, or the first X-Forwarded-For hop when the server sits behind a proxy the
    operator trusts (QCREDIT_TRUSTED_PROXY=1); a client cannot forge it otherwise."""
    if getattr(settings, "QCREDIT_TRUSTED_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with channel(request_address(request)):
            return self.get_response(request)
