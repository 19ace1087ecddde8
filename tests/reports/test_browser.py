"""In a browser (Chromium, the shared fixtures of tests/browser): the report pages and the
export page at 1280 px and 375 px — charts drawn, no script or CSP error, no sideways scrolling
of the page (wide tables scroll inside their frame) — and a CSV download from the export form."""

from __future__ import annotations

import pytest

from ..browser.fixtures import login

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "qcredit-demo-2026"
PAGES = ("/workspace/reports/", "/workspace/reports/grades/", "/workspace/reports/movements/",
         "/workspace/reports/lists/", "/workspace/reports/deadlines/", "/workspace/exchange/exports/")


def test_report_and_export_pages_at_laptop_and_phone_width(page, phone_page, live_server, history):
    for pg, width in ((page, 1280), (phone_page, 375)):
        login(pg, live_server, "sheng-office", PASSWORD)
        for path in PAGES:
            response = pg.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert pg.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
            if path.endswith(("grades/", "movements/")):
                assert pg.locator("svg.chart-svg").count() >= 2, path
                assert pg.locator("svg.chart-svg [data-value]").count() > 0, path
        assert pg.console_errors == [], (width, pg.console_errors)


def test_the_export_form_downloads_a_csv(page, live_server, history):
    login(page, live_server, "jinan-division", PASSWORD)
    page.goto(f"{live_server.url}/workspace/exchange/exports/")
    page.select_option("select[name=dataset]", "penalties")
    page.check("input[name=format][value=csv]")
    with page.expect_download() as info:
        page.click("form.export button[type=submit]")
    download = info.value
    assert download.suggested_filename.startswith("qcredit-penalties_3701_") and download.suggested_filename.endswith(".csv")
    data = open(download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and "行政相对人名称".encode() in data
    assert page.console_errors == []
