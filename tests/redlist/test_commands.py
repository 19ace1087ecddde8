"""Operators' commands: the daily jobs by hand and the status of each list, in Chinese."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from .conftest import publish, subject

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_daily_command_expires_what_is_due_and_the_status_command_counts(people, province_list, clock):
    entry = publish(people, province_list, subject())
    assert "当前公开 1" in run("redlist_status")
    day_after = entry.valid_until + timedelta(days=1)
    assert run("redlist_daily", "--today", day_after.isoformat()) == (
        f"红名单每日任务（{day_after.isoformat()}）：期满转入备查库 1 个，新建撤销研究 0 件，逾期未提出建议提示 0 件\n")
    status = run("redlist_status")
    assert "山东省质量信用红名单" in status and "期满转入备查库 1" in status and "当前公开 0" in status
