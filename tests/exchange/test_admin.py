"""Partners are configured in the Django admin by the province's system administrators; every
change is audited with the token masked; messages are read-only there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import Partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(db):
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.filter(username__in=["sheng-admin", "jinan-admin"])}


def form(partner: Partner, **changes) -> dict:
    data = {"code": partner.code, "name": partner.name, "endpoint": partner.endpoint, "token": "",
            "enabled": "on" if partner.enabled else "", "note": partner.note}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""} | {"token": data["token"]}


def test_the_province_admin_enters_endpoint_and_token_and_enables_a_partner(client, admins):
    partner = Partner.objects.get(code="gsxt-sd")
    client.force_login(admins["sheng-admin"])
    url = reverse("admin:exchange_partner_change", args=[partner.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form(partner, endpoint="https://gsxt.example.cn/push", token="s3cret", enabled="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    partner.refresh_from_db()
    assert (partner.endpoint, partner.token, partner.enabled) == ("https://gsxt.example.cn/push", "s3cret", True)
    event = AuditEvent.objects.get(action="exchange.partner.change")
    assert event.actor_name == "sheng-admin"
    assert "s3cret" not in event.before + event.after and "已设置" in event.after

    # an empty token field keeps the stored token; "clear" removes it
    client.post(url, form(partner, note="已联调"))
    partner.refresh_from_db()
    assert partner.token == "s3cret" and partner.note == "已联调"
    client.post(url, form(partner, clear_token="on"))
    partner.refresh_from_db()
    assert partner.token == ""


def test_an_endpoint_that_is_not_http_is_refused(client, admins):
    partner = Partner.objects.get(code="gsxt-sd")
    client.force_login(admins["sheng-admin"])
    response = client.post(reverse("admin:exchange_partner_change", args=[partner.pk]),
                           form(partner, endpoint="ftp://gsxt.example.cn/push"))
    assert response.status_code == 200 and "http:// 或 https://" in response.content.decode()
    assert Partner.objects.get(pk=partner.pk).endpoint.startswith("https://gsxt-sd.invalid")


def test_a_city_admin_sees_but_does_not_change_partners_and_nobody_deletes_them(client, admins):
    partner = Partner.objects.get(code="gsxt-sd")
    client.force_login(admins["jinan-admin"])
    assert client.get(reverse("admin:exchange_partner_changelist")).status_code == 200
    response = client.post(reverse("admin:exchange_partner_change", args=[partner.pk]),
                           form(partner, endpoint="https://evil.example.cn/"))
    assert response.status_code == 403
    assert Partner.objects.get(pk=partner.pk).endpoint.startswith("https://gsxt-sd.invalid")
    client.force_login(admins["sheng-admin"])
    assert client.post(reverse("admin:exchange_partner_delete", args=[partner.pk])).status_code == 403
    assert client.get(reverse("admin:exchange_outboxmessage_changelist")).status_code == 200
