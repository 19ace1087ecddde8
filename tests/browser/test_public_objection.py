"""A member of the public, in a real browser (Debian's Chromium through Playwright), finds an
enterprise on the black list, lodges an objection with an attachment, keeps the receipt
number, and follows the objection by it until the bureau's answer is there (SPEC §5.4) —
on a laptop and on a phone."""

from __future__ import annotations

import pytest

from qcredit.lists import services as lists
from qcredit.lists.models import Objection

from ..portal import world as portal_world


@pytest.fixture
def public_world(transactional_db, monkeypatch):
    portal_world.pin_clock(monkeypatch)
    return portal_world.build()


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_a_member_of_the_public_lodges_an_objection_and_tracks_it_by_receipt(live_server, page, public_world,
                                                                            tmp_path):
    subject = public_world.public["blacklisted"]
    page.on("dialog", lambda dialog: dialog.accept())  # the form asks "确认提交异议？"
    page.goto(live_server.url + "/")
    page.click("nav >> text=黑名单")
    row = page.locator("table.listing tbody tr", has_text=subject.uscc)
    row.locator("text=提出异议").click()
    assert page.url.endswith(f"/objection/?uscc={subject.uscc}&list=blacklist")
    assert page.locator("input[name=target]:checked").count() == 1  # the black-list entry is preselected

    evidence = tmp_path / "复检报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% test evidence\n")
    page.fill("input[name=name]", "赵六")
    page.fill("input[name=contact]", "zhao@example.cn")
    page.fill("textarea[name=reasons]", "该批产品经复检合格，曝光事实有误。")
    page.set_input_files("input[name=attachments]", str(evidence))
    page.click("form.objection-form button[type=submit]")

    assert page.locator("h1").inner_text() == "异议已受理"
    receipt = page.locator("dd.receipt").inner_text().strip()
    objection = Objection.objects.get()
    assert receipt == objection.receipt and objection.attachments.count() == 1
    assert page.locator("dd.state").inner_text() == "已受理"

    # later, from the home page
    page.goto(live_server.url + "/")
    page.click("text=异议受理查询")
    page.fill("input[name=receipt]", receipt.lower())
    page.click("form.search button[type=submit]")
    assert page.locator("dd.state").inner_text() == "已受理"
    assert subject.name in page.locator("dl.status").inner_text()

    office = public_world.people["sheng-office"]
    lists.objection_assign(objection=objection, assignee=office, actor=office)
    lists.objection_answer(objection=Objection.objects.get(), well_founded=False,
                           answer="经核实，该企业的失信事实清楚，异议不成立。", actor=office)
    page.fill("input[name=receipt]", receipt)
    page.click("form.search button[type=submit]")
    assert page.locator("dd.state").inner_text() == "已答复"
    assert page.locator("dd.outcome").inner_text() == objection.Outcome.UNFOUNDED.label
    assert "异议不成立" in page.locator("p.answer").inner_text()
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_objection_works_on_a_phone(live_server, phone_page, public_world):
    page = phone_page
    subject = public_world.public["published_a"]
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(live_server.url + "/objection/")
    assert _no_horizontal_scroll(page)
    page.fill("input[name=uscc]", subject.uscc)
    page.click("text=查找公示信息")
    page.check("input[name=target]")
    page.fill("input[name=name]", "孙七")
    page.fill("input[name=contact]", "13900000000")
    page.fill("textarea[name=reasons]", "A级公示信息有误。")
    assert _no_horizontal_scroll(page)
    page.click("form.objection-form button[type=submit]")
    receipt = page.locator("dd.receipt").inner_text().strip()
    assert Objection.objects.get().receipt == receipt
    assert _no_horizontal_scroll(page)
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_a_wrong_receipt_is_told_plainly(live_server, page, public_world):
    page.goto(live_server.url + "/objection/track/")
    page.fill("input[name=receipt]", "YY-2026-000001-ABCDEFGH")
    page.click("form.search button[type=submit]")
    assert "未查到该受理编号" in page.locator("p.error").inner_text()
    assert page.console_errors == []
