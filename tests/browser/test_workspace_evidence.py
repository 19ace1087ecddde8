"""The first screens in a real browser (Debian's Chromium through Playwright): a staff member
logs in, finds an enterprise and follows an evidence link to the record on the timeline; the
dashboard's charts and the search on a laptop and a phone, without a script or CSP error."""

from __future__ import annotations

import pytest

from qcredit.accounts.models import Role
from qcredit.archive import services

from .. import factories
from ..workspace.test_pages import RECENT, enterprise_data
from .conftest import login


@pytest.mark.django_db(transaction=True)
def test_staff_member_follows_the_evidence_of_a_grade(live_server, page):
    factories.staff(Role.DIVISION, "37", username="clerk")
    enterprise = services.enterprise_register(data=enterprise_data(7, name="淄博恒信轴承有限公司"))
    fail = services.record_add(enterprise=enterprise, data={
        "id": "S-9", "kind": "sampling", "date": RECENT, "source": "淄博市市场监督管理局",
        "scope": "quality", "result": "fail"})

    login(page, live_server, "clerk", "pw-123456")
    page.goto(f"{live_server.url}/workspace/enterprises/")
    page.fill("input[name=q]", "恒信轴承")
    page.click("form.filters .search button")
    page.click(f"text={enterprise.uscc}")
    assert page.locator(".grade-card .big").inner_text() == "C 失信"
    page.click(f"#criterion-QCO-C2 a[href='#record-{fail.pk}']")
    assert page.url.endswith(f"#record-{fail.pk}")
    assert "产品质量/计量监督抽查" in page.locator(f"#record-{fail.pk}").inner_text()


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_and_search_work_on_a_laptop_and_a_phone_without_script_errors(live_server, page, phone_page):
    from qcredit.grading.models import GradeState

    factories.staff(Role.DIVISION, "37", username="clerk")
    for n, region in enumerate(("370102", "370112", "370202", "370302")):
        enterprise = services.enterprise_register(data=enterprise_data(20 + n, region=region))
        if n % 2:
            services.record_add(enterprise=enterprise, data={
                "id": f"S-2{n}", "kind": "sampling", "date": RECENT, "source": "山东省市场监督管理局",
                "scope": "quality", "result": "fail"})
    graded_c = GradeState.objects.filter(grade="C").count()

    for pg, width in ((page, 1280), (phone_page, 375)):
        login(pg, live_server, "clerk", "pw-123456")
        pg.goto(f"{live_server.url}/workspace/")
        bars = pg.locator("#chart-area rect[data-series='C 失信']")
        assert sum(int(bars.nth(i).get_attribute("data-value")) for i in range(bars.count())) == graded_c
        assert pg.locator("#chart-area svg.chart-svg").first.is_visible()
        # nothing wider than the screen: the page does not scroll sideways
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        pg.locator("#chart-area svg a").first.click()  # a city's bar opens the search for that city
        pg.wait_for_load_state()
        assert "region=" in pg.url and pg.locator("tr[data-uscc]").count() >= 1
        assert pg.evaluate("document.documentElement.scrollWidth") <= width  # wide tables scroll in .table-wrap
        assert pg.console_errors == [], pg.console_errors
