"""``qcredit exchange …``: deliver without Redis, list the outbox, show a message, retry what
failed (as the system, audited through the channel cli), partners, queue past events."""

from __future__ import annotations

import pytest

from qcredit.audit.models import AuditEvent
from qcredit.cli import main
from qcredit.exchange.models import OutboxMessage, Partner

from .conftest import new_entry, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(partners, fake):
    ok, refused = new_entry(), new_entry()
    record(ok, name="命令行送达有限公司")
    record(refused, name="命令行失败有限公司")
    fake.script(OutboxMessage.objects.get(entry_key=refused, partner__code="creditchina-sd").idempotency_key, "400")
    return ok, refused


def failed_id(entry) -> int:
    return OutboxMessage.objects.get(entry_key=entry, partner__code="creditchina-sd").pk


def test_deliver_sends_what_is_due_and_exits_1_when_something_failed(queued, capsys, fake):
    assert main(["exchange", "deliver"]) == 1
    out, err = capsys.readouterr()
    assert "送达 3" in out and "失败 1" in out and "qcredit exchange outbox --state failed" in err
    assert main(["exchange", "deliver"]) == 0  # nothing due any more
    assert "送达 0" in capsys.readouterr().out
    assert len(fake.applied) == 1


def test_outbox_lists_messages_and_filters_by_state(queued, capsys):
    main(["exchange", "deliver"])
    capsys.readouterr()
    assert main(["exchange", "outbox", "--state", "failed"]) == 0
    out = capsys.readouterr().out
    assert "命令行失败有限公司" in out and "命令行送达有限公司" not in out and "发送失败" in out
    assert main(["exchange", "outbox"]) == 0
    out = capsys.readouterr().out
    assert out.count("已送达") == 3


def test_show_prints_the_delivery_log(queued, capsys):
    main(["exchange", "deliver"])
    capsys.readouterr()
    assert main(["exchange", "show", str(failed_id(queued[1]))]) == 0
    out = capsys.readouterr().out
    assert "400" in out and "失败（需人工处理）" in out and '"action": "published"' in out
    assert main(["exchange", "show", "999999"]) == 2
    assert "ID: 没有编号为 999999 的推送消息" in capsys.readouterr().err


def test_retry_by_id_and_all_failed_as_the_system(queued, capsys, fake):
    refused = queued[1]
    main(["exchange", "deliver"])
    capsys.readouterr()
    message_id = failed_id(refused)
    assert main(["exchange", "retry", str(message_id), "--reason", "对方已修复"]) == 0
    assert f"#{message_id} 已重新排队" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="exchange.outbox.retry")
    assert (event.actor_name, event.client_address, event.reason) == ("系统", "cli", "对方已修复")
    assert main(["exchange", "retry", str(message_id)]) == 1  # pending, never failed since: nothing to retry
    assert "无需重试" in capsys.readouterr().err

    fake.script(OutboxMessage.objects.get(pk=message_id).idempotency_key, "400")
    main(["exchange", "deliver"])
    capsys.readouterr()
    assert main(["exchange", "retry", "--all-failed", "--partner", "creditchina-sd"]) == 0
    assert f"1 条失败消息已重新排队：#{message_id}" in capsys.readouterr().out
    assert main(["exchange", "deliver"]) == 0
    assert OutboxMessage.objects.get(pk=message_id).state == "delivered"


def test_invalid_arguments_exit_2_with_the_reason(queued, capsys):
    assert main(["exchange", "retry"]) == 2
    assert "ID: 请给出消息编号，或使用 --all-failed" in capsys.readouterr().err
    assert main(["exchange", "retry", "--all-failed", "--partner", "nobody"]) == 2
    assert "没有代号为 nobody 的合作系统" in capsys.readouterr().err
    assert main(["exchange", "enqueue", "bank-test", "--since", "2026-13-01"]) == 2
    assert "--since: 日期应为 YYYY-MM-DD" in capsys.readouterr().err


def test_partners_and_enqueue(queued, capsys):
    assert main(["exchange", "partners"]) == 0
    out = capsys.readouterr().out
    assert "信用中国（山东）" in out and "测试银行" in out and "已设置" in out
    assert main(["exchange", "enqueue", "bank-test", "--since", "2020-01-01"]) == 0
    assert "已为 测试银行 补发 2 条消息（该合作系统未启用，启用后才发送）" in capsys.readouterr().out
    assert OutboxMessage.objects.filter(partner=Partner.objects.get(code="bank-test")).count() == 2
