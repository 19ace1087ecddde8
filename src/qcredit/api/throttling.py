"""Rate limits per client and scope, counted in the call log (SPEC §7.2 "rate-limited").

The rates are per scope in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``"120/min"``); a
client may make that many calls of a scope within the period. The count is taken from
:class:`~qcredit.api.models.ApiCall` (indexed by client, scope, time), so the limit holds
across every server process and needs neither Redis nor a shared cache — the embedded SQLite
deployment included. Refused calls (429) do not count. An answer of 429 carries
``Retry-After``: the seconds until the oldest counted call leaves the period.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from .models import ApiCall, ApiClient

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"120/min"`` → (120, 60); None for no limit."""
    if not rate:
        return None
    number, period = rate.split("/")
    return int(number), PERIODS[period.strip()[0]]


def rate_for(scope: str) -> tuple[int, int] | None:
    # Read at call time, so that a changed setting (and override_settings) applies at once.
    return parse_rate((api_settings.DEFAULT_THROTTLE_RATES or {}).get(scope))


class ClientScopeThrottle(BaseThrottle):
    def __init__(self):
        self._wait: float | None = None

    def allow_request(self, request, view) -> bool:
        client = request.auth
        scope = getattr(view, "required_scope", "")
        rate = rate_for(scope)
        if rate is None or not isinstance(client, ApiClient):
            return True
        limit, period = rate
        now = timezone.now()
        counted = (ApiCall.objects.filter(client=client, scope=scope, occurred_at__gt=now - timedelta(seconds=period))
                   .exclude(status=429))
        count = counted.count()
        if count < limit:
            return True
        # The call that must leave the period before one more is allowed.
        leaving = counted.order_by("occurred_at").values_list("occurred_at", flat=True)[count - limit]
        self._wait = max(1.0, math.ceil((leaving + timedelta(seconds=period) - now).total_seconds()))
        return False

    def wait(self) -> float | None:
        return self._wait
