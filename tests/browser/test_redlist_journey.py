"""The whole red-list journey through the screens, in Debian's Chromium (SPEC §5.1; SRL 第五–十二
条): a division clerk nominates an eligible enterprise, the legal division passes the legality
review, the office schedules a meeting, puts the nomination on its agenda and records the
collective decision — and the public red list of the portal shows the subject, which it did
not before."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qcredit.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts
from qcredit.accounts.models import Unit
from qcredit.redlist import services
from qcredit.redlist.models import AgendaItem, Entry, Nomination
from qcredit.redlist.selectors import public_entries

from ..redlist.conftest import subject
from .conftest import login


def logout(page) -> None:
    page.click("header nav form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()


def open_list(page, live_server, name: str, tab: str) -> None:
    """From the workspace navigation to a tab of the list."""
    page.goto(f"{live_server.url}/workspace/")
    page.click("header nav a[href='/workspace/redlist/']")
    page.click(f"h2 a:has-text('{name}')")
    page.click(f"nav.tabs >> text={tab}")


@pytest.mark.django_db(transaction=True)
def test_a_nomination_goes_through_review_and_meeting_onto_the_public_red_list(live_server, page, phone_page):
    ensure_demo_accounts()
    redlist = services.redlist_create(owner=Unit.objects.get(code="sd-office"), name="山东省质量信用红名单")
    enterprise = subject(region="370102", name="济南泉城精密仪器有限公司")
    other = subject(region="370102", name="济南未被提报的企业有限公司")
    today = timezone.localdate()
    page.on("dialog", lambda dialog: dialog.accept())  # <form data-confirm>: each confirms

    page.goto(f"{live_server.url}/redlist/")
    assert enterprise.name not in page.content()

    # 1. The division of the province finds the eligible enterprise among the candidates and nominates it.
    login(page, live_server, "sheng-division", DEMO_PASSWORD)
    open_list(page, live_server, redlist.name, "候选主体")
    row = page.locator(f"tr:has-text('{enterprise.name}')")
    assert "符合列入条件" in row.inner_text() and "SRL-8.1" in row.inner_text()
    row.locator("text=提报").click()
    assert "符合列入条件" in page.locator("section.eligibility").inner_text()
    page.fill("#nomination-form textarea[name=reasons]", "质量管理体系健全，近三年监督抽查全部合格")
    page.fill("#nomination-form textarea[name=credit_facts]", "荣获山东省省长质量奖")
    page.click("#nomination-form button[type=submit]")
    assert "已保存" in page.locator("ul.messages").inner_text()
    assert page.locator("#nomination-state").inner_text() == "草稿"
    page.click("#submit-form button[type=submit]")
    assert page.locator("#nomination-state").inner_text() == "已提报，待合法性审查"
    logout(page)

    # 2. The legal division finds it in its queue and passes the legality review (SRL 第十条).
    login(page, live_server, "sheng-legal", DEMO_PASSWORD)
    open_list(page, live_server, redlist.name, "合法性审查")
    page.click(f"table >> text={enterprise.name}")
    page.check("#legal-form input[name=decision][value=pass]")
    page.fill("#legal-form textarea[name=opinion]", "主体资格、程序合法")
    page.click("#legal-form button[type=submit]")
    assert page.locator("#nomination-state").inner_text() == "合法性审查通过，待领导小组会议研究"
    logout(page)

    # 3. The office schedules a meeting, puts the nomination on its agenda and records the decision.
    login(page, live_server, "sheng-office", DEMO_PASSWORD)
    open_list(page, live_server, redlist.name, "领导小组会议")
    assert enterprise.name in page.locator("section.card:has-text('待列入议程的事项')").inner_text()
    page.select_option("#meeting-form select[name=kind]", "extraordinary")
    page.fill("#meeting-form input[name=date]", today.isoformat())
    page.fill("#meeting-form textarea[name=reason]", "审议本季度红名单提报")
    page.click("#meeting-form button[type=submit]")
    assert page.locator("h1").inner_text().endswith("临时会议")
    page.select_option("#agenda-add-form select[name=subject]", label=f"列入：{enterprise.name}（{enterprise.uscc}）")
    page.click("#agenda-add-form button[type=submit]")
    item = AgendaItem.objects.get()
    form = f"#decide-{item.pk}"
    page.check(f"{form} input[name=i{item.pk}-approved][value='1']")
    page.fill(f"{form} input[name=i{item.pk}-minutes_ref]", "鲁市监红〔2026〕1号")
    page.check(f"{form} input[name=i{item.pk}-leaders] >> nth=0")
    page.fill(f"{form} input[name=i{item.pk}-attendees]", "领导小组办公室全体")
    page.click(f"{form} button[type=submit]")
    assert "已记录集体研究决定" in page.locator("ul.messages").inner_text()
    assert page.locator(f"#item-{item.pk} .item-state").inner_text() == "通过"

    nomination = Nomination.objects.get(enterprise=enterprise)
    entry = Entry.objects.get(nomination=nomination)
    assert nomination.state == Nomination.State.PUBLISHED and entry.published_on == today
    assert [e.uscc for e in public_entries(redlist=redlist)] == [enterprise.uscc]

    page.click("nav.tabs >> text=公开中的主体")
    assert enterprise.name in page.locator("table").inner_text()
    logout(page)

    # 4. The public red list of the portal shows the subject — and no one who was not decided.
    page.goto(f"{live_server.url}/redlist/")
    content = page.content()
    assert enterprise.name in content and enterprise.uscc in content and "荣获山东省省长质量奖" in content
    assert other.name not in content

    # 5. On a phone, the division follows the nomination to its publication.
    login(phone_page, live_server, "sheng-division", DEMO_PASSWORD)
    phone_page.goto(f"{live_server.url}/workspace/redlist/nominations/{nomination.pk}/")
    assert phone_page.locator("#nomination-state").inner_text() == "已列入并公开"
    assert entry.valid_until.strftime("%Y年%-m月%-d日") in phone_page.content()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px phone"

    assert page.console_errors == [] and phone_page.console_errors == []
