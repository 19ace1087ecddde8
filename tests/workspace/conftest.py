"""Fixtures of the staff-page scenarios: a clock (every "today" of the system, so that deadlines
fall in a year whose holiday schedule is loaded whatever day the suite runs), the demo accounts
of every role at province (37), Jinan (3701) and Lixia (370102), and the red lists of the
province and of Jinan."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.accounts.models import Unit
from qcredit.workdays.calendar import calendar_cache_clear

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday of a year whose official holiday schedule is loaded.
TODAY = date(2026, 6, 15)


class Clock:
    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self.today: date = TODAY

    def set(self, day: date, at: time = time(10, 0)) -> date:
        moment = datetime.combine(day, at, tzinfo=SHANGHAI)
        self._monkeypatch.setattr(timezone, "now", lambda: moment)
        self.today = day
        return day

    def advance(self, days: int) -> date:
        return self.set(self.today + timedelta(days=days))


@pytest.fixture
def clock(monkeypatch):
    calendar_cache_clear()
    c = Clock(monkeypatch)
    c.set(TODAY)
    yield c
    calendar_cache_clear()


@pytest.fixture
def people(db):
    """Every demo account by username (``sheng-office``, ``jinan-legal``, ``lixia-reviewer`` …)."""
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def units(people):
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def province_list(units):
    from qcredit.redlist import services

    return services.redlist_create(owner=units["sd-office"], name="山东省质量信用红名单")


@pytest.fixture
def jinan_list(units):
    from qcredit.redlist import services

    return services.redlist_create(owner=units["jn-office"], name="济南市质量信用红名单")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The search keeps the regions of a jurisdiction in the cache: each test starts without."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
