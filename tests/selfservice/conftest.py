"""Fixtures of the self-service pages: the world of the lists app's scenarios (enterprises graded
through the archive's services, every demo role at province, city and county level)."""

from __future__ import annotations

from datetime import date

import pytest

from ..lists.conftest import demo, on_day, world  # noqa: F401  (fixtures shared with the lists scenarios)

# A working day of a year whose holiday schedule is loaded, so that objection due dates do not
# depend on the day the suite runs (SPEC §5: an unloaded year is an error, never a guess).
PINNED = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.QCREDIT_OBJECTION_FILES = str(tmp_path / "objection-files")


@pytest.fixture
def as_user(client):
    """Log the test client in as ``user`` and return the client."""

    def login(user):
        client.force_login(user)
        return client

    return login
