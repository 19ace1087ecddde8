"""Rule-set versions in the admin: created, previewed and activated through the services,
shown read-only (SPEC §6 "immutable once active")."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.audit.models import AuditEvent
from qcredit.rulesets.models import RuleSetVersion
from qcredit.rulesets.services import ruleset_version_create

pytestmark = pytest.mark.django_db
ADD = "admin:rulesets_rulesetversion_add"
LIST = "admin:rulesets_rulesetversion_changelist"


@pytest.fixture
def accounts():
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.filter(username__in=["sheng-admin", "jinan-admin"])}


def form_data(**extra):
    data = {"version": "SD-2027.1", "effective_from": "2027-01-01", "title": "新办法", "note": "",
            "reason": "省局印发新办法", "value__redlist_publication_period": "2",
            "article__redlist_publication_period": "新办法第十二条"}
    data.update(extra)
    return data


def test_the_province_admin_drafts_a_version_in_the_admin_form(client, accounts):
    client.force_login(accounts["sheng-admin"])
    page = client.get(reverse(ADD))
    assert page.status_code == 200 and "红名单：公开期限" in page.content.decode()
    response = client.post(reverse(ADD), form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    version = RuleSetVersion.objects.get(version="SD-2027.1")
    assert version.overrides["redlist_publication_period"]["value"] == 2
    assert version.created_by == accounts["sheng-admin"] and version.state == "draft"
    event = AuditEvent.objects.get(action="rulesets.version.create")
    assert event.reason == "省局印发新办法"


def test_the_form_shows_what_is_wrong_and_writes_nothing(client, accounts):
    client.force_login(accounts["sheng-admin"])
    response = client.post(reverse(ADD), form_data(article__redlist_publication_period=""))
    assert response.status_code == 200 and "依据条款" in response.content.decode()
    response = client.post(reverse(ADD), form_data(value__redlist_publication_period="两年"))
    assert response.status_code == 200 and "应为整数" in response.content.decode()
    assert not RuleSetVersion.objects.exists()


def test_a_city_admin_sees_versions_but_cannot_draft_or_activate(client, accounts):
    ruleset_version_create(actor=accounts["sheng-admin"], version="SD-2027.1", effective_from=date(2027, 1, 1),
                           overrides={"a_min_age": {"value": 4, "article": "第七条"}}, reason="新办法")
    client.force_login(accounts["jinan-admin"])
    assert client.get(reverse(LIST)).status_code == 200
    assert client.get(reverse(ADD)).status_code == 403
    version = RuleSetVersion.objects.get()
    response = client.post(reverse(LIST), {"action": "activate_action", "_selected_action": [version.pk],
                                           "reason": "越权", "apply": "1"})
    assert RuleSetVersion.objects.get().state == "draft"
    assert response.status_code in (200, 302)


def test_preview_and_activation_are_admin_actions_through_the_services(client, accounts, redlist):
    admin = accounts["sheng-admin"]
    version = ruleset_version_create(actor=admin, version="SD-2026.1", effective_from=date(2026, 1, 1),
                                     overrides={"a_min_age": {"value": 4, "article": "新办法第七条"}}, reason="新办法")
    client.force_login(admin)
    client.post(reverse(LIST), {"action": "preview_action", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert version.state == "previewed" and version.impact is not None

    confirm = client.post(reverse(LIST), {"action": "activate_action", "_selected_action": [version.pk]})
    assert confirm.status_code == 200 and "确认启用" in confirm.content.decode()
    assert "新办法第七条" in confirm.content.decode()
    client.post(reverse(LIST), {"action": "activate_action", "_selected_action": [version.pk],
                                "reason": "经局务会研究启用", "apply": "1"})
    version.refresh_from_db()
    assert version.state == "active" and version.activated_by == admin
    assert json.loads(AuditEvent.objects.get(action="rulesets.version.activate").after)["state"] == "active"


def test_an_active_version_is_shown_read_only(client, accounts, redlist):
    from qcredit.rulesets.services import ruleset_version_activate, ruleset_version_preview_record

    admin = accounts["sheng-admin"]
    version = ruleset_version_create(actor=admin, version="SD-2026.1", effective_from=date(2026, 1, 1),
                                     overrides={"a_min_age": {"value": 4, "article": "新办法第七条"}}, reason="新办法")
    ruleset_version_preview_record(actor=admin, version=version, as_of=date(2026, 2, 1))
    ruleset_version_activate(actor=admin, version=version, reason="启用")
    client.force_login(admin)
    url = reverse("admin:rulesets_rulesetversion_change", args=[version.pk])
    page = client.get(url).content.decode()
    assert "新办法第七条" in page and "QCO 三(一)1" in page  # new and old article side by side
    assert 'name="_save"' not in page
    assert client.post(url, {"title": "改标题"}).status_code == 403
    assert client.post(reverse("admin:rulesets_rulesetversion_delete", args=[version.pk]),
                       {"post": "yes"}).status_code == 403
    assert RuleSetVersion.objects.get().title == version.title
