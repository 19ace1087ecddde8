"""Fixtures of the security tests: a staff member with a strong password, a settable clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qcredit.accounts.models import Role

from .. import factories

PASSWORD = "Zhiliang-2026!"  # meets the password policy


@pytest.fixture
def clerk(db):
    return factories.staff(Role.DIVISION, "37", username="clerk", password=PASSWORD)


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """django.utils.timezone.now under the test's control (the throttle and the audit trail
    read it)."""
    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c
