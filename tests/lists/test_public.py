"""SPEC §7.1: the public selectors give only name, USCC, region, the list's facts and dates and
the approved statement; an enterprise on no public list looks the same whatever its internal
grade. Internal queues check the reader and log the access (SPEC §7.3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qcredit.accounts.services import AccessDenied, AccessErrorCode
from qcredit.audit.models import AuditEvent
from qcredit.lists import selectors, services
from qcredit.lists.models import Recheck

from .world import grade_of

pytestmark = pytest.mark.django_db

PUBLISHED_A_FIELDS = {"name", "uscc", "region", "category", "reason", "authority", "published_on", "valid_until",
                      "statement"}
BLACKLIST_FIELDS = {"name", "uscc", "region", "category", "facts", "authority", "listed_on", "statement"}


def portal_view(uscc: str) -> tuple:
    return (selectors.published_a_public(uscc=uscc), selectors.blacklist_public(uscc=uscc))


def test_an_enterprise_on_no_public_list_looks_the_same_whatever_its_internal_grade(world, demo):
    unpublished_a = world.enterprise()
    b = world.enterprise(established_on=(timezone.localdate() - timedelta(days=2 * 366 + 30)).isoformat())
    c = world.enterprise()
    world.make_c(c)
    unconfirmed_d = world.enterprise()
    world.make_d(unconfirmed_d)
    services.recheck_reconcile(today=timezone.localdate())
    assert [grade_of(e) for e in (unpublished_a, b, c, unconfirmed_d)] == ["A", "B", "C", "D"]
    assert [portal_view(e.uscc) for e in (unpublished_a, b, c, unconfirmed_d)] == [([], [])] * 4
    assert selectors.published_a_public() == [] and selectors.blacklist_public() == []


def test_public_records_carry_only_the_public_fields(world, demo):
    a = world.enterprise()
    account = world.account(a)
    application = services.a_application_submit(enterprise=a, remarks="内部说明：不应公开", actor=account)
    services.a_application_evaluate(application=application, approved=True, note="评价意见：不应公开",
                                    actor=demo["sheng-evaluator"])
    d = world.enterprise()
    world.make_d(d)
    services.recheck_reconcile(today=timezone.localdate())
    services.recheck_confirm(recheck=Recheck.objects.get(enterprise=d), facts="故意生产假冒伪劣产品",
                             finding="复核意见：不应公开", actor=demo["sheng-reviewer"])
    [published] = selectors.published_a_public()
    [blacklisted] = selectors.blacklist_public()
    assert set(published.as_dict()) == PUBLISHED_A_FIELDS
    assert set(blacklisted.as_dict()) == BLACKLIST_FIELDS
    text = str(published.as_dict()) + str(blacklisted.as_dict())
    assert "不应公开" not in text and "QCO-D2" not in text
    assert selectors.published_a_public(region="3702") == [] and len(selectors.blacklist_public(region="3701")) == 1


def test_internal_queues_check_the_reader_and_log_the_access(world, demo):
    d = world.enterprise()
    world.make_d(d)
    services.recheck_reconcile(today=timezone.localdate())
    [recheck] = selectors.rechecks_to_handle(user=demo["lixia-reviewer"])
    assert recheck.enterprise == d
    assert AuditEvent.objects.filter(kind="access", action="lists.recheck.view_queue",
                                     actor=demo["lixia-reviewer"]).exists()
    with pytest.raises(AccessDenied) as no_role:
        selectors.rechecks_to_handle(user=demo["lixia-division"])
    assert no_role.value.code is AccessErrorCode.NO_ROLE
    qingdao = world.enterprise(region="370202")
    world.make_d(qingdao)
    services.recheck_reconcile(today=timezone.localdate())
    assert [r.enterprise for r in selectors.rechecks_to_handle(user=demo["lixia-reviewer"])] == [d]
    assert {r.enterprise for r in selectors.rechecks_to_handle(user=demo["sheng-reviewer"])} == {d, qingdao}
