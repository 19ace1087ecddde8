"""Security in a real browser (Debian's Chromium): the hostile enterprise name runs no script
on the workspace core pages, the strict CSP reports no violation there, on the login and
password pages or anywhere in the Django admin, and the login lock shows its message."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from qcredit.accounts.models import Role

from .. import factories
from ..security.conftest import PASSWORD
from ..security.test_escaping import NAME, register_hostile, search_url
from .conftest import login


def watch_dialogs(page) -> list[str]:
    dialogs: list[str] = []

    def record(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return dialogs


@pytest.mark.django_db(transaction=True)
def test_the_hostile_name_runs_nothing_on_the_workspace_pages(live_server, page):
    dialogs = watch_dialogs(page)
    factories.staff(Role.REVIEWER, "37", username="reviewer", password=PASSWORD)
    enterprise = register_hostile()
    login(page, live_server, "reviewer", PASSWORD)

    page.goto(f"{live_server.url}/workspace/")
    assert page.get_by_text(NAME, exact=True).count() >= 1  # shown as text, on the task list
    page.goto(live_server.url + search_url("script"))
    page.get_by_role("link", name=enterprise.uscc).first.wait_for()
    assert page.get_by_text(NAME, exact=True).count() >= 1
    page.goto(f"{live_server.url}/workspace/enterprises/{enterprise.uscc}/")
    assert NAME in page.title()
    assert page.locator("h1").first.inner_text().strip().startswith(NAME)
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert dialogs == [] and page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_login_lock_and_the_password_page_in_the_browser(live_server, page):
    factories.staff(Role.DIVISION, "37", username="clerk", password=PASSWORD)
    for n in range(5):
        login(page, live_server, "clerk", f"wrong-{n}")
    assert "登录已暂停" in page.locator("p.error").inner_text()
    login(page, live_server, "clerk", PASSWORD)
    assert "登录已暂停" in page.locator("p.error").inner_text()  # the right password waits too

    factories.staff(Role.LEGAL, "37", username="legal", password=PASSWORD)
    login(page, live_server, "legal", PASSWORD)
    page.goto(f"{live_server.url}/accounts/password/")
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", "Xinyong#Jiandu-88")
    page.fill("input[name=new_password2]", "Xinyong#Jiandu-88")
    page.click("form[action='/accounts/password/'] button[type=submit]")
    assert page.locator("h1").inner_text() == "密码已修改"
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_django_admin_works_under_the_strict_csp(live_server, page):
    """The admin has no inline scripts or styles in Django 5.2: the site-wide CSP needs no
    exception for /admin/. Any violation would show as a console error."""
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert "管理后台" in page.title() or "管理" in page.locator("#site-name").inner_text()

    # Theme switch and sidebar toggle (admin JavaScript).
    page.goto(f"{live_server.url}/admin/auth/user/")
    page.locator("button.theme-toggle").first.click()
    # Date and time widgets (calendar pop-up), select filters and related-object links.
    page.goto(f"{live_server.url}/admin/accounts/notification/add/")
    page.locator("a[id^=calendarlink]").first.click()
    assert page.locator(".calendarbox").first.is_visible()
    page.locator("a[id^=clocklink]").first.click()
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    page.fill("input[name=username]", "newclerk")
    page.fill("input[name=password1]", "Xinyong#Jiandu-88")
    page.fill("input[name=password2]", "Xinyong#Jiandu-88")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    user = get_user_model().objects.get(username="newclerk")
    page.goto(f"{live_server.url}/admin/auth/user/{user.pk}/change/")
    page.locator("#id_groups_add_all_link, .selector-chooseall").first.wait_for(state="attached")
    page.goto(f"{live_server.url}/admin/accounts/membership/add/")
    page.goto(f"{live_server.url}/admin/audit/auditevent/")
    assert page.console_errors == []
