"""Publication events and the outbox of the push to partner systems (SPEC §7.2).

The list apps call :func:`publication_event_record` inside their publishing transaction; it
records the event and, in the same transaction, one :class:`OutboxMessage` per enabled partner
(:func:`outbox_fan_out`). A publication therefore never commits without its messages, and a
message never exists for a publication that rolled back. Delivery is
:mod:`qcredit.exchange.delivery`; this module holds the writes people make: a retry of what
failed (office or admin, within their jurisdiction), queueing past events for a partner
enabled later, and a partner's configuration (province admins, from the Django admin).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from qcredit.accounts.models import Membership, Role
from qcredit.accounts.services import AccessDenied, authorize
from qcredit.audit.services import audit_write

from .errors import ExchangeError, ExchangeErrorCode
from .models import OutboxMessage, Partner, PublicationEvent

PROVINCE = "37"  # the partners are provincial systems; their configuration is the province's
OPERATOR_ROLES = (Role.ADMIN, Role.OFFICE)  # who watches the outbox and retries (SPEC §1)
PAYLOAD_FORMAT = "qcredit-list-event/1"


def publication_event_record(*, list_kind: str, kind: str, entry_key: str, payload: dict,
                             occasion: str = "") -> PublicationEvent:
    """Record that an entry was published or withdrawn, with its outbox messages. The
    idempotency key is ``{entry_key}:{kind}:{occasion}`` (occasion distinguishes a second
    publication of the same entry, e.g. a renewal date); recording the same event twice
    returns the first and queues nothing more."""
    if not connection.in_atomic_block:
        raise RuntimeError("publication events are recorded inside the publishing transaction")
    key = f"{entry_key}:{kind}:{occasion}"[:100]
    event, created = PublicationEvent.objects.get_or_create(
        idempotency_key=key, defaults={"list_kind": list_kind, "kind": kind, "entry_key": entry_key,
                                       "payload": payload})
    if created:
        outbox_fan_out(event=event)
    return event


# --- the outbox -----------------------------------------------------------------------------------


def message_key(event: PublicationEvent, partner: Partner) -> str:
    """The Idempotency-Key a partner receives: the event's key and the partner's code. Every
    resend of the message carries the same key, so the partner applies it once."""
    return f"{event.idempotency_key}@{partner.code}"


def message_payload(event: PublicationEvent, partner: Partner) -> dict:
    """What the partner receives (SPEC §7.2): the event — which list, published or withdrawn,
    which entry, when, its place in the order of events — and the public fields as published
    (主体名称, 统一社会信用代码, 名单类别, 列入原因, 认定部门, 列入日期, 有效期至, 数据来源单位,
    数据来源单位统一社会信用代码) or the withdrawal's public reason. Frozen when queued: a
    resend carries exactly what was first sent."""
    return {
        "format": PAYLOAD_FORMAT,
        "idempotency_key": message_key(event, partner),
        "event_id": event.pk,
        "action": event.kind,
        "action_label": PublicationEvent.Kind(event.kind).label,
        "list": event.list_kind,
        "list_label": PublicationEvent.ListKind(event.list_kind).label,
        "entry_key": event.entry_key,
        "occurred_at": timezone.localtime(event.occurred_at).isoformat(),
        "data": event.payload,
    }


def _subject(event: PublicationEvent) -> tuple[str, str, str]:
    from qcredit.archive.models import Enterprise

    uscc = str(event.payload.get("统一社会信用代码", ""))[:18]
    name = str(event.payload.get("主体名称", ""))[:200]
    region = Enterprise.objects.filter(uscc=uscc).values_list("region", flat=True).first() or ""
    return uscc, name, region


def outbox_fan_out(*, event: PublicationEvent, partners: list[Partner] | None = None,
                   now: datetime | None = None) -> list[OutboxMessage]:
    """One message per partner (default: every enabled partner), due at once, in the caller's
    transaction."""
    partners = list(Partner.objects.filter(enabled=True)) if partners is None else partners
    if not partners:
        return []
    uscc, name, region = _subject(event)
    now = now or timezone.now()
    return OutboxMessage.objects.bulk_create([
        OutboxMessage(event=event, partner=partner, idempotency_key=message_key(event, partner),
                      list_kind=event.list_kind, kind=event.kind, entry_key=event.entry_key, uscc=uscc,
                      name=name, region=region, payload=message_payload(event, partner), created_at=now,
                      next_attempt_at=now)
        for partner in partners])


def retryable(message: OutboxMessage) -> bool:
    """A failed message, or one waiting for its next try after a failure."""
    return message.state == OutboxMessage.State.FAILED or (
        message.state == OutboxMessage.State.PENDING and message.failures > 0)


def _operator(actor, region: str) -> Membership | None:
    """The membership by which ``actor`` runs the outbox for an enterprise of ``region``; the
    system (``actor=None``: the CLI, an operator's tool) needs none."""
    if actor is None:
        return None
    if region:
        return authorize(user=actor, role=OPERATOR_ROLES, region=region)
    return authorize(user=actor, role=OPERATOR_ROLES, jurisdiction=PROVINCE)


def may_operate(*, actor, region: str) -> bool:
    """Whether ``actor`` may retry a message of an enterprise in ``region`` (for showing the
    button; the service decides)."""
    try:
        _operator(actor, region)
    except AccessDenied:
        return False
    return True


def _message_json(message: OutboxMessage) -> dict:
    return {"state": message.state, "attempts": message.attempts, "failures": message.failures,
            "next_attempt_at": message.next_attempt_at.isoformat() if message.next_attempt_at else None,
            "last_status": message.last_status, "last_error": message.last_error}


def _requeue(message: OutboxMessage, now: datetime) -> None:
    message.state = OutboxMessage.State.PENDING
    message.failures = 0
    message.failed_at = None
    message.next_attempt_at = now
    message.save(update_fields=["state", "failures", "failed_at", "next_attempt_at"])


def outbox_message_retry(*, message: OutboxMessage | int, actor, reason: str = "") -> OutboxMessage:
    """Send a failed message again now ("立即重试"), with a fresh series of attempts. Office or
    admin staff whose jurisdiction covers the enterprise, or the system (CLI)."""
    message_id = message if isinstance(message, int) else message.pk
    current = OutboxMessage.objects.filter(pk=message_id).first()
    if current is None:
        raise ExchangeError(ExchangeErrorCode.NOT_FOUND, f"没有编号为 {message_id} 的推送消息")
    membership = _operator(actor, current.region)
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if not retryable(locked):
            raise ExchangeError(ExchangeErrorCode.NOT_RETRYABLE,
                                f"消息 #{locked.pk} 当前状态为“{locked.get_state_display()}”"
                                + ("，尚未失败过，无需重试" if locked.state == OutboxMessage.State.PENDING
                                   else "，不能重试"))
        before = _message_json(locked)
        _requeue(locked, timezone.now())
        audit_write(actor=actor, membership=membership, action="exchange.outbox.retry", obj=locked,
                    before=before, after=_message_json(locked), reason=reason)
    return locked


def operator_scope(actor) -> list[str] | None:
    """The region prefixes whose messages ``actor`` runs (None: all — the system, or a
    province unit)."""
    if actor is None:
        return None
    jurisdictions = sorted(set(Membership.objects.filter(user=actor, role__in=OPERATOR_ROLES, unit__active=True)
                               .values_list("unit__jurisdiction", flat=True)))
    if any(len(j) <= len(PROVINCE) for j in jurisdictions):
        return None
    return jurisdictions


def scope_filter(scope: list[str] | None, prefix: str = "") -> Q:
    """Messages of enterprises inside ``scope`` (messages without a known region belong to
    the province). ``prefix`` names the relation when filtering from another model
    (``"messages__"`` from Partner)."""
    if scope is None:
        return Q()
    q = Q(**{f"{prefix}pk__in": []})
    for region_prefix in scope:
        q |= Q(**{f"{prefix}region__startswith": region_prefix})
    return q


def outbox_retry_failed(*, actor, partner: Partner | None = None, reason: str = "") -> list[int]:
    """Send every failed message again (of one partner, or all), within the actor's
    jurisdiction: e.g. after a partner's outage that outlasted the retries. One audit event
    names them all. Returns their ids."""
    membership = None if actor is None else authorize(user=actor, role=OPERATOR_ROLES)
    scope = operator_scope(actor)
    with transaction.atomic():
        failed = OutboxMessage.objects.select_for_update().filter(scope_filter(scope),
                                                                  state=OutboxMessage.State.FAILED)
        if partner is not None:
            failed = failed.filter(partner=partner)
        now = timezone.now()
        ids = []
        for message in failed.order_by("id"):
            _requeue(message, now)
            ids.append(message.pk)
        if ids:
            audit_write(actor=actor, membership=membership, action="exchange.outbox.retry_failed",
                        obj=("exchange.outboxmessage", ",".join(map(str, ids))[:200], f"{len(ids)} 条失败消息"),
                        after={"messages": ids, "partner": partner.code if partner else None}, reason=reason)
    return ids


def outbox_enqueue(*, partner: Partner, actor=None, since: datetime | None = None) -> int:
    """Queue for ``partner`` every event (since ``since``) it has no message for — a partner
    enabled after lists were already published receives them in their original order (each
    entry's events keep their order, so a withdrawal still follows its publication). The
    system only (CLI); audited. Returns how many were queued."""
    if actor is not None:
        authorize(user=actor, role=Role.ADMIN, jurisdiction=PROVINCE)
    with transaction.atomic():
        events = PublicationEvent.objects.exclude(messages__partner=partner).order_by("id")
        if since is not None:
            events = events.filter(occurred_at__gte=since)
        now = timezone.now()
        created = 0
        for event in events.iterator():
            created += len(outbox_fan_out(event=event, partners=[partner], now=now))
        audit_write(actor=actor, action="exchange.outbox.enqueue", obj=partner,
                    after={"partner": partner.code, "since": since.isoformat() if since else None,
                           "queued": created})
    return created


# --- partners -------------------------------------------------------------------------------------

PARTNER_FIELDS = ("code", "name", "endpoint", "enabled", "note")


def _partner_json(partner: Partner | None) -> dict | None:
    if partner is None:
        return None
    # The token itself never enters the audit trail, only whether one is set.
    return {**{f: getattr(partner, f) for f in PARTNER_FIELDS}, "token": "已设置" if partner.token else "未设置"}


def partner_save(*, partner: Partner, actor, reason: str = "") -> Partner:
    """Create or change a partner's configuration (the Django admin's save): province admins
    only, endpoint http(s), audited with the token masked."""
    from urllib.parse import urlsplit

    membership = None if actor is None else authorize(user=actor, role=Role.ADMIN, jurisdiction=PROVINCE)
    parts = urlsplit(partner.endpoint or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ExchangeError(ExchangeErrorCode.BAD_PARTNER, "接收地址须为 http:// 或 https:// 开头的完整地址")
    with transaction.atomic():
        before = None
        if partner.pk:
            before = _partner_json(Partner.objects.select_for_update().filter(pk=partner.pk).first())
        partner.save()
        audit_write(actor=actor, membership=membership,
                    action="exchange.partner.change" if before else "exchange.partner.create", obj=partner,
                    before=before, after=_partner_json(partner), reason=reason)
    return partner
