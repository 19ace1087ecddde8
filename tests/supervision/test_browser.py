"""In a browser (Chromium, the shared fixtures of tests/browser): a division makes a plan with
the form, draws and publishes it (confirming the dialogs), and the public page shows it — at
1280 px and 375 px, without a script or CSP error and without sideways scrolling of the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qcredit.supervision.models import InspectionPlan

from ..browser.fixtures import login

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "qcredit-demo-2026"


def page_width(pg) -> int:
    return pg.evaluate("document.documentElement.scrollWidth")


def test_a_plan_is_made_drawn_and_published_in_the_browser(page, phone_page, live_server, people, grades,
                                                            inspectors):
    grades.many({"A": 2, "B": 2, "C": 2, "D": 1})
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "jinan-division", PASSWORD)
    page.goto(f"{live_server.url}/workspace/supervision/plans/new/")
    page.fill("input[name=name]", "2026年历下区浏览器测试抽查")
    page.fill("input[name=regions]", "370102")
    today = timezone.localdate()
    page.fill("input[name=starts_on]", (today - timedelta(days=3)).isoformat())
    page.fill("input[name=ends_on]", (today + timedelta(days=30)).isoformat())
    page.fill("input[name=seed]", "8888")
    page.click("#plan-form button[type=submit]")
    page.wait_for_load_state()
    assert "抽取预览" in page.content()
    page.click("form:has(input[value=draw]) button")
    page.wait_for_load_state()
    assert "复核一致" in page.content()
    page.click("form:has(input[value=publish]) button")
    page.wait_for_load_state()
    plan = InspectionPlan.objects.get()
    assert plan.state == InspectionPlan.State.PUBLISHED and plan.seed == 8888
    assert page_width(page) <= 1280

    phone_page.on("dialog", lambda dialog: dialog.accept())
    login(phone_page, live_server, "jinan-division", PASSWORD)
    phone_page.goto(f"{live_server.url}/workspace/supervision/plans/{plan.pk}/")
    assert page_width(phone_page) <= 375
    phone_page.goto(f"{live_server.url}/inspections/{plan.pk}/")
    assert plan.name in phone_page.content() and page_width(phone_page) <= 375
    page.goto(f"{live_server.url}/inspections/")
    assert plan.name in page.content()
    assert page.console_errors == [] and phone_page.console_errors == []
