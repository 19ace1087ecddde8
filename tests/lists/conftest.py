"""Fixtures of the public-list scenarios (helpers in :mod:`tests.lists.world`)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.lists.services import common

from .world import World


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def demo(db, world):
    """Every role at province, city and county level, and the demo enterprise account bound to
    another enterprise."""
    other = world.enterprise(name="青岛另一企业有限公司", region="370202")
    ensure_demo_accounts(enterprise=other)
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def on_day(monkeypatch):
    """Pin the date the list services act on (the grading clock is left alone)."""

    def pin(day: date) -> date:
        monkeypatch.setattr(common, "today", lambda: day)
        return day

    return pin
