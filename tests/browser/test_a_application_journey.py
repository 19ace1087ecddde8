"""An enterprise applies for A-grade publication through the screens, in Debian's Chromium (SPEC
§5.2; QCO 三(五)): its products need statutory testing, so the inspection unit gives its opinion
first, then the provincial evaluator approves, and the published A appears on the public A list
of the portal — and only then: before the approval the computed A is nowhere public."""

from __future__ import annotations

import pytest

from qcredit.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts
from qcredit.lists import selectors
from qcredit.lists.models import AApplication, PublishedA

from ..lists.world import World, grade_of
from .conftest import login


def logout(page) -> None:
    page.click("header nav form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()


def open_application(page, live_server, enterprise_name: str) -> None:
    """From the lists overview of the workspace to the application's page."""
    page.goto(f"{live_server.url}/workspace/")
    page.click("header nav a[href='/workspace/lists/']")
    page.click("nav.subnav >> text=A级公示申请")
    page.click(f"tr:has-text('{enterprise_name}') >> text=办理")
    assert page.locator("h1").inner_text() == f"A级公示申请：{enterprise_name}"


@pytest.mark.django_db(transaction=True)
def test_an_enterprise_applies_and_the_inspection_unit_and_the_province_publish_its_a(live_server, page,
                                                                                     phone_page):
    world = World()
    enterprise = world.enterprise(name="济南历下精工检测设备有限公司", mandatory_testing=True)
    assert grade_of(enterprise) == "A"
    ensure_demo_accounts(enterprise=enterprise)  # the demo logins, "enterprise" bound to this enterprise
    page.on("dialog", lambda dialog: dialog.accept())  # <form data-confirm>: the evaluator confirms

    # The computed A is internal: not on the public A list.
    page.goto(f"{live_server.url}/a-list/")
    assert enterprise.name not in page.content()

    # 1. The enterprise sees its A with the reasons and applies.
    login(page, live_server, "enterprise", DEMO_PASSWORD)
    assert page.url.endswith("/self-service/")
    assert page.locator("#own-grade").inner_text() == "A 守信"
    assert page.locator("#criterion-QCO-A1").is_visible()
    page.click("header nav >> text=A级公示申请")
    page.fill("#apply-form textarea[name=remarks]", "本企业自愿申请公示A级")
    page.click("#apply-form button[type=submit]")
    assert "A级公示申请已提交" in page.locator("ul.messages").inner_text()
    assert page.locator("#applications .application-state").first.inner_text() == "待检验单位提出评价意见"
    logout(page)

    # 2. The inspection unit of the district gives its opinion (QCO 三(五) 依法需要监督检验).
    login(page, live_server, "lixia-inspection", DEMO_PASSWORD)
    open_application(page, live_server, enterprise.name)
    page.check("#inspection-form input[name=inspection-favourable][value=yes]")
    page.fill("#inspection-form textarea[name=inspection-opinion]", "近三年依法监督检验全部合格")
    page.click("#inspection-form button[type=submit]")
    assert page.locator("#application-state").inner_text() == "待省级评价"
    assert page.locator("#inspection-form").count() == 0
    logout(page)

    # 3. The provincial evaluator approves: the A is published.
    login(page, live_server, "sheng-evaluator", DEMO_PASSWORD)
    open_application(page, live_server, enterprise.name)
    assert "近三年依法监督检验全部合格" in page.content()
    page.check("#evaluation-form input[name=evaluate-approved][value=yes]")
    page.fill("#evaluation-form textarea[name=evaluate-note]", "符合A级评价标准")
    page.click("#evaluation-form button[type=submit]")
    assert "A级公示已发布" in page.locator("ul.messages").inner_text()
    assert page.locator("#application-state").inner_text() == "评价通过，已公示"
    logout(page)

    application = AApplication.objects.get(enterprise=enterprise)
    entry = PublishedA.objects.get(application=application)
    assert (application.state, entry.state) == (AApplication.State.APPROVED, PublishedA.State.PUBLISHED)
    assert [a.uscc for a in selectors.published_a_public()] == [enterprise.uscc]

    # 4. The public A list of the portal shows it.
    page.goto(f"{live_server.url}/a-list/")
    assert enterprise.name in page.content() and enterprise.uscc in page.content()

    # 5. On a phone, the enterprise follows its application to the publication.
    login(phone_page, live_server, "enterprise", DEMO_PASSWORD)
    phone_page.goto(f"{live_server.url}/self-service/a-applications/")
    assert phone_page.locator("#applications .application-state").first.inner_text() == "评价通过，已公示"
    assert entry.valid_until.strftime("%Y年%-m月%-d日") in phone_page.locator("#published").inner_text()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px phone"

    assert page.console_errors == [] and phone_page.console_errors == []
