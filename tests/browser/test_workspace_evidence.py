"""The first screen in a real browser (Debian's Chromium through Playwright): a staff member
logs in, finds an enterprise and follows an evidence link to the record on the timeline."""

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
