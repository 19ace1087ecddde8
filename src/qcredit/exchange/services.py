"""Recording publication events (SPEC §7.2); called inside the publishing transaction."""

from __future__ import annotations

from django.db import connection

from .models import PublicationEvent


def publication_event_record(*, list_kind: str, kind: str, entry_key: str, payload: dict,
                             occasion: str = "") -> PublicationEvent:
    """Record that an entry was published or withdrawn. The idempotency key is
    ``{entry_key}:{kind}:{occasion}`` (occasion distinguishes a second publication of the same
    entry, e.g. a renewal date); recording the same event twice returns the first."""
    if not connection.in_atomic_block:
        raise RuntimeError("publication events are recorded inside the publishing transaction")
    key = f"{entry_key}:{kind}:{occasion}"[:100]
    event, _ = PublicationEvent.objects.get_or_create(
        idempotency_key=key, defaults={"list_kind": list_kind, "kind": kind, "entry_key": entry_key,
                                       "payload": payload})
    return event
