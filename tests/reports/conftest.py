"""Fixtures of the report scenarios: a clock the tests move (every "today" of the system), the
demo accounts of every role at province (37), Jinan (3701) and Lixia (370102), and a small
archive with a grade history over several months, built through the archive's services (each
record regrades its enterprise at once, SPEC §4.3)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.archive.models import Record
from qcredit.archive.services import enterprise_register, record_add, record_withdraw
from qcredit.rules.uscc import make_uscc
from qcredit.workdays.calendar import calendar_cache_clear

SHANGHAI = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


class Clock:
    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self.today = date(2026, 6, 15)

    def set(self, day: date) -> date:
        moment = datetime.combine(day, time(10, 0), tzinfo=SHANGHAI)
        self._monkeypatch.setattr(timezone, "now", lambda: moment)
        self.today = day
        return day


@pytest.fixture
def clock(monkeypatch):
    calendar_cache_clear()
    c = Clock(monkeypatch)
    c.set(c.today)
    yield c
    calendar_cache_clear()


@pytest.fixture
def people(db) -> dict:
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


def register(name: str, region: str, industry: str, established_on: str = "2010-03-01"):
    n = next(_serial)
    return enterprise_register(data={
        "uscc": make_uscc(f"91{region}MA{n:07d}"), "name": name, "established_on": established_on, "region": region,
        "industry": industry, "licence_required": False, "mandatory_testing": False, "exporter": False,
        "status": "active"}, actor=None)


def record(enterprise, kind: str, day: date, **fields) -> Record:
    return record_add(enterprise=enterprise, data={"id": f"RPT-{next(_serial)}", "kind": kind,
                                                   "date": (day - timedelta(days=2)).isoformat(),
                                                   "source": "济南市市场监督管理局", **fields}, actor=None)


@dataclass
class History:
    enterprises: dict
    today: date


@pytest.fixture
def history(clock, people) -> History:
    """Enterprises of Lixia and Licheng (Jinan), Qingdao and Zibo in three industries and none,
    registered on 10 February 2026 (A, B or N by age), then: two failed samplings on 12 March
    (C), a counterfeit on 20 April (D) and one failed sampling withdrawn the same day (back to
    A); the reports are read on 15 June 2026."""
    clock.set(date(2026, 2, 10))
    e = {
        "a1": register("报表甲机械有限公司", "370102", "C3431"),
        "a2": register("报表乙食品有限公司", "370202", "C1441"),
        "b1": register("报表丙商贸有限公司", "370112", "F5123", established_on="2023-08-01"),
        "n1": register("报表丁新设有限公司", "370303", "", established_on="2025-06-01"),
        "c1": register("报表戊机械有限公司", "370102", "C3431"),
        "d1": register("报表己食品有限公司", "370202", "C1441"),
        "c2": register("报表庚机械有限公司", "370303", "C3431"),
        "a3": register("报表辛仪器有限公司", "370112", "C4011"),
    }
    clock.set(date(2026, 3, 12))
    record(e["c1"], "sampling", clock.today, scope="quality", result="fail")
    failed = record(e["c2"], "sampling", clock.today, scope="quality", result="fail")
    clock.set(date(2026, 4, 20))
    record(e["d1"], "counterfeit", clock.today)
    record_withdraw(record=failed, reason="抽查结论已撤销")
    clock.set(date(2026, 6, 15))
    return History(e, clock.today)
