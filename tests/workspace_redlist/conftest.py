"""The red-list screens over the red-list scenario world of tests/redlist: the demo bureaus with
every role, the province's and Jinan's lists, subjects built through the archive's services,
and the clock (today is a Monday of a loaded year unless a test moves it)."""

from __future__ import annotations

import pytest

from qcredit.audit.models import AuditEvent

from ..redlist.conftest import (  # noqa: F401  (fixtures)
    _fresh_calendar_cache,
    clock,
    jinan_list,
    people,
    province_list,
    units,
)


@pytest.fixture
def as_user(client, people):  # noqa: F811  (the fixture above)
    """Log the test client in as a demo account (``sheng-division`` …) and return the client."""

    def login(username: str):
        client.force_login(people[username])
        return client

    return login


def page(response) -> str:
    return response.content.decode()


def refusal(response) -> str:
    """The text of the refusal box of a page ("" if none)."""
    import re

    found = re.search(r'<div class="refusal"[^>]*>(.*?)</div>', page(response), re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def access_events(action: str, user) -> int:
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS, action=action, actor=user).count()
