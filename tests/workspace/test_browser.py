"""The first screen in a real browser (Debian's Chromium through Playwright): a staff member
logs in, finds an enterprise and follows an evidence link to the record on the timeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qcredit.accounts.models import Role
from qcredit.archive import services

from .. import factories
from .test_pages import RECENT, enterprise_data

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def browser_page():
    if not CHROMIUM.exists():
        if os.environ.get("QCREDIT_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is missing at /usr/bin/chromium (apt install chromium)")
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser.new_page()
        browser.close()
    _close_live_server_connections()


def _close_live_server_connections() -> None:
    """The live server's request threads may still hold a PostgreSQL session for a kept-alive
    browser connection; end them so that the test database can be dropped."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.mark.django_db(transaction=True)
def test_staff_member_follows_the_evidence_of_a_grade(live_server, browser_page):
    factories.staff(Role.DIVISION, "37", username="clerk")
    enterprise = services.enterprise_register(data=enterprise_data(7, name="淄博恒信轴承有限公司"))
    fail = services.record_add(enterprise=enterprise, data={
        "id": "S-9", "kind": "sampling", "date": RECENT, "source": "淄博市市场监督管理局",
        "scope": "quality", "result": "fail"})

    page = browser_page
    page.goto(f"{live_server.url}/workspace/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.fill("input[name=q]", "恒信轴承")
    page.click("form.search button")
    page.click(f"text={enterprise.uscc}")
    assert page.locator(".grade-card .big").inner_text() == "C 失信"
    page.click(f"#criterion-QCO-C2 a[href='#record-{fail.pk}']")
    assert page.url.endswith(f"#record-{fail.pk}")
    assert "产品质量/计量监督抽查" in page.locator(f"#record-{fail.pk}").inner_text()
