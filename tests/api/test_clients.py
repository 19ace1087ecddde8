"""Partner clients are configured by the province's system administrators in the admin: every
change goes through the services (authorised, audited without the token), a token is shown once
on the page that issues it and never again, a new token replaces the old one at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied
from qcredit.api.errors import ClientError
from qcredit.api.models import ApiClient
from qcredit.api.services import api_client_create
from qcredit.api.tokens import digest
from qcredit.audit.models import AuditEvent

from .. import factories

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"qc_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def _admin(jurisdiction: str = "37") -> Client:
    user = factories.staff(Role.ADMIN, jurisdiction, is_staff=True)
    browser = Client()
    browser.force_login(user)
    return browser


def _form(**overrides) -> dict:
    return {"code": "xyzg-sd", "name": "信用中国（山东）", "scope_choices": ["public", "internal-grade"],
            "jurisdiction": "37", "sources": "", "active": "on", "note": "", **overrides}


def test_a_province_admin_creates_a_client_and_sees_its_token_once():
    browser = _admin()
    response = browser.post("/admin/api/apiclient/add/", _form())
    assert response.status_code == 200
    page = response.content.decode()
    [token] = set(TOKEN.findall(page))
    assert "no-store" in response["Cache-Control"]
    client = ApiClient.objects.get(code="xyzg-sd")
    assert client.token_hash == digest(token) and client.scope_list == ["public", "internal-grade"]
    assert not client.user.is_active and not client.user.has_usable_password()
    event = AuditEvent.objects.get(action="api.client.create")
    assert token not in event.after and client.token_prefix in event.after
    change = browser.get(f"/admin/api/apiclient/{client.pk}/change/").content.decode()
    assert not TOKEN.search(change) and client.token_prefix in change


def test_a_new_token_replaces_the_old_one():
    browser = _admin()
    old = TOKEN.search(browser.post("/admin/api/apiclient/add/", _form()).content.decode()).group()
    client = ApiClient.objects.get(code="xyzg-sd")
    assert "立即失效" in browser.get(f"/admin/api/apiclient/{client.pk}/token/").content.decode()
    response = browser.post(f"/admin/api/apiclient/{client.pk}/token/", {"reason": "对方系统迁移"})
    new = TOKEN.search(response.content.decode()).group()
    assert new != old and ApiClient.objects.get(pk=client.pk).token_hash == digest(new)
    event = AuditEvent.objects.get(action="api.client.token_issue")
    assert event.reason == "对方系统迁移" and new not in event.after
    assert Client().get("/api/v1/redlist/", HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 401
    assert Client().get("/api/v1/redlist/", HTTP_AUTHORIZATION=f"Bearer {new}").status_code == 200


def test_an_intake_client_needs_its_sources_and_the_form_says_so():
    browser = _admin()
    response = browser.post("/admin/api/apiclient/add/", _form(scope_choices=["intake"]))
    assert response.status_code == 200 and "至少要有一个可报送的记录单位" in response.content.decode()
    assert not ApiClient.objects.exists()
    browser.post("/admin/api/apiclient/add/", _form(scope_choices=["intake"], sources="省局抽查系统\n省局抽查系统\n"))
    assert ApiClient.objects.get().source_list == ["省局抽查系统"]


def test_changes_are_audited_with_before_and_after():
    browser = _admin()
    browser.post("/admin/api/apiclient/add/", _form())
    client = ApiClient.objects.get()
    browser.post(f"/admin/api/apiclient/{client.pk}/change/", _form(scope_choices=["public"], active=""))
    client.refresh_from_db()
    assert client.scope_list == ["public"] and not client.active
    event = AuditEvent.objects.get(action="api.client.update")
    assert event.before_data["scopes"] == ["public", "internal-grade"] and event.after_data["scopes"] == ["public"]
    assert event.after_data["active"] is False


def test_only_province_admins_configure_clients():
    county = _admin("370102")
    assert county.get("/admin/api/apiclient/add/").status_code == 403
    assert county.post("/admin/api/apiclient/add/", _form()).status_code == 403
    assert not ApiClient.objects.exists()
    officer = factories.staff(Role.DIVISION, "37")
    with pytest.raises(AccessDenied):
        api_client_create(code="x-1", name="x", scopes=["public"], actor=officer)


@pytest.mark.parametrize(("fields", "message"), [
    ({"code": "X_1"}, "代号"), ({"scopes": ["everything"]}, "权限范围"), ({"jurisdiction": "3"}, "管辖区域"),
])
def test_invalid_configurations_are_refused(fields, message):
    values = {"code": "bank-1", "name": "某银行", "scopes": ["public"], "jurisdiction": "37", **fields}
    with pytest.raises(ClientError) as refused:
        api_client_create(actor=None, **values)
    assert message in refused.value.message
