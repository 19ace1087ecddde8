"""Reading the audit trail: for auditors (SPEC §1 auditor) and for ``qcredit audit verify``."""

from __future__ import annotations

from .chain import HASHED, Break, verify
from .models import AuditEvent


def audit_chain_verify(*, batch: int = 5000) -> tuple[int, str, Break | None]:
    """Verify the whole chain in ``seq`` order, streaming (a million events in constant memory)."""

    def rows():
        after = 0
        while True:
            chunk = list(AuditEvent.objects.filter(seq__gt=after).order_by("seq")
                         .values_list(*HASHED, "hash")[:batch])
            if not chunk:
                return
            yield from chunk
            after = chunk[-1][0]

    return verify(rows())


def audit_events(*, object_type: str | None = None, object_id: str | None = None, kind: str | None = None):
    events = AuditEvent.objects.all()
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=str(object_id))
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("-seq")
