"""Writing the audit trail (SPEC §7.3). Every state-changing service calls :func:`audit_write`
inside its own transaction, so the event commits or rolls back with the change; every view
of confidential data (SPEC §7.1) calls :func:`audit_access`.

Appending is serialised (the chain needs the predecessor's hash): on PostgreSQL by a
transaction-level advisory lock taken just before the append, on SQLite by its single
writer. Services therefore write their event as their last step, so the lock is held only
until their commit.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS, canonical_json, event_hash
from .context import client_address
from .models import AuditEvent

_AUDIT_LOCK = 0x7163617564697400  # "qcaudit"


class AuditRequiresTransaction(RuntimeError):
    pass


def _object_ref(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    if isinstance(obj, tuple):  # (type, id, repr) for what is not a model instance
        object_type, object_id, object_repr = obj
        return object_type, str(object_id), str(object_repr)[:200]
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), str(obj)[:200]


def _append(*, kind: str, actor, membership, action: str, obj, before, after, reason: str) -> AuditEvent:
    if not connection.in_atomic_block:
        # An event outside the change's transaction could survive a change that rolled back.
        raise AuditRequiresTransaction("audit events are written inside the transaction of the change")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK])
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    object_type, object_id, object_repr = _object_ref(obj)
    unit = membership.unit if membership is not None else None
    fields = {
        "seq": seq, "occurred_at": timezone.now(), "kind": kind,
        "actor_id": actor.pk if actor is not None else None,
        "actor_name": actor.get_username() if actor is not None else "系统",
        "unit_id": unit.pk if unit else None, "unit_name": unit.name if unit else "",
        "role": membership.role if membership is not None else "",
        "action": action, "object_type": object_type, "object_id": object_id, "object_repr": object_repr,
        "before": canonical_json(before), "after": canonical_json(after), "reason": reason or "",
        "client_address": client_address(), "prev_hash": prev_hash,
    }
    fields["hash"] = event_hash(fields)
    return AuditEvent.objects.create(**fields)


def audit_write(*, actor, action: str, obj=None, before=None, after=None, reason: str = "",
                membership=None) -> AuditEvent:
    """A state change: who (``actor``, None for the system; ``membership`` = the role and unit
    acted by), what (``action`` like ``redlist.nomination.submit``, ``obj``), before/after
    (JSON-able), why (``reason``). Must run inside the change's transaction."""
    return _append(kind=AuditEvent.Kind.WRITE, actor=actor, membership=membership, action=action, obj=obj,
                   before=before, after=after, reason=reason)


def audit_access(*, actor, action: str, obj=None, detail=None, membership=None) -> AuditEvent:
    """A view of confidential data (SPEC §7.1: computed grades, criteria, evidence, workflow
    internals). Written in its own transaction when the caller has none."""
    with transaction.atomic():
        return _append(kind=AuditEvent.Kind.ACCESS, actor=actor, membership=membership, action=action, obj=obj,
                       before=None, after=detail, reason="")
