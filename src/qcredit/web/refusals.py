"""How a screen tells what a service refused: the domain error's Chinese message (what, why)
and the HTTP status — 403 for a missing role or jurisdiction, 400 for a rule of the case."""

from __future__ import annotations

from qcredit.accounts.services import AccessDenied
from qcredit.archive.bundle import BundleError


def refusal(exc: Exception) -> str:
    """The Chinese message of a domain error (what was refused and why)."""
    if isinstance(exc, BundleError):
        return "档案记录不符合要求：" + "；".join(p.reason for p in exc.problems)
    return getattr(exc, "message", None) or str(exc)


def refusal_status(exc: Exception) -> int:
    return 403 if isinstance(exc, AccessDenied) else 400
