"""The objections inbox and the statement moderation queue (SPEC §5.4): receipt numbers, due dates
in working days and overdue flags, attachments for the office of the owning bureau only, the
outcome with its answer; statements approved or rejected with a reason."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qcredit.audit.models import AuditEvent
from qcredit.lists import selectors, services
from qcredit.lists.models import Objection, PublishedA, Statement
from qcredit.workdays.calendar import workdays_between

from ..lists.world import workdays_after
from .conftest import PINNED

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def published(world, demo, on_day):
    on_day(PINNED)
    enterprise = world.enterprise(name="济南守信机械有限公司")
    account = world.account(enterprise)
    application = services.a_application_submit(enterprise=enterprise, actor=account)
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    entry = PublishedA.objects.get(application=application)
    entry.account = account
    return entry


@pytest.fixture
def objection(published):
    return services.objection_lodge(
        target_kind="published_a", target_id=published.pk, name="张三", contact="13800000000",
        reasons="该企业产品近期被投诉", attachments=[SimpleUploadedFile("证据.pdf", PDF, "application/pdf")])


def test_the_inbox_shows_receipt_due_date_working_days_left_and_flags_overdue(objection, demo, as_user, on_day):
    client = as_user(demo["sheng-office"])
    page = client.get("/workspace/lists/objections/").content.decode()
    assert objection.receipt in page and "济南守信机械有限公司" in page
    due = workdays_after(PINNED, 15)
    assert objection.due_on == due and due.isoformat() in page and "15 个工作日" in page
    assert f"<td>{workdays_between(PINNED, due)}</td>" in page and "badge-overdue" not in page

    on_day(due)  # answering on the due day is in time
    assert "badge-overdue" not in client.get("/workspace/lists/objections/").content.decode()
    late = workdays_after(due, 2)
    on_day(late)
    services.objections_flag_overdue(today=late)
    page = client.get("/workspace/lists/objections/").content.decode()
    assert "badge-overdue" in page and "逾期 2 个工作日" in page and "已提示" in page
    assert "逾期" in client.get("/workspace/lists/").content.decode()


def test_attachments_are_downloaded_by_the_owning_office_only_and_each_download_is_logged(objection, demo, as_user):
    attachment = objection.attachments.get()
    path = f"/workspace/lists/objections/{objection.pk}/attachments/{attachment.pk}/"
    office = as_user(demo["sheng-office"])
    page = office.get(f"/workspace/lists/objections/{objection.pk}/").content.decode()
    assert path in page and "证据.pdf" in page and "13800000000" in page
    response = office.get(path)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="lists.objection.attachment.download", actor_name="sheng-office").exists()

    for username in ("jinan-office", "sheng-reviewer", "lixia-division"):
        other = as_user(demo[username])
        assert other.get(path).status_code == 404
        assert other.get(f"/workspace/lists/objections/{objection.pk}/").status_code == 404
    assert as_user(demo["enterprise"]).get(path).status_code == 403  # an enterprise account is no staff


def test_the_office_assigns_and_only_the_assignee_answers_a_well_founded_objection_withdraws_the_a(
        objection, published, demo, as_user):
    detail = f"/workspace/lists/objections/{objection.pk}/"
    office = as_user(demo["sheng-office"])
    page = office.get(detail).content.decode()
    assert 'id="assign-form"' in page and 'id="answer-form"' not in page
    response = office.post(detail, {"action": "answer", "answer-well_founded": "yes", "answer-answer": "属实"})
    assert response.status_code == 400  # no answer form before assignment: the form is not valid here either
    assert office.post(detail, {"action": "assign", "assign-assignee": str(demo["sheng-office"].pk)}).status_code == 302
    objection.refresh_from_db()
    assert objection.state == Objection.State.INVESTIGATING and objection.assignee == demo["sheng-office"]

    # Someone outside the office is not offered as assignee, and a forged choice is refused by the form.
    response = office.post(detail, {"action": "assign", "assign-assignee": str(demo["jinan-office"].pk)})
    assert response.status_code == 400
    objection.refresh_from_db()
    assert objection.assignee == demo["sheng-office"]

    page = office.get(detail).content.decode()
    assert 'id="answer-form"' in page
    response = office.post(detail, {"action": "answer", "answer-well_founded": "yes",
                                    "answer-answer": "经核实，该企业存在未处理的质量投诉，撤下A级公示"}, follow=True)
    assert "答复已记录" in response.content.decode() and "A级公示已撤下" in response.content.decode()
    published.refresh_from_db()
    assert published.state == PublishedA.State.WITHDRAWN
    status = selectors.objection_status_public(objection.receipt)
    assert (status.status, status.outcome) == ("已答复", "异议成立")


def test_an_answer_by_someone_else_than_the_assignee_is_refused_with_the_reason(objection, demo, as_user):
    from qcredit.accounts.models import Membership, Role

    colleague = demo["sheng-division"]
    Membership.objects.create(user=colleague, unit=Membership.objects.get(user=demo["sheng-office"]).unit,
                              role=Role.OFFICE)
    services.objection_assign(objection=objection, assignee=colleague, actor=demo["sheng-office"])
    office = as_user(demo["sheng-office"])
    detail = f"/workspace/lists/objections/{objection.pk}/"
    assert 'id="answer-form"' not in office.get(detail).content.decode()
    response = office.post(detail, {"action": "answer", "answer-well_founded": "no", "answer-answer": "不成立"})
    assert response.status_code == 400
    assert "异议由承办人答复" in response.content.decode()
    objection.refresh_from_db()
    assert objection.state == Objection.State.INVESTIGATING


def test_statements_are_approved_or_rejected_with_a_reason(published, demo, as_user):
    statement = services.statement_submit(target_kind="published_a", target_id=published.pk,
                                          text="本企业坚持质量第一", actor=published.account)
    office = as_user(demo["sheng-office"])
    page = office.get("/workspace/lists/statements/").content.decode()
    assert "本企业坚持质量第一" in page and "济南守信机械有限公司" in page
    moderate = f"/workspace/lists/statements/{statement.pk}/moderate/"

    response = office.post(moderate, {"approved": "no", "reason": ""}, follow=True)
    assert "审核不通过的，须写明理由" in response.content.decode()
    statement.refresh_from_db()
    assert statement.state == Statement.State.PENDING

    response = office.post(moderate, {"approved": "yes"}, follow=True)
    assert "已通过，公开显示" in response.content.decode()
    assert selectors.statement_public(target_kind="published_a", target_id=published.pk) == "本企业坚持质量第一"

    second = services.statement_submit(target_kind="published_a", target_id=published.pk, text="欢迎社会监督",
                                       actor=published.account)
    assert as_user(demo["jinan-office"]).post(f"/workspace/lists/statements/{second.pk}/moderate/",
                                              {"approved": "yes"}).status_code == 302
    second.refresh_from_db()
    assert second.state == Statement.State.PENDING  # the city's office may not moderate the province's entry
    office = as_user(demo["sheng-office"])  # one test client: log the province's office in again
    office.post(f"/workspace/lists/statements/{second.pk}/moderate/", {"approved": "no", "reason": "含广告用语"})
    second.refresh_from_db()
    assert (second.state, second.rejection_reason) == (Statement.State.REJECTED, "含广告用语")
    assert selectors.statement_public(target_kind="published_a", target_id=published.pk) == "本企业坚持质量第一"
