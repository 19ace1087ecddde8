"""Fixtures of the outbox scenarios: two fake partner systems on 127.0.0.1 configured as the two
seeded partners (enabled), a disabled third, a clock the tests move, and short timeouts."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from qcredit.exchange.delivery import deliver_due
from qcredit.exchange.models import OutboxMessage, Partner
from qcredit.exchange.services import publication_event_record

from .fake_partner import FakePartner

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def short_timeouts(settings):
    settings.QCREDIT_EXCHANGE_CONNECT_TIMEOUT = 0.5
    settings.QCREDIT_EXCHANGE_READ_TIMEOUT = 0.5
    settings.QCREDIT_EXCHANGE_LEASE_MARGIN = 0.5
    settings.QCREDIT_EXCHANGE_BACKOFF_BASE = 60
    settings.QCREDIT_EXCHANGE_BACKOFF_CAP = 6 * 3600
    settings.QCREDIT_EXCHANGE_BACKOFF_JITTER = 0.25
    settings.QCREDIT_EXCHANGE_MAX_ATTEMPTS = 16
    return settings


@pytest.fixture
def fake():
    partner = FakePartner(token="token-creditchina").start()
    yield partner
    partner.stop()


@pytest.fixture
def fake2():
    partner = FakePartner(token="token-gsxt").start()
    yield partner
    partner.stop()


@pytest.fixture
def partners(db, fake, fake2):
    """The two seeded partners pointed at the fakes and enabled, and a disabled third."""
    # update_or_create: a transactional test's flush removes the seeded rows
    Partner.objects.update_or_create(code="creditchina-sd", defaults={
        "name": "信用中国（山东）", "endpoint": fake.url, "token": fake.token, "enabled": True})
    Partner.objects.update_or_create(code="gsxt-sd", defaults={
        "name": "国家企业信用信息公示系统（山东）", "endpoint": fake2.url, "token": fake2.token, "enabled": True})
    Partner.objects.create(code="bank-test", name="测试银行", endpoint="http://127.0.0.1:9/never", enabled=False)
    return {p.code: p for p in Partner.objects.all()}


class Clock:
    """The time the delivery runs see; tests move it forward."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def to(self, moment: datetime) -> datetime:
        self.now = max(self.now, moment)
        return self.now


@pytest.fixture
def clock() -> Clock:
    # A minute ahead of the wall clock, so that messages queued during the test are due.
    return Clock(timezone.now() + timedelta(minutes=1))


def record(entry_key: str, kind: str = "published", *, list_kind: str = "redlist", name: str = "",
           uscc: str = "91370102MA0000001X"):
    """A publication event as the list apps record it: inside their transaction."""
    payload = {"主体名称": name or f"测试{entry_key}有限公司", "统一社会信用代码": uscc}
    if kind == "published":
        payload |= {"名单类别": "守信红名单", "列入原因": "连续三年无质量违法记录", "认定部门": "山东省市场监督管理局",
                    "列入日期": "2026-11-01", "有效期至": "2027-10-31", "数据来源单位": "山东省市场监督管理局",
                    "数据来源单位统一社会信用代码": "11370000MB28449441"}
    else:
        payload |= {"名单类别": "守信红名单", "撤下类别": "撤销", "撤下原因": "SRL 第十三条", "撤下日期": "2026-11-20"}
    with transaction.atomic():
        return publication_event_record(list_kind=list_kind, kind=kind, entry_key=entry_key, payload=payload)


def new_entry() -> str:
    return f"redlist:{900000 + next(_serial)}"


def run(clock: Clock, **kwargs):
    kwargs.setdefault("rand", lambda: 0.5)
    return deliver_due(clock=clock, **kwargs)


def pending() -> int:
    return OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count()


def drain(clock: Clock, *, rounds: int = 300, **kwargs) -> int:
    """Run deliveries until nothing is pending, moving the clock to the next due time whenever
    a run found nothing to do. Stops early when only messages waiting for a failed one remain.
    Returns the number of runs."""
    for n in range(1, rounds + 1):
        report = run(clock, **kwargs)
        waiting = list(OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, partner__enabled=True))
        if not waiting:
            return n
        if report.attempts == 0 and report.interrupted == 0:
            later = [max(m.next_attempt_at, m.leased_until or m.next_attempt_at) for m in waiting]
            later = [t for t in later if t > clock.now]
            if not later:
                return n  # only messages waiting for a failed predecessor
            clock.to(min(later) + timedelta(seconds=1))
    raise AssertionError(f"still {pending()} pending after {rounds} runs")
