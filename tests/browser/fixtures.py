"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium; never a downloaded
browser) against pytest-django's live server.

The fixtures are registered once, in tests/conftest.py, for every test package: a test module
must not import them (a second registration of the session-wide browser would start a second
Playwright inside the first one's event loop).

Use the ``page`` fixture (a fresh browser context per test, viewport 1280×900; ``phone_page``
for 375×812) and ``login(page, live_server, username, password)``. Without Chromium the tests
are skipped locally and FAIL under QCREDIT_REQUIRE_SERVICES=1 (CI). Every browser test needs
``@pytest.mark.django_db(transaction=True)`` (the live server's threads see committed data only).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def _browser():
    if not CHROMIUM.exists():
        if os.environ.get("QCREDIT_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is missing at /usr/bin/chromium (apt install chromium)")
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


def _new_page(browser, width: int, height: int, errors: list):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    # A CSP violation or a script error is a failure of the page, not noise.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page


@pytest.fixture
def page(_browser):
    errors: list[str] = []
    context, pg = _new_page(_browser, 1280, 900, errors)
    pg.console_errors = errors
    yield pg
    context.close()
    _close_live_server_connections()


@pytest.fixture
def phone_page(_browser):
    errors: list[str] = []
    context, pg = _new_page(_browser, 375, 812, errors)
    pg.console_errors = errors
    yield pg
    context.close()
    _close_live_server_connections()


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state()


def _close_live_server_connections() -> None:
    """The live server's request threads may still hold a PostgreSQL session for a kept-alive
    browser connection; end them so that the test database can be dropped."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
