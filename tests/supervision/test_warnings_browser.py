"""The early-warning pages in Chromium: the queue and the letter form at 1280 and 375 px (no
sideways scroll of the page, no script or CSP error), issuing through the form with its confirm
dialog, and the enterprise downloading its letter from its own page."""

from __future__ import annotations

from datetime import date

import pytest

from qcredit.supervision import warnings
from qcredit.supervision.models_warnings import WarningLetter
from tests.browser.fixtures import login
from tests.lists.world import World

PASSWORD = "pw-123456"


@pytest.fixture
def scene(transactional_db, monkeypatch):
    from tests.factories import staff

    monkeypatch.setattr(warnings, "today", lambda: date(2026, 9, 28))  # a day of a loaded holiday year
    world = World()
    enterprise = world.enterprise(region="370102", name="历下浏览器测试机械有限公司")
    world.make_c(enterprise)
    world.record(enterprise, "external_credit", provider="bank", rating="CCC")
    account = world.account(enterprise, username="ent-browser")
    clerk = staff("division", "370102", username="lx-clerk")
    return {"enterprise": enterprise, "account": account, "clerk": clerk}


def no_sideways_scroll(pg) -> None:
    width = pg.evaluate("window.innerWidth")
    assert pg.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.django_db(transaction=True)
def test_queue_and_form_on_a_phone(phone_page, live_server, scene):
    login(phone_page, live_server, "lx-clerk", PASSWORD)
    phone_page.goto(f"{live_server.url}/workspace/supervision/warnings/")
    assert "历下浏览器测试机械有限公司" in phone_page.content()
    no_sideways_scroll(phone_page)
    phone_page.click("text=发出黄牌警告")
    phone_page.wait_for_load_state()
    assert "签发黄牌警告书" in phone_page.content()
    no_sideways_scroll(phone_page)
    assert phone_page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_issuing_with_the_confirm_dialog_and_the_enterprise_downloads_it(page, live_server, scene):
    login(page, live_server, "lx-clerk", PASSWORD)
    page.goto(f"{live_server.url}/workspace/supervision/warnings/issue/{scene['enterprise'].uscc}/")
    page.fill("input[name=rectification_workdays]", "12")
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/warnings/letters/*/")
    letter = WarningLetter.objects.get()
    assert dialogs and "历下浏览器测试机械有限公司" in dialogs[0]
    assert letter.number in page.content() and letter.rectification_workdays == 12
    assert page.console_errors == []

    page.click("header form[action='/accounts/logout/'] button")  # logout is a POST (security)
    page.wait_for_load_state()
    login(page, live_server, "ent-browser", PASSWORD)
    page.goto(f"{live_server.url}/workspace/supervision/warnings/mine/")
    assert letter.number in page.content()
    assert page.locator("header nav a", has_text="黄牌警告书").count() == 1
    with page.expect_download() as download:
        page.click("text=下载（PDF）")
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    letter.refresh_from_db()
    assert letter.received_at is not None
    assert page.console_errors == []
