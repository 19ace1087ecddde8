"""The enterprise page (issue 4 item 1): besides the explained grade and the archive timeline,
its grade history, where it stands on the lists (with their dates and the workflow items),
the supervision measures of its grade (QCO 四) and its external credit beside the grade,
never changing it (QCO 三(五)). Reading it is an access event; outside the jurisdiction it
does not exist."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import NoReverseMatch, reverse

from qcredit.accounts.models import Role
from qcredit.archive.services import enterprise_register
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeState
from qcredit.lists import services as lists
from qcredit.lists.models import PublishedA
from qcredit.redlist import services as redlist
from qcredit.rules.uscc import make_uscc
from qcredit.workspace.measures import CATALOGUE, EXPORTER, LICENCE

from .. import factories
from ..lists.world import World, redlist_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return World()


def page(client, enterprise) -> str:
    response = client.get(f"/workspace/enterprises/{enterprise.uscc}/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, section_id: str) -> str:
    return re.search(rf'<section class="card" id="{section_id}".*?</section>', html, re.S).group(0)


def test_the_lists_section_shows_entries_with_dates_and_the_workflow_items(client, world, people, clock):
    enterprise = world.enterprise(name="济南名单展示有限公司")
    entry = redlist_entry(enterprise, people)
    account = world.account(enterprise)
    application = lists.a_application_submit(enterprise=enterprise, actor=account)
    lists.a_application_evaluate(application=application, approved=True, actor=people["sheng-evaluator"])
    published = PublishedA.objects.get(application=application)
    objection = lists.objection_lodge(target_kind="published_a", target_id=published.pk, name="李四",
                                      contact="lisi@example.com", reasons="与事实不符")

    client.force_login(people["sheng-division"])
    html = page(client, enterprise)
    lists_html = section(html, "lists")
    assert "质量信用红名单" in lists_html and "A级（守信）企业公示" in lists_html
    red_row = re.search(r'<table class="list" id="redlist-entries">.*?</table>', lists_html, re.S).group(0)
    assert entry.published_on.isoformat() in red_row and entry.valid_until.isoformat() in red_row
    assert "公开中" in red_row and "山东省质量信用红名单" in red_row
    assert published.valid_until.isoformat() in section(html, "lists")
    assert 'id="nominations"' in lists_html and "已列入并公开" in lists_html
    assert objection.receipt in lists_html
    assert "李四" not in html and "lisi@example.com" not in html  # the objector's data stay in the inbox
    assert "目前公开于：质量信用红名单、A级（守信）企业公示" in lists_html

    # A county's staff see the entry (public) but not the internals of the province's list.
    client.force_login(people["lixia-division"])
    lists_html = section(page(client, enterprise), "lists")
    assert 'id="redlist-entries"' in lists_html and 'id="nominations"' not in lists_html


def test_a_blacklisted_enterprise_shows_its_recheck_and_black_list_entry(client, world, people, clock):
    enterprise = world.enterprise(name="济南黑名单展示有限公司")
    world.make_d(enterprise)
    lists.recheck_reconcile(today=clock.today)
    recheck = enterprise.rechecks.get()
    client.force_login(people["jinan-reviewer"])
    lists_html = section(page(client, enterprise), "lists")
    assert 'id="rechecks"' in lists_html and "待复核" in lists_html and 'id="blacklist"' not in lists_html
    assert "目前不在任何公开名单上" in lists_html

    lists.recheck_confirm(recheck=recheck, facts="故意生产假冒伪劣产品", actor=people["lixia-reviewer"])
    lists_html = section(page(client, enterprise), "lists")
    assert 'id="blacklist"' in lists_html and "公开曝光中" in lists_html and "失信黑名单" in lists_html


def measure_texts(html: str) -> set[str]:
    return set(re.findall(r"<li><b>(.*?)</b>", section(html, "measures")))


def test_the_measures_of_the_grade_apply_by_the_enterprises_own_properties(client, world, people):
    plain = world.enterprise(name="济南普通守信有限公司")
    exporter = enterprise_register(data={
        "uscc": make_uscc("91370102MA8000001"), "name": "济南出口守信有限公司", "established_on": "2010-01-01",
        "region": "370102", "industry": "C3491", "licence_required": False, "mandatory_testing": False,
        "exporter": True, "status": "active"})
    assert GradeState.objects.get(enterprise=plain).grade == GradeState.objects.get(enterprise=exporter).grade == "A"
    client.force_login(people["jinan-division"])
    grade_a = {m.text for m in CATALOGUE if m.grade == "A"}
    for_plain = measure_texts(page(client, plain))
    for_exporter = measure_texts(page(client, exporter))
    assert for_plain == {m.text for m in CATALOGUE if m.grade == "A" and m.concerns not in (EXPORTER, LICENCE)}
    assert for_exporter - for_plain == {m.text for m in CATALOGUE if m.grade == "A" and m.concerns == EXPORTER}
    assert for_exporter <= grade_a
    assert "QCO 四(一)" in section(page(client, plain), "measures")

    world.make_c(plain)
    html = page(client, plain)
    assert measure_texts(html) == {m.text for m in CATALOGUE if m.grade == "C" and m.concerns == ""}
    assert "QCO 四(三)" in section(html, "measures")


def test_external_credit_is_shown_beside_the_grade_and_never_changes_it(client, world, people):
    enterprise = world.enterprise(name="济南外部信用有限公司")
    before = GradeState.objects.get(enterprise=enterprise).grade
    world.record(enterprise, "external_credit", provider="tax", rating="M级纳税人")
    assert GradeState.objects.get(enterprise=enterprise).grade == before
    client.force_login(people["lixia-division"])
    grade_card = section(page(client, enterprise).replace('class="card grade-card"', 'class="card"'), "grade")
    assert "M级纳税人" in grade_card and "不影响等级" in grade_card


def test_grade_history_marks_downgrades_and_upgrades(client, world, people):
    from qcredit.archive.services import record_withdraw

    enterprise = world.enterprise()
    failure = world.make_c(enterprise)
    record_withdraw(record=failure, reason="通报有误")
    client.force_login(people["lixia-division"])
    history = section(page(client, enterprise), "grade-history")
    rows = re.findall(r'<tr class="move-(\w+)">', history)
    assert rows == ["up", "down", "first"]  # newest first
    assert "首次评定" in history and "降级" in history and "升级" in history


def test_record_links_lead_to_the_record_forms_where_they_exist(client, world, people):
    enterprise = world.enterprise()
    failure = world.make_c(enterprise)
    client.force_login(people["lixia-division"])
    html = page(client, enterprise)
    try:
        add = reverse("workspace:record-add", args=[enterprise.uscc])
    except NoReverseMatch:  # the record forms are another area's; the page works without them
        add = None
    try:
        correct = reverse("workspace:record-correct", args=[enterprise.uscc, failure.pk])
    except NoReverseMatch:
        correct = None
    assert (add is None or f'href="{add}"' in html) and (correct is None or f'href="{correct}"' in html)


def test_the_view_is_logged_with_what_was_shown_and_outside_the_jurisdiction_the_page_does_not_exist(
        client, world, people):
    enterprise = world.enterprise(name="济南访问日志有限公司")
    redlist_entry(enterprise, people)
    client.force_login(people["jinan-office"])
    page(client, enterprise)
    event = AuditEvent.objects.filter(kind="access", action="workspace.enterprise.view").latest("seq")
    assert event.object_id == str(enterprise.pk) and json.loads(event.after)["lists"] == ["质量信用红名单"]

    client.force_login(factories.staff(Role.OFFICE, "3702"))
    seq = event.seq
    response = client.get(f"/workspace/enterprises/{enterprise.uscc}/")
    assert response.status_code == 404 and "不在您的管辖范围内" in response.content.decode()
    assert not AuditEvent.objects.filter(seq__gt=seq, action="workspace.enterprise.view").exists()
    assert enterprise.name not in response.content.decode()


def test_a_nomination_link_points_to_the_red_list_screens_where_they_exist(client, world, people, province_list):
    enterprise = world.enterprise()
    world.record(enterprise, "honour", honour_type="government_quality_award", level="provincial",
                 issued_by="山东省人民政府")
    nomination = redlist.nomination_draft(redlist=province_list, enterprise=enterprise, reasons="卓越",
                                          credit_facts="省长质量奖", actor=people["sheng-division"])
    client.force_login(people["sheng-division"])
    nominations = re.search(r'<table class="list" id="nominations">.*?</table>', page(client, enterprise), re.S)
    assert nominations and "草稿" in nominations.group(0)
    try:
        link = reverse("workspace:redlist-nomination", args=[nomination.pk])
    except NoReverseMatch:
        link = None
    assert link is None or f'href="{link}"' in nominations.group(0)
