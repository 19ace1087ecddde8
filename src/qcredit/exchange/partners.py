"""Configuration of the push to partner systems (SPEC §7.2): the partners seeded on install and
the delivery parameters.

Partners are :class:`qcredit.exchange.models.Partner` rows, editable in the admin by the
province's system administrators. The data migration seeds the two partners of issue 5 with
placeholder endpoints, *disabled*: an operator enters the real endpoint and token and then
enables the partner (a partner is sent only the events recorded while it is enabled; older
ones can be queued with ``qcredit exchange enqueue``).

A token may be kept out of the database: a partner whose token field is empty uses the
environment variable ``QCREDIT_EXCHANGE_TOKEN_<CODE>`` (code upper-cased, ``-`` → ``_``).

Delivery parameters come from Django settings (``QCREDIT_EXCHANGE_*``, config/settings.py),
each with the default below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings

# The partners of issue 5 item 1. The endpoints are placeholders (the .invalid top-level
# domain never resolves, RFC 6761): nothing is sent until an operator configures them.
SEED_PARTNERS = (
    {"code": "creditchina-sd", "name": "信用中国（山东）",
     "endpoint": "https://creditchina-sd.invalid/api/qcredit/list-events"},
    {"code": "gsxt-sd", "name": "国家企业信用信息公示系统（山东）",
     "endpoint": "https://gsxt-sd.invalid/api/qcredit/list-events"},
)


@dataclass(frozen=True)
class DeliverySettings:
    connect_timeout: float = 10.0  # seconds to open the connection (TCP and TLS)
    read_timeout: float = 10.0  # seconds to wait for the answer
    backoff_base: float = 60.0  # the first retry waits about a minute
    backoff_cap: float = 6 * 3600.0  # no wait is longer than six hours
    backoff_jitter: float = 0.25  # a wait is 75–100 % of its nominal value
    max_attempts: int = 16  # consecutive failures (≈ 2 days) before a person is needed
    run_budget: float = 50.0  # a delivery run stops claiming after this many seconds
    lease_margin: float = 10.0  # a claim outlives the longest possible request by this

    @property
    def request_deadline(self) -> float:
        """The longest one request may take, all included (enforced by a watchdog)."""
        return self.connect_timeout + self.read_timeout

    @property
    def lease(self) -> float:
        return self.request_deadline + self.lease_margin


def delivery_settings() -> DeliverySettings:
    defaults = DeliverySettings()
    return DeliverySettings(
        connect_timeout=float(getattr(settings, "QCREDIT_EXCHANGE_CONNECT_TIMEOUT", defaults.connect_timeout)),
        read_timeout=float(getattr(settings, "QCREDIT_EXCHANGE_READ_TIMEOUT", defaults.read_timeout)),
        backoff_base=float(getattr(settings, "QCREDIT_EXCHANGE_BACKOFF_BASE", defaults.backoff_base)),
        backoff_cap=float(getattr(settings, "QCREDIT_EXCHANGE_BACKOFF_CAP", defaults.backoff_cap)),
        backoff_jitter=float(getattr(settings, "QCREDIT_EXCHANGE_BACKOFF_JITTER", defaults.backoff_jitter)),
        max_attempts=int(getattr(settings, "QCREDIT_EXCHANGE_MAX_ATTEMPTS", defaults.max_attempts)),
        run_budget=float(getattr(settings, "QCREDIT_EXCHANGE_RUN_BUDGET", defaults.run_budget)),
        lease_margin=float(getattr(settings, "QCREDIT_EXCHANGE_LEASE_MARGIN", defaults.lease_margin)),
    )


def token_env_name(code: str) -> str:
    return "QCREDIT_EXCHANGE_TOKEN_" + code.upper().replace("-", "_")


def partner_token(partner) -> str:
    """The partner's token: the admin's field, else the environment variable."""
    return partner.token or os.environ.get(token_env_name(partner.code), "")


def ca_file() -> str | None:
    """A CA bundle for the partners' certificates (closed networks often run their own CA)."""
    return getattr(settings, "QCREDIT_EXCHANGE_CA_FILE", None) or None
