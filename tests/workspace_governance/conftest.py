"""Governance screens over the demo accounts (every role at province, Jinan and Lixia) and the
red-list scenario world of tests/redlist (clock, subjects, publication)."""

from __future__ import annotations

from ..redlist.conftest import (  # noqa: F401  (fixtures)
    _fresh_calendar_cache,
    clock,
    jinan_list,
    people,
    province_list,
    units,
)
from ..workspace_redlist.conftest import access_events, as_user, page, refusal  # noqa: F401
