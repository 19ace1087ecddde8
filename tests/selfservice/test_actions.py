"""What an enterprise does for itself (SPEC §5.2, §5.4): applies for A-grade publication when it is
A and follows the application, withdraws its application or its published A, objects to its
own public entries with attachments and follows the objection by receipt, writes a statement
beside its public entry and sees the moderation. Every refusal is shown in Chinese."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qcredit.lists import selectors, services
from qcredit.lists.models import AApplication, Objection, PublishedA, Statement

from ..lists.world import grade_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PINNED = date(2026, 6, 15)


@pytest.fixture
def a_account(world, on_day):
    on_day(PINNED)
    enterprise = world.enterprise(name="济南守信机械有限公司")
    assert grade_of(enterprise) == "A"
    return world.account(enterprise)


@pytest.fixture
def published(a_account, demo):
    enterprise = a_account.enterprise_account.enterprise
    application = services.a_application_submit(enterprise=enterprise, actor=a_account)
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    return PublishedA.objects.get(application=application)


def test_an_a_enterprise_applies_follows_and_cancels_its_application(a_account, demo, as_user):
    client = as_user(a_account)
    page = client.get("/self-service/a-applications/").content.decode()
    assert 'id="apply-form"' in page and "A 守信" in page

    response = client.post("/self-service/a-applications/", {"remarks": "自愿申请公示"}, follow=True)
    page = response.content.decode()
    assert "A级公示申请已提交" in page and "待省级评价" in page and 'id="apply-form"' not in page
    application = AApplication.objects.get()
    assert (application.remarks, application.applied_by) == ("自愿申请公示", a_account)

    # A second application is refused by the service, and the page says why.
    response = client.post("/self-service/a-applications/", {"remarks": ""})
    assert response.status_code == 400 and "本企业已有正在办理的A级公示申请" in response.content.decode()
    assert AApplication.objects.count() == 1

    response = client.post(f"/self-service/a-applications/{application.pk}/cancel/", {"reason": "暂不公示"},
                           follow=True)
    assert "申请已撤回" in response.content.decode()
    application.refresh_from_db()
    assert (application.state, application.close_reason) == (AApplication.State.CANCELLED, "暂不公示")


def test_an_enterprise_that_is_not_a_is_told_it_cannot_apply(world, as_user):
    enterprise = world.enterprise(name="济南失信机械有限公司")
    world.make_c(enterprise)
    client = as_user(world.account(enterprise))
    page = client.get("/self-service/a-applications/").content.decode()
    assert 'id="apply-form"' not in page and "当前质量信用等级不是A级" in page
    response = client.post("/self-service/a-applications/", {"remarks": ""})
    assert response.status_code == 400
    assert "本企业当前质量信用等级不是A级，不能申请A级公示" in response.content.decode()
    assert not AApplication.objects.exists()


def test_the_enterprise_sees_the_published_a_with_its_validity_and_may_withdraw_it(published, a_account, as_user):
    client = as_user(a_account)
    page = client.get("/self-service/a-applications/").content.decode()
    assert "评价通过，已公示" in page and published.valid_until.strftime("%Y年%-m月%-d日") in page
    assert "A级公示尚在有效期内" in page  # no new application while it runs (QCO 五(五))
    response = client.post(f"/self-service/published-a/{published.pk}/withdraw/", {"reason": "企业经营调整"},
                           follow=True)
    assert "A级公示已撤下" in response.content.decode()
    published.refresh_from_db()
    assert (published.state, published.exit_kind) == (PublishedA.State.WITHDRAWN, PublishedA.Exit.ENTERPRISE_REQUEST)
    assert selectors.published_a_public() == []
    response = client.post(f"/self-service/published-a/{published.pk}/withdraw/", {}, follow=True)
    assert "未能撤下A级公示" in response.content.decode()  # already withdrawn: the service's refusal


def test_objecting_to_its_own_entry_with_an_attachment_gives_a_receipt_to_follow(published, a_account, demo,
                                                                                as_user, settings, tmp_path):
    settings.QCREDIT_OBJECTION_FILES = str(tmp_path)
    client = as_user(a_account)
    page = client.get("/self-service/objections/").content.decode()
    assert f'value="published_a:{published.pk}"' in page and 'id="objection-form"' in page

    response = client.post("/self-service/objections/", {
        "target": f"published_a:{published.pk}", "name": "济南守信机械有限公司", "contact": "0531-88888888",
        "reasons": "公示的认定部门有误", "attachments": [SimpleUploadedFile("说明.pdf", PDF, "application/pdf")]},
        follow=True)
    objection = Objection.objects.get()
    page = response.content.decode()
    assert f"受理编号 {objection.receipt}" in page
    assert 'id="tracked-status">已受理' in page and objection.due_on.strftime("%Y年%-m月%-d日") in page
    assert objection.lodged_by == a_account and objection.attachments.get().original_name == "说明.pdf"
    assert objection.receipt in client.get("/self-service/objections/").content.decode()  # in its own list

    services.objection_assign(objection=objection, assignee=demo["sheng-office"], actor=demo["sheng-office"])
    services.objection_answer(objection=objection, well_founded=False, answer="认定部门无误",
                              actor=demo["sheng-office"])
    page = client.get("/self-service/objections/", {"receipt": objection.receipt.lower()}).content.decode()
    assert 'id="tracked-status">已答复' in page and "异议不成立" in page and "认定部门无误" in page
    assert "sheng-office" not in page  # the assignee is internal

    page = client.get("/self-service/objections/", {"receipt": "YY-2026-000000-AAAAAAAA"}).content.decode()
    assert 'id="not-found"' in page


def test_an_objection_with_a_refused_attachment_or_to_a_foreign_entry_is_not_lodged(published, a_account, world,
                                                                                   demo, as_user, settings, tmp_path):
    settings.QCREDIT_OBJECTION_FILES = str(tmp_path)
    client = as_user(a_account)
    data = {"target": f"published_a:{published.pk}", "name": "企业", "contact": "0531-1", "reasons": "理由"}
    response = client.post("/self-service/objections/", {
        **data, "attachments": [SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", "application/octet-stream")]})
    assert response.status_code == 400
    assert "仅接受 PDF、JPG、PNG 文件" in response.content.decode()
    response = client.post("/self-service/objections/", {
        **data, "attachments": [SimpleUploadedFile("假的.pdf", b"not a pdf", "application/pdf")]})
    assert response.status_code == 400 and "内容与其类型不符" in response.content.decode()

    other = world.enterprise(name="济南别家守信有限公司")
    other_account = world.account(other)
    application = services.a_application_submit(enterprise=other, actor=other_account)
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    foreign = PublishedA.objects.get(application=application)
    response = client.post("/self-service/objections/", {**data, "target": f"published_a:{foreign.pk}"})
    assert response.status_code == 400  # not one of the choices: its own entries only
    assert not Objection.objects.exists()


def test_an_enterprise_on_no_public_list_is_told_there_is_nothing_to_object_to(a_account, as_user):
    page = as_user(a_account).get("/self-service/objections/").content.decode()
    assert 'id="no-targets"' in page and 'id="objection-form"' not in page
    page = as_user(a_account).get("/self-service/statements/").content.decode()
    assert 'id="no-entries"' in page


def test_a_statement_waits_for_moderation_and_is_then_shown(published, a_account, demo, as_user):
    client = as_user(a_account)
    key = f"published_a:{published.pk}"
    page = client.get("/self-service/statements/").content.decode()
    assert f'value="{key}"' in page

    response = client.post("/self-service/statements/", {"target": key, "text": "x" * 301})
    assert response.status_code == 400 and "未能提交" in response.content.decode() and "301" in response.content.decode()
    assert not Statement.objects.exists()

    response = client.post("/self-service/statements/", {"target": key, "text": "本企业坚持质量第一"}, follow=True)
    page = response.content.decode()
    assert "声明已提交" in page and "待审核" in page
    statement = Statement.objects.get()
    services.statement_moderate(statement=statement, approved=True, actor=demo["sheng-office"])
    page = client.get("/self-service/statements/").content.decode()
    assert '<blockquote class="shown">本企业坚持质量第一</blockquote>' in page

    client.post("/self-service/statements/", {"target": key, "text": "欢迎监督"})
    services.statement_moderate(statement=Statement.objects.get(text="欢迎监督"), approved=False,
                                reason="与名单无关", actor=demo["sheng-office"])
    page = client.get("/self-service/statements/").content.decode()
    assert "未通过理由：与名单无关" in page
    assert '<blockquote class="shown">本企业坚持质量第一</blockquote>' in page
