"""The staff bar offers a user only the areas its roles work in (the pages check again)."""

from __future__ import annotations

import pytest

from qcredit.accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def bar(client, user) -> str:
    client.force_login(user)
    html = client.get("/workspace/rulesets/").content.decode()
    return html[html.index('<nav id="site-nav">'):html.index("</nav>")]


def test_an_auditor_sees_the_audit_log_and_not_the_case_work(client):
    nav = bar(client, factories.staff(Role.AUDITOR))
    assert "审计日志" in nav
    assert "档案录入与导入" not in nav and "红名单" not in nav and "数据推送" not in nav


def test_a_division_clerk_sees_record_entry_and_not_the_audit_log_or_the_outbox(client):
    nav = bar(client, factories.staff(Role.DIVISION))
    assert "档案录入与导入" in nav and "红名单" in nav
    assert "审计日志" not in nav and "数据推送" not in nav


def test_the_office_sees_the_outbox(client):
    nav = bar(client, factories.staff(Role.OFFICE))
    assert "数据推送" in nav and "档案录入与导入" not in nav
