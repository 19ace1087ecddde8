"""Delivery to partner systems against a fake partner on 127.0.0.1 (SPEC §7.2): the message is
POSTed with its Idempotency-Key and token; a failure is retried with exponential backoff; a
refusal waits for a person; a lost answer is resent with the same key and applied once; a
withdrawal never overtakes its publication; every try is logged."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from qcredit.accounts.models import Notification, Role
from qcredit.audit.models import AuditEvent
from qcredit.exchange import delivery
from qcredit.exchange.delivery import backoff_delay
from qcredit.exchange.errors import ExchangeError, ExchangeErrorCode
from qcredit.exchange.models import DeliveryAttempt, OutboxMessage, Partner
from qcredit.exchange.partners import DeliverySettings, delivery_settings
from qcredit.exchange.services import outbox_message_retry

from ..factories import staff
from .conftest import drain, new_entry, record, run

pytestmark = pytest.mark.django_db

Outcome = DeliveryAttempt.Outcome


def message(entry: str, kind: str = "published", partner: str = "creditchina-sd") -> OutboxMessage:
    return OutboxMessage.objects.get(entry_key=entry, kind=kind, partner__code=partner)


def attempts(m: OutboxMessage) -> list[DeliveryAttempt]:
    return list(m.delivery_attempts.order_by("number"))


def test_a_message_is_posted_with_its_key_and_token_and_delivered_on_2xx(partners, fake, fake2, clock):
    entry = new_entry()
    record(entry)
    report = run(clock)
    assert (report.delivered, report.retried, report.failed) == (2, 0, 0)
    for partner, code in ((fake, "creditchina-sd"), (fake2, "gsxt-sd")):
        m = message(entry, partner=code)
        assert m.state == OutboxMessage.State.DELIVERED and m.delivered_at == clock.now
        assert partner.applied_keys == [m.idempotency_key]
        headers = partner.headers[0]
        assert headers["Idempotency-Key"] == m.idempotency_key
        assert headers["Authorization"] == f"Bearer {partner.token}"
        assert headers["Content-Type"].startswith("application/json")
        assert partner.applied[0]["data"] == m.payload["data"]
        [attempt] = attempts(m)
        assert (attempt.number, attempt.status_code, attempt.outcome) == (1, 200, Outcome.DELIVERED)
        assert attempt.duration_ms < 5000 and attempt.worker
        assert m.lease_token == "" and m.leased_until is None
    assert run(clock).attempts == 0  # nothing is sent twice


def test_a_server_error_is_retried_after_a_backoff_then_delivered(partners, fake, clock):
    entry = new_entry()
    record(entry)
    key = message(entry).idempotency_key
    fake.script(key, "500", "503")
    run(clock)
    m = message(entry)
    assert (m.state, m.failures, m.last_status) == ("pending", 1, 500)
    assert "500" in m.last_error
    wait = (m.next_attempt_at - clock.now).total_seconds()
    assert 45 <= wait <= 60  # about a minute: 75–100 % of the first step
    assert run(clock).attempts == 0  # not before its time
    clock.to(m.next_attempt_at)
    run(clock)
    m.refresh_from_db()
    assert m.failures == 2 and 90 <= (m.next_attempt_at - clock.now).total_seconds() <= 120
    clock.to(m.next_attempt_at)
    run(clock)
    m.refresh_from_db()
    assert m.state == "delivered" and m.attempts == 3 and m.failures == 0
    assert [a.outcome for a in attempts(m)] == [Outcome.RETRY, Outcome.RETRY, Outcome.DELIVERED]
    assert [a.status_code for a in attempts(m)] == [500, 503, 200]
    assert fake.applied_keys == [key]


def test_the_backoff_doubles_from_a_minute_to_six_hours_with_jitter_then_the_message_fails(partners, fake, clock,
                                                                                        short_timeouts):
    short_timeouts.QCREDIT_EXCHANGE_MAX_ATTEMPTS = 12
    entry = new_entry()
    record(entry)
    fake.default = "500"
    rng = random.Random(7)
    waits = []
    for n in range(1, 13):
        run(clock, rand=rng.random)
        m = message(entry)
        assert m.attempts == n
        if n < 12:
            assert m.state == "pending"
            waits.append((m.next_attempt_at - clock.now).total_seconds())
            clock.to(m.next_attempt_at)
    nominal = [min(60 * 2 ** (n - 1), 6 * 3600) for n in range(1, 12)]
    assert nominal[-3:] == [60 * 256, 6 * 3600, 6 * 3600]  # capped from the tenth failure on
    for wait, step in zip(waits, nominal, strict=True):
        assert 0.75 * step - 0.001 <= wait <= step + 0.001
    assert len({round(w / s, 6) for w, s in zip(waits, nominal, strict=True)}) > 1  # jittered, not fixed
    assert m.state == "failed" and m.failed_at == clock.now
    assert "连续失败 12 次" in m.last_error
    assert [a.outcome for a in attempts(m)] == [Outcome.RETRY] * 11 + [Outcome.FAILED]
    assert fake.applied_keys == []


def test_backoff_delay_is_base_times_two_to_the_n_capped_and_jittered_downwards():
    s = DeliverySettings(backoff_base=60, backoff_cap=6 * 3600, backoff_jitter=0.25)
    assert [backoff_delay(n, s, lambda: 0.0) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff_delay(1, s, lambda: 1.0) == 45
    assert backoff_delay(9, s, lambda: 0.0) == 60 * 256
    assert backoff_delay(10, s, lambda: 0.0) == 6 * 3600
    assert backoff_delay(500, s, lambda: 0.0) == 6 * 3600  # no overflow however long it fails
    assert delivery_settings().connect_timeout == 0.5  # the tests' short timeouts are in force


def test_retry_after_is_honoured_when_longer_than_the_backoff(partners, fake, clock):
    entry = new_entry()
    record(entry)
    fake.script(message(entry).idempotency_key, "503-retry-after")
    run(clock)
    assert (message(entry).next_attempt_at - clock.now).total_seconds() == 600


def test_a_lost_answer_is_resent_with_the_same_key_and_applied_once(partners, fake, clock):
    """The partner applied the message but its answer never arrived (connection dropped, or
    slower than our read timeout): we resend, the partner recognises the key (409)."""
    dropped, slow = new_entry(), new_entry()
    record(dropped)
    record(slow)
    fake.script(message(dropped).idempotency_key, "drop-after")
    fake.script(message(slow).idempotency_key, "slow-after")
    report = run(clock)
    assert report.retried == 1  # the first lost answer pauses the partner for this run
    report = run(clock)
    assert report.retried == 1
    for entry in (dropped, slow):
        m = message(entry)
        assert m.state == "pending" and m.failures == 1
    assert "未收到完整响应" in message(dropped).last_error
    assert "等待响应超时（0.5 秒）" in message(slow).last_error
    clock.advance(61)
    run(clock)
    for entry in (dropped, slow):
        m = message(entry)
        assert m.state == "delivered"
        assert fake.received_count(m.idempotency_key) == 2
        assert fake.applied_keys.count(m.idempotency_key) == 1
        last = attempts(m)[-1]
        assert last.status_code == 409 and last.outcome == Outcome.DELIVERED and "已应用" in last.error


def test_a_partner_that_answers_duplicates_with_200_is_delivered_too(partners, fake, clock):
    fake.duplicate_status = 200
    entry = new_entry()
    record(entry)
    fake.script(message(entry).idempotency_key, "drop-after")
    run(clock)
    clock.advance(61)
    run(clock)
    assert message(entry).state == "delivered" and fake.applied_keys == [message(entry).idempotency_key]


def test_a_409_naming_another_key_is_a_refusal_not_a_delivery(partners, fake, clock):
    entry = new_entry()
    record(entry)
    fake.script(message(entry).idempotency_key, "409-other")
    run(clock)
    m = message(entry)
    assert m.state == "failed" and "409" in m.last_error


def test_a_refusal_fails_at_once_tells_the_operators_and_holds_back_the_withdrawal(partners, fake, clock):
    office = staff(Role.OFFICE, "37", username="office-37")
    entry = new_entry()
    record(entry)
    record(entry, "withdrawn")
    publication, withdrawal = message(entry), message(entry, "withdrawn")
    fake.script(publication.idempotency_key, "400")
    drain(clock)
    publication.refresh_from_db()
    withdrawal.refresh_from_db()
    assert publication.state == "failed" and publication.attempts == 1 and "需要人工处理" in publication.last_error
    assert withdrawal.state == "pending" and withdrawal.attempts == 0  # never sent before its publication
    assert fake.received_count(withdrawal.idempotency_key) == 0
    note = Notification.objects.get(recipient=office)
    assert "推送失败" in note.subject and f"/{publication.pk}/" in note.link

    # A person checks with the partner, then retries: publication first, then the withdrawal.
    seq = AuditEvent.objects.count()
    outbox_message_retry(message=publication, actor=office, reason="已与对方核对数据格式")
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == seq + 1
    assert (event.action, event.actor_name, event.reason) == ("exchange.outbox.retry", "office-37", "已与对方核对数据格式")
    drain(clock)
    assert fake.order(entry) == ["published", "withdrawn"]
    assert message(entry).attempts == 2 and message(entry, "withdrawn").state == "delivered"


def test_only_a_failed_or_retrying_message_is_retried_and_only_by_its_operators(partners, fake, clock):
    from qcredit.accounts.services import AccessDenied

    from ..lists.world import World

    enterprise = World().enterprise(region="370102")
    jinan, unknown = new_entry(), new_entry()
    record(jinan, uscc=enterprise.uscc)
    record(unknown)  # a subject the archive does not know: the province's
    m, orphan = message(jinan), message(unknown)
    with pytest.raises(ExchangeError) as refused:
        outbox_message_retry(message=m, actor=None)
    assert refused.value.code is ExchangeErrorCode.NOT_RETRYABLE
    fake.default = "401"
    run(clock)
    run(clock)
    assert message(jinan).state == "failed" and "令牌" in message(jinan).last_error
    assert message(unknown).state == "failed"
    for user in (staff(Role.DIVISION, "37"), staff(Role.OFFICE, "3702")):  # wrong role; Qingdao, not Jinan
        with pytest.raises(AccessDenied):
            outbox_message_retry(message=m, actor=user)
    jinan_admin = staff(Role.ADMIN, "3701")
    with pytest.raises(AccessDenied):
        outbox_message_retry(message=orphan, actor=jinan_admin)
    outbox_message_retry(message=m, actor=jinan_admin)
    outbox_message_retry(message=orphan, actor=staff(Role.OFFICE, "37"))
    assert {message(jinan).state, message(unknown).state} == {"pending"}
    with pytest.raises(ExchangeError) as missing:
        outbox_message_retry(message=10**9, actor=None)
    assert missing.value.code is ExchangeErrorCode.NOT_FOUND


def test_a_withdrawal_waits_while_its_publication_is_being_retried(partners, fake, clock):
    entry = new_entry()
    record(entry)
    fake.script(message(entry).idempotency_key, "500", "500", "500")
    run(clock)
    record(entry, "withdrawn")
    for _ in range(3):
        run(clock)
        assert fake.received_count(message(entry, "withdrawn").idempotency_key) == 0
        clock.to(message(entry).next_attempt_at)
    drain(clock)
    assert fake.order(entry) == ["published", "withdrawn"]


def test_one_partner_down_does_not_hold_back_the_other_and_is_tried_once_per_run(partners, fake, fake2, clock):
    entries = [new_entry() for _ in range(4)]
    for entry in entries:
        record(entry)
    fake.default = "drop-before"
    report = run(clock)
    assert report.delivered == 4 and report.retried == 1 and report.paused_partners == ["creditchina-sd"]
    assert len(fake2.applied) == 4 and len(fake.received) == 1
    report = run(clock)  # the next run tries the next message, once
    assert report.retried == 1 and len(fake.received) == 2
    fake.default = "ok"
    drain(clock)
    assert sorted(a["entry_key"] for a in fake.applied) == sorted(entries)


def test_a_disabled_partner_keeps_its_messages_until_it_is_enabled_again(partners, fake, clock):
    entry = new_entry()
    Partner.objects.filter(code="gsxt-sd").update(enabled=False)
    record(entry)  # queued for creditchina only
    Partner.objects.filter(code="creditchina-sd").update(enabled=False)
    assert run(clock).attempts == 0
    assert message(entry).state == "pending"
    Partner.objects.filter(code="creditchina-sd").update(enabled=True)
    run(clock)
    assert message(entry).state == "delivered"
    assert not OutboxMessage.objects.filter(entry_key=entry, partner__code="gsxt-sd").exists()


def test_an_unreachable_partner_is_a_connection_error_and_retried(partners, clock):
    Partner.objects.filter(code="creditchina-sd").update(endpoint="http://127.0.0.1:9/closed")
    entry = new_entry()
    record(entry)
    run(clock)
    m = message(entry)
    assert m.state == "pending" and m.last_status is None and "连接失败" in m.last_error


def test_an_unusable_endpoint_fails_at_once(partners, clock):
    Partner.objects.filter(code="creditchina-sd").update(endpoint="ftp://example.invalid/x")
    entry = new_entry()
    record(entry)
    run(clock)
    assert message(entry).state == "failed" and "接收地址无效" in message(entry).last_error


def test_a_worker_that_dies_after_the_partner_applied_is_followed_by_a_resend_with_the_same_key(
        partners, fake, clock, monkeypatch):
    entry = new_entry()
    record(entry)
    key = message(entry).idempotency_key

    class WorkerKilled(BaseException):
        pass

    real_record = delivery._record

    def die(*args, **kwargs):
        raise WorkerKilled  # after the partner applied, before anything was recorded

    monkeypatch.setattr(delivery, "_record", die)
    with pytest.raises(WorkerKilled):
        run(clock)
    monkeypatch.setattr(delivery, "_record", real_record)
    assert fake.applied_keys.count(key) == 1
    m = message(entry)
    assert m.state == "pending" and m.leased_until > clock.now
    assert [a.outcome for a in attempts(m)] == [Outcome.SENDING]
    run(clock)  # the other partner's message goes; this one nobody sends while the claim lasts
    assert fake.received_count(key) == 1 and message(entry).attempts == 1
    clock.to(m.leased_until + timedelta(seconds=1))
    report = run(clock)
    assert report.interrupted == 1 and report.delivered == 1
    m.refresh_from_db()
    assert m.state == "delivered" and m.attempts == 2
    assert [a.outcome for a in attempts(m)] == [Outcome.INTERRUPTED, Outcome.DELIVERED]
    assert attempts(m)[1].status_code == 409
    assert fake.received_count(key) == 2 and fake.applied_keys.count(key) == 1


def test_no_message_is_lost_or_applied_twice_and_withdrawals_follow_publications(partners, fake, fake2, clock,
                                                                                 short_timeouts):
    """Chaos: both partners fail, drop answers before and after applying, and time out at
    random; entries are published and withdrawn, some while their publication is failing."""
    short_timeouts.QCREDIT_EXCHANGE_READ_TIMEOUT = 0.3
    for partner in (fake, fake2):
        partner.slow = 0.6
    rng = random.Random(2026)
    behaviours = ["ok"] * 10 + ["500"] * 3 + ["503"] + ["drop-before"] * 2 + ["drop-after"] * 3
    timeouts = {"left": 4}

    def chaos(body, nth):
        if timeouts["left"] and rng.random() < 0.06:
            timeouts["left"] -= 1
            return rng.choice(["slow-after", "slow-before"])
        return rng.choice(behaviours)

    fake.rule = fake2.rule = chaos
    entries = [new_entry() for _ in range(14)]
    withdrawn = entries[::2]
    for i, entry in enumerate(entries):
        record(entry)
        if i % 3 == 0:
            run(clock, limit=3, rand=rng.random)
    for entry in withdrawn:
        record(entry, "withdrawn")
        run(clock, limit=2, rand=rng.random)
    drain(clock, rand=rng.random)

    messages = OutboxMessage.objects.filter(entry_key__in=entries)
    assert messages.count() == 2 * (len(entries) + len(withdrawn))
    assert set(messages.values_list("state", flat=True)) == {"delivered"}  # none lost
    for partner, code in ((fake, "creditchina-sd"), (fake2, "gsxt-sd")):
        keys = set(messages.filter(partner__code=code).values_list("idempotency_key", flat=True))
        assert sorted(partner.applied_keys) == sorted(keys)  # each applied exactly once
        for entry in entries:
            assert partner.order(entry) == (["published", "withdrawn"] if entry in withdrawn else ["published"])
    retried = DeliveryAttempt.objects.filter(message__in=messages).exclude(outcome=Outcome.DELIVERED)
    assert retried.exists()  # the chaos did happen
    assert sum(len(p.received) for p in (fake, fake2)) > messages.count()
