"""Reading the outbox (the staff screen and the CLI). Messages carry only what the lists
published or the public reason of a withdrawal (SPEC §7.1: public information), so reading
them is not an access to confidential data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Min, Q
from django.utils import timezone

from .delivery import earlier_undelivered
from .models import DeliveryAttempt, OutboxMessage, Partner
from .services import scope_filter

# The states shown on the screen: the stored three, the waiting ones told apart.
VIEW_STATES = {
    "pending": "待发送",
    "retrying": "等待重试",
    "blocked": "等待前序消息",
    "delivered": "已送达",
    "failed": "发送失败",
}


def outbox_messages(*, scope: list[str] | None, state: str = "", partner: str = "", list_kind: str = "",
                    kind: str = "", text: str = ""):
    """Messages inside ``scope`` (region prefixes; None = all), newest first, each annotated
    with ``blocked`` (an earlier message of its partner and entry is undelivered)."""
    messages = (OutboxMessage.objects.filter(scope_filter(scope)).select_related("partner")
                .annotate(blocked=Exists(earlier_undelivered())))
    if state in ("delivered", "failed"):
        messages = messages.filter(state=state)
    elif state == "pending":
        messages = messages.filter(state=OutboxMessage.State.PENDING)
    elif state == "retrying":
        messages = messages.filter(state=OutboxMessage.State.PENDING, failures__gt=0)
    elif state == "blocked":
        messages = messages.filter(state=OutboxMessage.State.PENDING, blocked=True)
    if partner:
        messages = messages.filter(partner__code=partner)
    if list_kind:
        messages = messages.filter(list_kind=list_kind)
    if kind:
        messages = messages.filter(kind=kind)
    text = (text or "").strip()
    if text:
        messages = messages.filter(Q(name__icontains=text) | Q(uscc__iexact=text) | Q(entry_key__iexact=text)
                                   | Q(idempotency_key__iexact=text))
    return messages.order_by("-id")


def outbox_message_get(*, scope: list[str] | None, pk: int) -> OutboxMessage | None:
    return outbox_messages(scope=scope).filter(pk=pk).first()


def message_attempts(message: OutboxMessage) -> list[DeliveryAttempt]:
    return list(message.delivery_attempts.order_by("-number", "-id"))


def message_predecessor(message: OutboxMessage) -> OutboxMessage | None:
    """The earliest undelivered message this one waits for, if any."""
    return (OutboxMessage.objects.filter(partner_id=message.partner_id, entry_key=message.entry_key,
                                         event_id__lt=message.event_id)
            .exclude(state=OutboxMessage.State.DELIVERED).order_by("event_id").first())


def message_history(message: OutboxMessage) -> list[OutboxMessage]:
    """Every message of the same partner and entry, in event order (publication, withdrawal…)."""
    return list(OutboxMessage.objects.filter(partner_id=message.partner_id, entry_key=message.entry_key)
                .order_by("event_id"))


def view_state(message: OutboxMessage, now: datetime | None = None) -> tuple[str, str]:
    """(code, Chinese label) of what a message is doing now."""
    if message.state != OutboxMessage.State.PENDING:
        return message.state, message.get_state_display()
    now = now or timezone.now()
    if not message.partner.enabled:
        return "paused", "合作系统已停用，暂停发送"
    if getattr(message, "blocked", False):
        return "blocked", VIEW_STATES["blocked"]
    if message.leased_until and message.leased_until > now:
        return "sending", "发送中"
    if message.failures:
        return "retrying", VIEW_STATES["retrying"]
    return "pending", VIEW_STATES["pending"]


@dataclass
class PartnerSummary:
    partner: Partner
    pending: int
    retrying: int
    delivered: int
    failed: int
    oldest_pending: datetime | None


def partner_summaries(*, scope: list[str] | None) -> list[PartnerSummary]:
    """Per partner: how many messages in each state, and since when the oldest waits."""
    pending = Q(messages__state=OutboxMessage.State.PENDING)
    scoped = scope_filter(scope, prefix="messages__")
    rows = Partner.objects.annotate(
        n_pending=Count("messages", filter=pending & scoped),
        n_retrying=Count("messages", filter=pending & Q(messages__failures__gt=0) & scoped),
        n_delivered=Count("messages", filter=Q(messages__state=OutboxMessage.State.DELIVERED) & scoped),
        n_failed=Count("messages", filter=Q(messages__state=OutboxMessage.State.FAILED) & scoped),
        oldest=Min("messages__created_at", filter=pending & scoped),
    ).order_by("code")
    return [PartnerSummary(partner=p, pending=p.n_pending, retrying=p.n_retrying, delivered=p.n_delivered,
                           failed=p.n_failed, oldest_pending=p.oldest) for p in rows]

