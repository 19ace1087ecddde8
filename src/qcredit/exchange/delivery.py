"""Delivering the outbox to partner systems (SPEC §7.2): at least once from our side, exactly
once at the partner thanks to the Idempotency-Key, in order per entry.

A run (:func:`deliver_due`, the Celery task ``qcredit.exchange.deliver_due`` or
``qcredit exchange deliver``) repeats three short steps per message:

1. **claim** — in a short transaction, the first due message is locked with
   ``SELECT … FOR UPDATE SKIP LOCKED`` (a message another worker is claiming is skipped, not
   waited for) and leased to this worker until the longest possible request is over; a
   "sending" attempt row is written. Due means: pending, its time has come, its partner is
   enabled, no live lease, and no earlier message of the same partner and entry undelivered —
   so a withdrawal waits for the publication it withdraws.
2. **send** — outside any transaction: ``POST`` the JSON payload with ``Idempotency-Key`` and
   the partner's token, short connect/read timeouts and a watchdog on the whole request.
3. **record** — in a short transaction: the attempt's status code, error, duration; the
   message delivered (2xx, or 409 naming our key: the partner had applied it already), retried
   later (5xx, 408/425/429, timeout, connection error: exponential backoff with jitter), or
   failed for a person to look at (any other answer, or the last allowed attempt).

A worker killed between send and record leaves its lease to run out; the next worker resends
with the same key and the partner, which applied it once already, says so. No transaction is
held open during a request, so the embedded SQLite database (one writer) is never blocked by a
slow partner.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import random
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .models import DeliveryAttempt, OutboxMessage
from .partners import DeliverySettings, ca_file, delivery_settings, partner_token

log = logging.getLogger("qcredit.exchange")

MAX_RESPONSE_BYTES = 64 * 1024
EXCERPT_CHARS = 500
USER_AGENT = "qcredit-outbox/1"
RETRY_STATUSES = {408, 425, 429}  # the request may succeed later: timeout, too early, too many


# --- what is due ----------------------------------------------------------------------------------


def earlier_undelivered():
    """An earlier message (by event) of the same partner and entry that is not delivered."""
    return (OutboxMessage.objects.filter(partner_id=OuterRef("partner_id"), entry_key=OuterRef("entry_key"),
                                         event_id__lt=OuterRef("event_id"))
            .exclude(state=OutboxMessage.State.DELIVERED))


def due_messages(now: datetime):
    return (OutboxMessage.objects
            .filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now, partner__enabled=True)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
            .exclude(Exists(earlier_undelivered()))
            .order_by("id"))


# --- backoff --------------------------------------------------------------------------------------


def backoff_delay(failures: int, settings: DeliverySettings, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after the ``failures``-th consecutive failure: nominal
    ``base × 2^(failures−1)`` capped at ``cap``, then a random 75–100 % of it (jitter ``j``:
    ``(1 − j) … 1``), so messages that failed together do not return together."""
    exponent = max(failures - 1, 0)
    nominal = settings.backoff_cap if exponent >= 64 else min(settings.backoff_cap,
                                                                settings.backoff_base * 2 ** exponent)
    return nominal * (1 - settings.backoff_jitter * rand())


# --- one request ----------------------------------------------------------------------------------


@dataclass
class Answer:
    """What came back from one request."""

    status: int | None = None  # None: no HTTP answer at all
    error: str = ""  # why there is no (usable) answer, in Chinese
    permanent: bool = False  # a transport error no retry will cure (bad URL, certificate)
    body: bytes = b""
    echoed_key: str = ""
    retry_after: float | None = None


def _echoed_key(headers, body: bytes) -> str:
    echoed = headers.get("Idempotency-Key", "") if headers is not None else ""
    if echoed:
        return echoed.strip()
    try:
        doc = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ""
    return str(doc.get("idempotency_key", "")) if isinstance(doc, dict) else ""


def _retry_after(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None  # an HTTP date: the backoff decides


def post_json(url: str, *, payload: dict, key: str, token: str, settings: DeliverySettings) -> Answer:
    """POST ``payload`` to ``url``. Redirects are not followed (a POST must not silently
    become something else). The whole request — connect, TLS, send, answer — is bounded by
    ``connect_timeout + read_timeout`` through a watchdog that shuts the socket."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Answer(error=f"接收地址无效：{url}", permanent=True)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
               "Idempotency-Key": key, "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=ca_file())
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=settings.connect_timeout,
                                               context=context)
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=settings.connect_timeout)
    except (OSError, ValueError) as exc:
        return Answer(error=f"接收地址无效：{exc}", permanent=True)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    expired = threading.Event()

    def watchdog() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(settings.request_deadline, watchdog)
    timer.daemon = True
    phase = "connect"
    timer.start()
    try:
        conn.connect()
        conn.sock.settimeout(settings.read_timeout)
        phase = "read"
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read(MAX_RESPONSE_BYTES)
        return Answer(status=response.status, body=data, echoed_key=_echoed_key(response.headers, data),
                      retry_after=_retry_after(response.headers.get("Retry-After")))
    except ssl.SSLCertVerificationError as exc:
        return Answer(error=f"对方证书未通过验证：{exc.verify_message or exc}", permanent=True)
    except TimeoutError:
        if phase == "connect":
            return Answer(error=f"连接超时（{settings.connect_timeout:g} 秒）")
        return Answer(error=f"等待响应超时（{settings.read_timeout:g} 秒）")
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            return Answer(error=f"请求超过总时限（{settings.request_deadline:g} 秒）")
        what = "连接失败" if phase == "connect" else "连接中断，未收到完整响应"
        return Answer(error=f"{what}：{type(exc).__name__} {exc}".strip())
    finally:
        timer.cancel()
        conn.close()


def judge(answer: Answer, key: str) -> tuple[str, str]:
    """(outcome, explanation in Chinese) of one answer."""
    Outcome = DeliveryAttempt.Outcome
    status = answer.status
    if status is None:
        return (Outcome.FAILED if answer.permanent else Outcome.RETRY), answer.error
    if 200 <= status < 300:
        return Outcome.DELIVERED, ""
    if status == 409 and answer.echoed_key == key:
        return Outcome.DELIVERED, "对方答复 409：已应用过同一幂等键的消息，视为送达"
    if status >= 500:
        return Outcome.RETRY, f"对方返回 {status}（服务器错误）"
    if status in RETRY_STATUSES:
        return Outcome.RETRY, f"对方返回 {status}（暂不能处理）"
    if 300 <= status < 400:
        return Outcome.FAILED, f"对方返回 {status}（重定向），请核对接收地址"
    if status in (401, 403):
        return Outcome.FAILED, f"对方返回 {status}（拒绝访问），请核对访问令牌"
    return Outcome.FAILED, f"对方返回 {status}（请求被拒绝），需要人工处理"


# --- a run ----------------------------------------------------------------------------------------


@dataclass
class Claim:
    message_id: int
    attempt_id: int
    token: str
    key: str
    endpoint: str
    partner_token: str
    payload: dict
    partner_id: int
    partner_code: str


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    interrupted: int = 0  # earlier attempts found without a result (a worker died)
    paused_partners: list[str] = field(default_factory=list)  # left alone after a transient error
    seconds: float = 0.0

    @property
    def attempts(self) -> int:
        return self.delivered + self.retried + self.failed

    def as_json(self) -> dict:
        return {"delivered": self.delivered, "retried": self.retried, "failed": self.failed,
                "interrupted": self.interrupted, "paused_partners": self.paused_partners,
                "seconds": round(self.seconds, 3)}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _fail(message: OutboxMessage, now: datetime, error: str) -> None:
    """The message needs a person: failed, and the operators of its region are told."""
    from qcredit.accounts.services import notify, users_with_role

    from .services import OPERATOR_ROLES

    message.state = OutboxMessage.State.FAILED
    message.failed_at = now
    log.warning("outbox message %s to %s failed: %s", message.pk, message.partner_id, error)
    recipients = users_with_role(role=OPERATOR_ROLES, region=message.region) if message.region else \
        users_with_role(role=OPERATOR_ROLES, jurisdiction="37")
    notify(recipients=recipients, subject=f"推送失败：{message.name or message.entry_key}（{message.partner}）",
           body=f"推送消息 #{message.pk}（{message.get_kind_display()}）未能送达：{error}。请核对后重试。",
           link=reverse("exchange:message", args=[message.pk]))


def _interrupt_unfinished(message: OutboxMessage, now: datetime, report: DeliveryReport) -> None:
    """Attempts still "sending" belong to a worker whose lease ran out (it died or hung): they
    count as failures, so that a message that kills its worker ends failed, not in a loop."""
    stale = list(DeliveryAttempt.objects.filter(message=message, outcome=DeliveryAttempt.Outcome.SENDING))
    for attempt in stale:
        attempt.outcome = DeliveryAttempt.Outcome.INTERRUPTED
        attempt.error = "发送进程中断，未记录结果（领取已过期）；以同一幂等键重发"
        attempt.save(update_fields=["outcome", "error"])
        message.failures += 1
        message.last_error = attempt.error
        report.interrupted += 1


def _claim(*, now: datetime, paused: dict[int, str], worker: str, settings: DeliverySettings,
           report: DeliveryReport) -> Claim | None:
    while True:
        with transaction.atomic():
            message = (due_messages(now).exclude(partner_id__in=list(paused)).select_related("partner")
                       .select_for_update(skip_locked=True, of=("self",)).first())
            if message is None:
                return None
            _interrupt_unfinished(message, now, report)
            if message.failures >= settings.max_attempts:
                message.last_error = "发送进程多次中断"
                _fail(message, now, message.last_error)
                message.lease_token, message.leased_until = "", None
                message.save()
                report.failed += 1
                continue
            token = f"{worker}:{uuid.uuid4().hex[:12]}"
            message.attempts += 1
            message.lease_token = token
            message.leased_until = now + timedelta(seconds=settings.lease)
            message.save(update_fields=["attempts", "failures", "last_error", "lease_token", "leased_until"])
            attempt = DeliveryAttempt.objects.create(message=message, number=message.attempts, started_at=now,
                                                     duration_ms=0, outcome=DeliveryAttempt.Outcome.SENDING,
                                                     worker=token)
            return Claim(message_id=message.pk, attempt_id=attempt.pk, token=token, key=message.idempotency_key,
                         endpoint=message.partner.endpoint, partner_token=partner_token(message.partner),
                         payload=message.payload, partner_id=message.partner_id,
                         partner_code=message.partner.code)


def _record(claim: Claim, answer: Answer, *, now: datetime, duration: float, settings: DeliverySettings,
            rand: Callable[[], float]) -> str:
    outcome, explanation = judge(answer, claim.key)
    excerpt = answer.body[:EXCERPT_CHARS * 4].decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().select_related("partner").get(pk=claim.message_id)
        attempt = DeliveryAttempt.objects.get(pk=claim.attempt_id)
        mine = message.lease_token == claim.token
        attempt.status_code, attempt.duration_ms = answer.status, max(int(duration * 1000), 0)
        attempt.outcome, attempt.error, attempt.response_excerpt = outcome, explanation, excerpt
        if mine:
            message.lease_token, message.leased_until = "", None
        message.last_status = answer.status
        if outcome == DeliveryAttempt.Outcome.DELIVERED:
            if message.state != OutboxMessage.State.DELIVERED:
                message.state, message.delivered_at = OutboxMessage.State.DELIVERED, now
                message.failures, message.last_error = 0, ""
        elif not mine or message.state != OutboxMessage.State.PENDING:
            # Another worker holds the message now (our lease ran out): it decides.
            attempt.error = f"{explanation}（领取已过期，消息状态由其他发送进程决定）"
        else:
            message.failures += 1
            message.last_error = explanation
            if outcome == DeliveryAttempt.Outcome.FAILED or message.failures >= settings.max_attempts:
                if outcome == DeliveryAttempt.Outcome.RETRY:
                    message.last_error = f"{explanation}；已连续失败 {message.failures} 次，停止自动重试"
                outcome = attempt.outcome = DeliveryAttempt.Outcome.FAILED
                _fail(message, now, message.last_error)
            else:
                delay = backoff_delay(message.failures, settings, rand)
                if answer.retry_after is not None:
                    delay = min(max(delay, answer.retry_after), settings.backoff_cap)
                message.next_attempt_at = now + timedelta(seconds=delay)
        attempt.save()
        message.save()
    return outcome


def deliver_due(*, limit: int | None = None, clock: Callable[[], datetime] = timezone.now,
                rand: Callable[[], float] = random.random, worker: str | None = None,
                budget: float | None = None) -> DeliveryReport:
    """Deliver what is due, one message at a time, until nothing is due, ``limit`` attempts
    were made or the time budget is spent. A partner that gave a transient error is left alone
    for the rest of the run (its other messages would most likely meet the same outage)."""
    settings = delivery_settings()
    budget = settings.run_budget if budget is None else budget
    worker = worker or worker_name()
    report = DeliveryReport()
    started = time.monotonic()
    paused: dict[int, str] = {}
    while (limit is None or report.attempts < limit) and time.monotonic() - started < budget:
        claim = _claim(now=clock(), paused=paused, worker=worker, settings=settings, report=report)
        if claim is None:
            break
        began = time.monotonic()
        answer = post_json(claim.endpoint, payload=claim.payload, key=claim.key, token=claim.partner_token,
                           settings=settings)
        outcome = _record(claim, answer, now=clock(), duration=time.monotonic() - began, settings=settings,
                          rand=rand)
        if outcome == DeliveryAttempt.Outcome.DELIVERED:
            report.delivered += 1
        elif outcome == DeliveryAttempt.Outcome.RETRY:
            report.retried += 1
            paused[claim.partner_id] = claim.partner_code
        else:
            report.failed += 1
    report.paused_partners = sorted(paused.values())
    report.seconds = time.monotonic() - started
    return report
