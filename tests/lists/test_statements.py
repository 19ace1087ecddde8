"""SPEC §5.4 enterprise statements: a short statement beside the enterprise's own public entry,
moderated by the office, shown as the enterprise's words only once approved; one current
statement per entry."""

from __future__ import annotations

import pytest

from qcredit.accounts.models import Notification
from qcredit.accounts.services import AccessDenied, AccessErrorCode
from qcredit.lists import selectors, services
from qcredit.lists.errors import ListsError, ListsErrorCode
from qcredit.lists.models import STATEMENT_MAX_LENGTH, PublishedA, Statement

from .world import actions_since, last_seq

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world, demo):
    enterprise = world.enterprise(name="济南守信机械有限公司")
    account = world.account(enterprise)
    application = services.a_application_submit(enterprise=enterprise, actor=account)
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    return PublishedA.objects.get(application=application), account


def shown() -> str:
    [entry] = selectors.published_a_public()
    return entry.statement


def test_a_statement_is_shown_as_the_enterprises_words_only_once_the_office_approved_it(published, demo):
    entry, account = published
    seq = last_seq()
    first = services.statement_submit(target_kind="published_a", target_id=entry.pk,
                                      text="本企业始终坚持质量第一，欢迎社会监督。", actor=account)
    assert actions_since(seq) == ["lists.statement.submit"]
    assert first.state == Statement.State.PENDING and shown() == ""
    assert Notification.objects.filter(recipient=demo["sheng-office"], subject__contains="企业声明").exists()

    seq = last_seq()
    services.statement_moderate(statement=first, approved=True, actor=demo["sheng-office"])
    assert actions_since(seq) == ["lists.statement.moderate"]
    assert shown() == "本企业始终坚持质量第一，欢迎社会监督。"

    # A new statement waits for moderation; the approved one stays shown until it is replaced.
    second = services.statement_submit(target_kind="published_a", target_id=entry.pk, text="第二份声明", actor=account)
    third = services.statement_submit(target_kind="published_a", target_id=entry.pk, text="第三份声明", actor=account)
    second.refresh_from_db()
    assert second.state == Statement.State.SUPERSEDED  # a new submission replaces one still waiting
    assert shown() == "本企业始终坚持质量第一，欢迎社会监督。"
    services.statement_moderate(statement=third, approved=True, actor=demo["sheng-office"])
    first.refresh_from_db()
    assert first.state == Statement.State.SUPERSEDED and shown() == "第三份声明"
    assert selectors.statement_public(target_kind="published_a", target_id=entry.pk) == "第三份声明"


def test_a_rejected_statement_is_never_shown_and_the_rejection_states_its_reason(published, demo):
    entry, account = published
    statement = services.statement_submit(target_kind="published_a", target_id=entry.pk, text="竞争对手恶意举报",
                                          actor=account)
    with pytest.raises(ListsError) as no_reason:
        services.statement_moderate(statement=statement, approved=False, actor=demo["sheng-office"])
    assert no_reason.value.code is ListsErrorCode.REASON_REQUIRED
    rejected = services.statement_moderate(statement=statement, approved=False, reason="含有针对他人的不实表述",
                                           actor=demo["sheng-office"])
    assert rejected.state == Statement.State.REJECTED and shown() == ""
    assert Notification.objects.filter(recipient=account, subject__contains="未通过").exists()


def test_a_statement_is_short_for_the_enterprises_own_public_entry_only(published, demo, world):
    entry, account = published
    with pytest.raises(ListsError) as too_long:
        services.statement_submit(target_kind="published_a", target_id=entry.pk,
                                  text="质" * (STATEMENT_MAX_LENGTH + 1), actor=account)
    assert too_long.value.code is ListsErrorCode.TEXT_TOO_LONG
    with pytest.raises(AccessDenied) as other:
        services.statement_submit(target_kind="published_a", target_id=entry.pk, text="冒名声明",
                                  actor=demo["enterprise"])
    assert other.value.code is AccessErrorCode.NOT_OWN_ENTERPRISE
    services.published_a_withdraw_request(entry=entry, actor=account)
    with pytest.raises(ListsError) as archived:
        services.statement_submit(target_kind="published_a", target_id=entry.pk, text="声明", actor=account)
    assert archived.value.code is ListsErrorCode.NOT_PUBLIC
    assert not Statement.objects.exists()


def test_a_red_list_entry_past_its_period_takes_no_statement_even_before_the_expiry_job(world, demo, monkeypatch):
    """Public means what the portal shows (redlist.selectors.public_entries): an entry whose
    period has ended is no longer public, also on the morning before the daily expiry runs."""
    from datetime import timedelta

    from qcredit.lists.services import common
    from qcredit.redlist.selectors import public_entries

    from .world import redlist_entry

    enterprise = world.enterprise(name="济南红名单机械有限公司")
    account = world.account(enterprise)
    red = redlist_entry(enterprise, demo)
    statement = services.statement_submit(target_kind="redlist", target_id=red.pk, text="本企业声明", actor=account)
    assert statement.pk
    after = red.valid_until + timedelta(days=1)
    monkeypatch.setattr(common, "today", lambda: after)
    assert red.state == "published" and not public_entries(uscc=red.uscc, on=after)
    with pytest.raises(ListsError) as caught:
        services.statement_submit(target_kind="redlist", target_id=red.pk, text="另一份声明", actor=account)
    assert caught.value.code is ListsErrorCode.NOT_PUBLIC
