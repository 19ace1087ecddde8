"""Enterprise self-service (SPEC §1 企业用户, §7.1 "the enterprise itself"; issue 4 item 2): an
enterprise account sees its own archive, grade and reasons — B and C included — criterion by
criterion with articles and evidence; only its own enterprise; staff and anonymous users get no
self-service page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.archive.services import record_correct
from qcredit.audit.models import AuditEvent

from .. import factories
from ..lists.world import grade_of

pytestmark = pytest.mark.django_db

PAGES = ("/self-service/", "/self-service/a-applications/", "/self-service/objections/", "/self-service/statements/")


def test_anonymous_users_are_sent_to_the_login(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_staff_and_accounts_without_an_enterprise_get_no_self_service_page(world, demo, as_user):
    for username in ("sheng-office", "lixia-division", "jinan-auditor", "sheng-admin"):
        client = as_user(demo[username])
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 403, (username, path)
            assert "企业服务仅供企业账号使用" in response.content.decode()
    # A staff member who is also bound to an enterprise is still staff: no self-service.
    both = factories.staff(Role.DIVISION, "37")
    world_enterprise = world.enterprise()
    from qcredit.accounts.models import EnterpriseAccount

    EnterpriseAccount.objects.create(user=both, enterprise=world_enterprise)
    assert as_user(both).get("/self-service/").status_code == 403

    nobody = get_user_model().objects.create_user("citizen", password="pw-123456")
    response = as_user(nobody).get("/self-service/")
    assert response.status_code == 403 and "没有绑定企业" in response.content.decode()


def test_a_c_enterprise_sees_its_own_grade_with_the_criterion_article_and_evidence(world, as_user):
    enterprise = world.enterprise(name="济南抽检不合格有限公司")
    fail = world.make_c(enterprise)
    assert grade_of(enterprise) == "C"
    account = world.account(enterprise)
    page = as_user(account).get("/self-service/").content.decode()
    assert enterprise.name in page and enterprise.uscc in page
    assert 'id="own-grade">C 失信' in page
    assert 'id="criterion-QCO-C2"' in page and "三(三)2" in page  # the criterion with its article
    assert f'href="#record-{fail.pk}"' in page and f'id="record-{fail.pk}"' in page  # evidence → timeline
    assert "产品质量/计量监督抽查" in page
    event = AuditEvent.objects.get(action="selfservice.enterprise.view")
    assert (event.kind, event.actor_name, event.object_id) == ("access", account.username, str(enterprise.pk))


def test_a_b_enterprise_sees_which_a_standard_it_does_not_meet(world, as_user):
    established = (timezone.localdate() - timedelta(days=900)).isoformat()  # between 2 and 3 years ago
    young = world.enterprise(name="济南新设机械有限公司", established_on=established)
    assert grade_of(young) == "B"  # established less than 3 years (QCO 三(一)1)
    page = as_user(world.account(young)).get("/self-service/").content.decode()
    assert 'id="own-grade">B 基本守信' in page
    assert "未达到的标准" in page and 'href="#criterion-QCO-A1"' in page


def test_corrections_show_their_history_but_not_a_reviewers_internal_reason(world, demo, as_user):
    enterprise = world.enterprise(name="济南更正记录有限公司")
    record = world.record(enterprise, "sampling", scope="quality", result="fail")
    record_correct(record=record, data={"result": "pass"}, reason="复检合格", actor=None)
    account = world.account(enterprise)
    page = as_user(account).get("/self-service/").content.decode()
    assert "已更正（第2版，理由：复检合格）" in page and "历史版本" in page

    other = world.enterprise(name="济南复核更正有限公司")
    counterfeit = world.make_d(other)
    record_correct(record=counterfeit, data={"note": "复核"}, reason="D级复核（复核编号 9）未确认：内部意见XYZ",
                   actor=demo["lixia-reviewer"], via="recheck")
    page = as_user(world.account(other)).get("/self-service/").content.decode()
    assert "内部意见XYZ" not in page and "经D级复核更正或撤回" in page


def test_an_enterprise_never_sees_another_enterprise(world, demo, as_user, on_day):
    from datetime import date

    from qcredit.lists import services
    from qcredit.lists.models import PublishedA

    on_day(date(2026, 6, 15))
    mine = world.enterprise(name="济南本企业有限公司")
    theirs = world.enterprise(name="济南他企业有限公司")
    theirs_fail = world.make_c(theirs)
    their_account = world.account(theirs)
    # A third enterprise has a published A, a statement and an objection (through the services).
    third = world.enterprise(name="济南第三企业有限公司")
    third_account = world.account(third)
    application = services.a_application_submit(enterprise=third, actor=third_account)
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    entry = PublishedA.objects.get(application=application)
    services.statement_submit(target_kind="published_a", target_id=entry.pk, text="第三企业的声明",
                              actor=third_account)
    objection = services.objection_lodge(target_kind="published_a", target_id=entry.pk, name="第三企业",
                                         contact="0531-1", reasons="异议", actor=third_account)

    client = as_user(world.account(mine))
    for path in PAGES:
        page = client.get(path).content.decode()
        for foreign in (theirs.name, theirs.uscc, third.name, third.uscc, "第三企业的声明", objection.receipt,
                        f"record-{theirs_fail.pk}\""):
            assert foreign not in page, (path, foreign)
    # Objects of another enterprise are "not found", and nothing changes.
    assert client.post(f"/self-service/a-applications/{application.pk}/cancel/").status_code == 404
    assert client.post(f"/self-service/published-a/{entry.pk}/withdraw/").status_code == 404
    response = client.post("/self-service/statements/", {"target": f"published_a:{entry.pk}", "text": "冒充"})
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.state == PublishedA.State.PUBLISHED
    # The other way round as well: the C enterprise's own page shows its own C, not ours.
    page = as_user(their_account).get("/self-service/").content.decode()
    assert 'id="own-grade">C 失信' in page and mine.name not in page
