"""Output escaping: an enterprise whose name is ``<script>alert(1)</script>`` — a legal string,
registered through the archive services — appears escaped, never as markup, on the staff
pages of the workspace core (dashboard, search, enterprise page) and on the login page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.archive import services
from qcredit.archive.models import Enterprise
from qcredit.lists.services.blacklist import recheck_open
from qcredit.rules.uscc import make_uscc

from .. import factories

pytestmark = pytest.mark.django_db

NAME = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def register_hostile(actor=None) -> Enterprise:
    """The hostile name through the same service a clerk's form uses; a counterfeit record
    makes it D, and the re-check it opens puts it on the reviewer's task list."""
    enterprise = services.enterprise_register(actor=actor, data={
        "uscc": make_uscc("91370102MA7654321"), "name": NAME, "established_on": "2012-05-01", "region": "370102",
        "industry": "C3491", "licence_required": False, "mandatory_testing": False, "exporter": False,
        "status": "active"})
    services.record_add(enterprise=enterprise, actor=actor, data={
        "id": "CF-1", "kind": "counterfeit", "date": (timezone.localdate() - timedelta(days=20)).isoformat(),
        "source": "济南市市场监督管理局", "ref": "济市监罚〔2026〕1号"})
    recheck_open(enterprise=enterprise, today=timezone.localdate())
    return enterprise


def search_url(query: str) -> str:
    try:
        return reverse("workspace:search") + f"?q={query}"
    except NoReverseMatch:  # before the search moved off the workspace home
        return reverse("workspace:home") + f"?q={query}"


def assert_escaped(html: str) -> None:
    assert NAME not in html and "<script>alert" not in html
    assert ESCAPED in html


@pytest.fixture
def reviewer(client):
    user = factories.staff(Role.REVIEWER, "37", username="reviewer")
    client.force_login(user)
    return user


def test_the_name_validator_accepts_the_string_as_it_is():
    clerk = factories.staff(Role.DIVISION, "3701", username="clerk")
    enterprise = register_hostile(actor=clerk)
    assert Enterprise.objects.get(pk=enterprise.pk).name == NAME
    assert enterprise.grade_state.grade == "D"


def test_the_dashboard_escapes_it(client, reviewer):
    register_hostile()
    assert_escaped(client.get(reverse("workspace:home")).content.decode())


@pytest.mark.parametrize("query", ["script", "alert(1)", make_uscc("91370102MA7654321")])
def test_the_search_escapes_it(client, reviewer, query):
    register_hostile()
    html = client.get(search_url(query)).content.decode()
    assert_escaped(html)


def test_the_enterprise_page_escapes_it(client, reviewer):
    enterprise = register_hostile()
    html = client.get(reverse("workspace:enterprise", args=[enterprise.uscc])).content.decode()
    assert_escaped(html)
    assert ESCAPED in html.split("</title>")[0]  # the page title too


def test_the_login_page_escapes_what_was_typed(client):
    html = client.post("/accounts/login/", {"username": NAME, "password": "x"}).content.decode()
    assert NAME not in html and f'value="{ESCAPED}"' in html
    html = client.get("/accounts/login/", {"next": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html


def test_no_template_switches_escaping_off():
    """The escaping above holds for every page only while no template opts out of it."""
    from .test_csrf import project_templates

    opted_out = [name for name, path in project_templates().items()
                 if re.search(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off", path.read_text())]
    assert opted_out == []
