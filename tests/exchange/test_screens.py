"""The outbox screen at /workspace/exchange/outbox/: office and admin staff see what was pushed
where and why something waits, each message's delivery log, and retry what failed — a
province unit everything, a city its own enterprises."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qcredit.accounts.models import Role
from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import OutboxMessage

from ..factories import staff
from ..lists.world import World
from .conftest import new_entry, record, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(partners, fake, clock):
    """A Jinan subject published and withdrawn (the publication refused: failed, the withdrawal
    waiting for it), a Qingdao subject delivered, and a subject with a `<script>` name."""
    world = World()
    jinan = world.enterprise(region="370102", name="济南推送测试有限公司")
    qingdao = world.enterprise(region="370202", name="青岛推送测试有限公司")
    evil = world.enterprise(region="370102", name="<script>alert(1)</script>")
    entries = {"jinan": new_entry(), "qingdao": new_entry(), "evil": new_entry()}
    record(entries["jinan"], name=jinan.name, uscc=jinan.uscc)
    record(entries["jinan"], "withdrawn", name=jinan.name, uscc=jinan.uscc)
    record(entries["qingdao"], name=qingdao.name, uscc=qingdao.uscc)
    record(entries["evil"], name=evil.name, uscc=evil.uscc)
    key = OutboxMessage.objects.get(entry_key=entries["jinan"], kind="published",
                                    partner__code="creditchina-sd").idempotency_key
    fake.script(key, "400")
    run(clock)
    run(clock)
    return entries


def msg(entry, kind="published", partner="creditchina-sd"):
    return OutboxMessage.objects.get(entry_key=entry, kind=kind, partner__code=partner)


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_the_province_office_sees_every_message_and_the_partners(client, outbox):
    response = page(client, staff(Role.OFFICE, "37"), reverse("exchange:outbox"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("信用中国（山东）", "国家企业信用信息公示系统（山东）", "济南推送测试有限公司", "青岛推送测试有限公司"):
        assert name in html
    assert "发送失败" in html and "等待前序消息" in html and "已送达" in html
    assert "全部失败消息立即重试" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


def test_a_city_sees_only_its_own_enterprises_messages(client, outbox):
    html = page(client, staff(Role.ADMIN, "3702"), reverse("exchange:outbox")).content.decode()
    assert "青岛推送测试有限公司" in html and "济南推送测试有限公司" not in html
    jinan_message = msg(outbox["jinan"])
    assert page(client, staff(Role.OFFICE, "3702"), reverse("exchange:message", args=[jinan_message.pk])
                ).status_code == 404


def test_other_roles_and_anonymous_users_are_refused(client, outbox):
    response = client.get(reverse("exchange:outbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role in (Role.DIVISION, Role.AUDITOR, Role.REVIEWER):
        response = page(client, staff(role, "37"), reverse("exchange:outbox"))
        assert response.status_code == 403 and "领导小组办公室和系统管理员" in response.content.decode()


def test_filters_narrow_the_list_and_nonsense_is_ignored(client, outbox):
    office = staff(Role.OFFICE, "37")
    html = page(client, office, reverse("exchange:outbox"), state="failed").content.decode()
    ids = set(re.findall(r'href="/workspace/exchange/outbox/(\d+)/"', html))
    assert ids == {str(msg(outbox["jinan"]).pk)}
    html = page(client, office, reverse("exchange:outbox"), state="blocked", partner="creditchina-sd").content.decode()
    assert set(re.findall(r'href="/workspace/exchange/outbox/(\d+)/"', html)) == {
        str(msg(outbox["jinan"], "withdrawn").pk)}
    html = page(client, office, reverse("exchange:outbox"), q="青岛推送").content.decode()
    assert "青岛推送测试有限公司" in html and "济南推送测试有限公司" not in html
    response = page(client, office, reverse("exchange:outbox"), state="nonsense", page="x", kind="<b>")
    assert response.status_code == 200


def test_the_message_page_shows_the_delivery_log_and_why_a_withdrawal_waits(client, outbox):
    office = staff(Role.OFFICE, "37")
    failed, waiting = msg(outbox["jinan"]), msg(outbox["jinan"], "withdrawn")
    html = page(client, office, reverse("exchange:message", args=[failed.pk])).content.decode()
    assert failed.idempotency_key in html and "发送记录" in html
    assert "400" in html and "需要人工处理" in html and "立即重试" in html
    html = page(client, office, reverse("exchange:message", args=[waiting.pk])).content.decode()
    assert "等待同一条目的前序消息" in html and f"#{failed.pk}" in html
    assert "立即重试" not in html  # nothing to retry: it was never sent
    assert 'style="' not in html and "onclick" not in html  # CSP: no inline style or handler


def test_retry_now_requeues_through_the_service_and_is_audited(client, outbox, fake, clock):
    office = staff(Role.OFFICE, "37", username="sheng-office-x")
    failed = msg(outbox["jinan"])
    client.force_login(office)
    assert client.get(reverse("exchange:retry", args=[failed.pk])).status_code == 405
    response = client.post(reverse("exchange:retry", args=[failed.pk]), {"reason": "对方已修正校验规则"})
    assert response.status_code == 302 and response["Location"] == reverse("exchange:message", args=[failed.pk])
    failed.refresh_from_db()
    assert failed.state == "pending" and failed.failures == 0
    event = AuditEvent.objects.get(action="exchange.outbox.retry")
    assert (event.actor_name, event.reason, event.object_id) == ("sheng-office-x", "对方已修正校验规则", str(failed.pk))
    # a second click says why nothing happens, never a 500
    response = client.post(reverse("exchange:retry", args=[failed.pk]), follow=True)
    assert "未重试" in response.content.decode()
    run(clock)
    run(clock)
    assert fake.order(outbox["jinan"]) == ["published", "withdrawn"]


def test_a_city_may_not_retry_outside_its_jurisdiction(client, outbox):
    failed = msg(outbox["jinan"])
    client.force_login(staff(Role.OFFICE, "3702"))
    assert client.post(reverse("exchange:retry", args=[failed.pk])).status_code == 404
    assert OutboxMessage.objects.get(pk=failed.pk).state == "failed"


def test_retry_all_failed_requeues_them_with_one_audit_event(client, outbox):
    client.force_login(staff(Role.ADMIN, "37"))
    response = client.post(reverse("exchange:retry-failed"), {"partner": "creditchina-sd", "reason": "恢复"},
                           follow=True)
    assert "1 条发送失败的消息已重新排队" in response.content.decode()
    assert not OutboxMessage.objects.filter(state="failed").exists()
    event = AuditEvent.objects.get(action="exchange.outbox.retry_failed")
    assert str(msg(outbox["jinan"]).pk) in event.after
    response = client.post(reverse("exchange:retry-failed"), follow=True)
    assert "没有发送失败的消息" in response.content.decode()


def test_a_city_retrying_all_failed_touches_only_its_own(client, outbox):
    client.force_login(staff(Role.OFFICE, "3702"))
    client.post(reverse("exchange:retry-failed"))
    assert msg(outbox["jinan"]).state == "failed"
