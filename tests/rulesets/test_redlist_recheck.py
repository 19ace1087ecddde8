"""End to end with the real red list (SPEC §5.1 exit, §6): a stricter rule-set version is
previewed — the listed subject that would stop qualifying is named — and on activation that
subject gets a removal item, the other stays listed."""

from __future__ import annotations

from datetime import date

import pytest

from qcredit.redlist import services as redlist
from qcredit.redlist.models import RemovalItem
from qcredit.rulesets.services import (
    ruleset_version_activate,
    ruleset_version_create,
    ruleset_version_preview_record,
)
from tests.redlist.conftest import Clock, failed_sampling, publish, subject

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)  # a working day of a loaded year


@pytest.fixture
def clock(monkeypatch):
    c = Clock(monkeypatch)
    c.set(TODAY)
    return c


@pytest.fixture
def people(db):
    from django.contrib.auth import get_user_model

    from qcredit.accounts.demo import ensure_demo_accounts

    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


def test_a_longer_clean_period_removes_the_subject_with_an_older_failure(people, clock):
    from qcredit.accounts.models import Unit

    province = redlist.redlist_create(owner=Unit.objects.get(code="sd-office"), name="山东省质量信用红名单")
    clean, older_failure = subject(name="一直清白有限公司"), subject(name="四年前抽查不合格有限公司")
    failed_sampling(older_failure, days_ago=4 * 365)  # outside 3 years (SRL 第九条(二)), inside 5
    kept, leaving = publish(people, province, clean), publish(people, province, older_failure)

    admin = people["sheng-admin"]
    version = ruleset_version_create(
        actor=admin, version="SD-2026.1", effective_from=date(2026, 3, 1), reason="新办法",
        overrides={"redlist_clean_years": {"value": 5, "article": "新办法第九条(二) “之前连续五年”"}})
    impact = ruleset_version_preview_record(actor=admin, version=version)
    assert [s["uscc"] for s in impact.redlist_leaving] == [older_failure.uscc]
    assert "SRL-9.2" in impact.redlist_leaving[0]["unmet"]
    assert not RemovalItem.objects.exists()  # a preview opens nothing

    ruleset_version_activate(actor=admin, version=version, reason="新办法施行")
    items = list(RemovalItem.objects.all())
    assert [(i.entry_id, i.route) for i in items] == [(leaving.pk, "ruleset")]
    assert "SD-2026.1" in items[0].reference
    assert not RemovalItem.objects.filter(entry=kept).exists()
