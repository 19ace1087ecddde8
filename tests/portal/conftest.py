"""Fixtures of the portal scenarios (the archive is described in :mod:`tests.portal.world`)."""

from __future__ import annotations

import pytest

from . import world as portal_world


@pytest.fixture
def today(monkeypatch):
    return portal_world.pin_clock(monkeypatch)


@pytest.fixture
def world(db, today) -> portal_world.PortalWorld:
    return portal_world.build()
