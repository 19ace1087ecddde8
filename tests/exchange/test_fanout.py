"""SPEC §7.2: every publication and withdrawal becomes one message per enabled partner, in the
publishing transaction, with an idempotency key and the partner field set."""

from __future__ import annotations

import pytest
from django.db import transaction

from qcredit.audit.models import AuditEvent
from qcredit.exchange.models import OutboxMessage, Partner, PublicationEvent
from qcredit.exchange.services import outbox_enqueue, publication_event_record

from ..lists.world import World
from .conftest import new_entry, record

pytestmark = pytest.mark.django_db


def test_the_two_partners_are_seeded_disabled_with_placeholder_endpoints(db):
    seeded = {p.code: p for p in Partner.objects.all()}
    assert {p.name for p in seeded.values()} == {"信用中国（山东）", "国家企业信用信息公示系统（山东）"}
    assert all(not p.enabled and ".invalid/" in p.endpoint for p in seeded.values())
    # nothing is queued for a partner nobody configured
    record(new_entry())
    assert not OutboxMessage.objects.exists()


def test_an_event_becomes_one_message_per_enabled_partner_with_key_and_payload(partners):
    enterprise = World().enterprise(region="370102", name="济南红名单机械有限公司")
    entry = new_entry()
    event = record(entry, name=enterprise.name, uscc=enterprise.uscc)
    messages = {m.partner.code: m for m in OutboxMessage.objects.filter(event=event).select_related("partner")}
    assert set(messages) == {"creditchina-sd", "gsxt-sd"}  # the disabled bank-test gets nothing
    for code, m in messages.items():
        assert m.idempotency_key == f"{event.idempotency_key}@{code}"
        assert m.state == OutboxMessage.State.PENDING and m.next_attempt_at <= m.created_at
        assert (m.entry_key, m.kind, m.list_kind) == (entry, "published", "redlist")
        assert (m.uscc, m.name, m.region) == (enterprise.uscc, enterprise.name, "370102")
        assert m.payload["idempotency_key"] == m.idempotency_key
        assert m.payload["event_id"] == event.pk
        assert (m.payload["action"], m.payload["list"], m.payload["entry_key"]) == ("published", "redlist", entry)
        assert m.payload["action_label"] == "公开" and m.payload["list_label"] == "质量信用红名单"
        assert m.payload["data"] == event.payload
        assert {"主体名称", "统一社会信用代码", "名单类别", "列入原因", "认定部门", "列入日期", "有效期至",
                "数据来源单位", "数据来源单位统一社会信用代码"} <= set(m.payload["data"])


def test_messages_commit_and_roll_back_with_the_publication(partners):
    entry = new_entry()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        publication_event_record(list_kind="redlist", kind="published", entry_key=entry, payload={})
        assert OutboxMessage.objects.filter(entry_key=entry).count() == 2  # written in the transaction
        raise ZeroDivisionError  # the publication fails after recording its event
    assert not PublicationEvent.objects.filter(entry_key=entry).exists()
    assert not OutboxMessage.objects.filter(entry_key=entry).exists()


def test_recording_the_same_event_twice_queues_it_once(partners):
    entry = new_entry()
    first, again = record(entry), record(entry)
    assert first.pk == again.pk
    assert OutboxMessage.objects.filter(entry_key=entry).count() == 2


def test_the_fan_out_writes_no_audit_event_of_its_own(partners):
    # The publication's audit event is the publisher's; the lists' tests count them exactly.
    before = AuditEvent.objects.count()
    record(new_entry())
    assert AuditEvent.objects.count() == before


def test_the_public_lists_publish_and_withdraw_through_the_outbox(partners):
    """A real published A (QCO 五(五)): the evaluator publishes, the enterprise withdraws; both
    reach the outbox with the list's own partner fields."""
    from django.contrib.auth import get_user_model

    from qcredit.accounts.demo import ensure_demo_accounts
    from qcredit.lists import services
    from qcredit.lists.models import PublishedA

    world = World()
    enterprise = world.enterprise(name="济南守信机械有限公司", region="370102")
    ensure_demo_accounts()
    evaluator = get_user_model().objects.get(username="sheng-evaluator")
    account = world.account(enterprise)
    application = services.a_application_submit(enterprise=enterprise, actor=account)
    services.a_application_evaluate(application=application, approved=True, note="符合", actor=evaluator)
    entry = PublishedA.objects.get(application=application)
    services.published_a_withdraw_request(entry=entry, reason="企业自愿撤下", actor=account)
    messages = list(OutboxMessage.objects.filter(entry_key=entry.entry_key, partner__code="gsxt-sd")
                    .order_by("event_id"))
    assert [m.kind for m in messages] == ["published", "withdrawn"]
    assert all(m.list_kind == "published_a" and m.region == "370102" for m in messages)
    assert messages[0].payload["data"]["名单类别"] == messages[1].payload["data"]["名单类别"]
    assert messages[1].payload["data"]["撤下类别"]


def test_a_partner_enabled_later_is_sent_the_earlier_events_once(partners):
    bank = partners["bank-test"]
    entries = [new_entry() for _ in range(3)]
    for entry in entries:
        record(entry)
    record(entries[0], "withdrawn")
    assert not OutboxMessage.objects.filter(partner=bank).exists()
    assert outbox_enqueue(partner=bank) == 4
    queued = list(OutboxMessage.objects.filter(partner=bank).order_by("id"))
    assert [m.event_id for m in queued] == sorted(m.event_id for m in queued)  # in the events' order
    assert outbox_enqueue(partner=bank) == 0  # nothing twice
    assert AuditEvent.objects.filter(action="exchange.outbox.enqueue").count() == 2
