"""The A-publication screens (SPEC §5.2; QCO 三(五)): the inspection unit gives its opinion where
statutory testing applies, the provincial evaluator approves or rejects, the published A shows
its validity and how it ended. Refusals of the services are shown, never a 500."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from qcredit.accounts.models import Role
from qcredit.audit.models import AuditEvent
from qcredit.grading.services import ruleset_on, today
from qcredit.lists import selectors, services
from qcredit.lists.models import AApplication, PublishedA
from qcredit.rules.dates import add_years

from .. import factories
from ..lists.world import grade_of

pytestmark = pytest.mark.django_db


def url(application) -> str:
    return f"/workspace/lists/a-applications/{application.pk}/"


@pytest.fixture
def applied(world, demo):
    """A Jinan (历下) enterprise with statutory testing, computed A, that applied."""
    enterprise = world.enterprise(name="济南检验机械有限公司", mandatory_testing=True)
    assert grade_of(enterprise) == "A"
    account = world.account(enterprise)
    return services.a_application_submit(enterprise=enterprise, remarks="自愿申请公示", actor=account)


def test_the_inspection_unit_gives_its_opinion_then_the_province_publishes(applied, demo, as_user):
    client = as_user(demo["lixia-inspection"])
    queue = client.get("/workspace/lists/a-applications/").content.decode()
    assert applied.enterprise.name in queue and url(applied) in queue

    page = client.get(url(applied)).content.decode()
    assert 'id="inspection-form"' in page and 'id="evaluation-form"' not in page
    assert "QCO-A1" in page and "三(一)1" in page  # the computed A with its criteria
    response = client.post(url(applied), {"action": "inspection", "inspection-favourable": "yes",
                                          "inspection-opinion": "近三年监督检验全部合格"})
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.state == AApplication.State.AWAITING_EVALUATION
    assert applied.inspection_favourable is True and applied.inspection_by == demo["lixia-inspection"]
    assert 'id="inspection-form"' not in client.get(url(applied)).content.decode()

    client = as_user(demo["sheng-evaluator"])
    page = client.get(url(applied)).content.decode()
    assert 'id="evaluation-form"' in page and "近三年监督检验全部合格" in page
    response = client.post(url(applied), {"action": "evaluate", "evaluate-approved": "yes",
                                          "evaluate-note": "符合A级评价标准"}, follow=True)
    page = response.content.decode()
    assert "A级公示已发布" in page and "评价通过，已公示" in page
    entry = PublishedA.objects.get(application=applied)
    day = today()
    assert entry.valid_until == add_years(day, ruleset_on(day).parameter_values(day)["published_a_validity"]) \
        - timedelta(days=1)
    assert [p.uscc for p in selectors.published_a_public()] == [applied.enterprise.uscc]


def test_the_province_cannot_publish_against_an_unfavourable_opinion_and_is_told_why(applied, demo, as_user):
    services.a_application_inspection_opinion(application=applied, favourable=False, opinion="监督检验不合格",
                                              actor=demo["sheng-inspection"])
    client = as_user(demo["sheng-evaluator"])
    response = client.post(url(applied), {"action": "evaluate", "evaluate-approved": "yes", "evaluate-note": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "未能办理" in page and "检验单位的评价意见为不同意，不能公示" in page
    assert not PublishedA.objects.exists()
    applied.refresh_from_db()
    assert applied.state == AApplication.State.AWAITING_EVALUATION

    response = client.post(url(applied), {"action": "evaluate", "evaluate-approved": "no", "evaluate-note": ""})
    assert response.status_code == 400 and "评价不通过的，须写明理由" in response.content.decode()
    response = client.post(url(applied), {"action": "evaluate", "evaluate-approved": "no",
                                          "evaluate-note": "检验单位意见为不同意"})
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.state == AApplication.State.REJECTED


def test_a_city_evaluator_is_told_that_the_province_evaluates(applied, demo, as_user):
    client = as_user(demo["jinan-evaluator"])
    response = client.get("/workspace/lists/a-applications/")
    assert response.status_code == 403
    assert "A级公示由省级评价人员评价" in response.content.decode()
    assert client.get(url(applied)).status_code == 404  # no evaluation power, no inspection role


def test_an_inspection_unit_outside_the_region_does_not_see_the_application(world, demo, as_user):
    qingdao = world.enterprise(name="青岛检验电器有限公司", region="370202", mandatory_testing=True)
    application = services.a_application_submit(enterprise=qingdao, actor=world.account(qingdao))
    client = as_user(demo["jinan-inspection"])
    assert qingdao.name not in client.get("/workspace/lists/a-applications/").content.decode()
    assert client.get(url(application)).status_code == 404
    response = client.post(url(application), {"action": "inspection", "inspection-favourable": "yes",
                                              "inspection-opinion": "同意"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.state == AApplication.State.AWAITING_INSPECTION


def test_reading_an_application_is_an_access_event(applied, demo, as_user):
    as_user(demo["sheng-inspection"]).get(url(applied))
    event = AuditEvent.objects.filter(action="lists.a_application.view").get()
    assert (event.kind, event.actor_name, event.object_id) == ("access", "sheng-inspection", str(applied.pk))


def test_published_a_shows_validity_and_the_automatic_withdrawal(world, demo, as_user,
                                                                django_capture_on_commit_callbacks):
    enterprise = world.enterprise(name="济南曾经守信有限公司")
    application = services.a_application_submit(enterprise=enterprise, actor=world.account(enterprise))
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    entry = PublishedA.objects.get(application=application)
    client = as_user(demo["lixia-division"])
    page = client.get("/workspace/lists/published-a/").content.decode()
    assert enterprise.name in page and entry.valid_until.isoformat() in page and "公示中" in page

    with django_capture_on_commit_callbacks(execute=True):
        world.make_c(enterprise)  # the grade leaves A: withdrawn at once (QCO 三(五))
    entry.refresh_from_db()
    assert entry.state == PublishedA.State.WITHDRAWN
    page = client.get("/workspace/lists/published-a/", {"state": "withdrawn"}).content.decode()
    assert enterprise.name in page and PublishedA.Exit.GRADE_LEFT_A.label in page
    assert enterprise.name not in client.get("/workspace/lists/published-a/",
                                             {"state": "published"}).content.decode()
    # Qingdao staff do not see a Jinan enterprise's archive (SPEC §7.1 "other staff: no").
    qingdao = factories.staff(Role.DIVISION, "3702")
    assert enterprise.name not in as_user(qingdao).get("/workspace/lists/published-a/").content.decode()


def test_the_published_a_list_pages_and_logs_only_the_entries_shown(world, demo, as_user, monkeypatch):
    from qcredit.workspace import selectors_lists

    monkeypatch.setattr(selectors_lists, "PAGE_SIZE", 1)
    names = ["济南第一守信有限公司", "济南第二守信有限公司"]
    entries = []
    for name in names:
        enterprise = world.enterprise(name=name)
        application = services.a_application_submit(enterprise=enterprise, actor=world.account(enterprise))
        services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
        entries.append(PublishedA.objects.get(application=application))
    client = as_user(demo["sheng-office"])
    first = client.get("/workspace/lists/published-a/", {"state": "published"}).content.decode()
    assert names[1] in first and names[0] not in first  # newest first
    assert 'href="?state=published&amp;page=2"' in first and "第 1 / 2 页" in first
    second = client.get("/workspace/lists/published-a/", {"state": "published", "page": 2}).content.decode()
    assert names[0] in second and names[1] not in second
    logged = [json.loads(e.after)["ids"] for e in AuditEvent.objects.filter(
        action="lists.published_a.view_archive").order_by("seq")]
    assert logged == [[entries[1].pk], [entries[0].pk]]  # each read names the entries it showed
