"""The documentation page in Debian's Chromium: Swagger UI renders every operation from the
locally served bundle, with no CSP violation or script error, at 1280 px and at 375 px."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

OPERATIONS = 8


def _check(pg, live_server) -> None:
    pg.goto(f"{live_server.url}/api/docs/")
    pg.locator("#swagger-ui .opblock").first.wait_for(timeout=15000)
    assert pg.locator("#swagger-ui .opblock").count() == OPERATIONS
    assert pg.locator("#swagger-ui").get_by_text("/api/v1/enterprises/{uscc}/grade/").count() >= 1
    assert pg.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= pg.viewport_size["width"], f"page scrolls sideways: {width}px"
    assert pg.console_errors == []


def test_swagger_ui_renders_under_the_csp(live_server, page):
    _check(page, live_server)


def test_the_documentation_works_on_a_phone(live_server, phone_page):
    _check(phone_page, live_server)
