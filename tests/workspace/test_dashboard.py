"""The dashboard (issue 4 item 1): my tasks and their deadlines, for the roles I hold and only
within my units' jurisdictions; the grade distribution by area and by industry and the grade
movements as server-side charts whose figures are the database's counts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, time, timedelta

import pytest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qcredit.accounts.models import Role
from qcredit.archive.models import Enterprise
from qcredit.archive.services import enterprise_register, record_withdraw
from qcredit.grading.models import GradeChange, GradeState
from qcredit.lists import services as lists
from qcredit.lists.models import PublishedA
from qcredit.redlist import services as redlist
from qcredit.redlist.models import RevocationReview
from qcredit.rules.codes import CITY_NAMES, COUNTY_NAMES
from qcredit.rules.uscc import make_uscc
from qcredit.workdays.calendar import add_workdays
from qcredit.workdays.models import HolidayYear
from qcredit.workspace.selectors import GRADE_LABELS, UNGRADED_LABEL, my_tasks

from .. import factories
from ..lists.world import World, workdays_after

pytestmark = pytest.mark.django_db

SERIES = {**GRADE_LABELS, "": UNGRADED_LABEL}


@pytest.fixture
def world(db) -> World:
    return World()


def kinds(user, today: date) -> set[tuple[str, str]]:
    return {(t.kind, t.subject) for t in my_tasks(user=user, today=today)}


def tasks_by_kind(user, today: date, kind: str) -> list:
    return [t for t in my_tasks(user=user, today=today) if t.kind == kind]


def honoured(world: World, **kwargs) -> Enterprise:
    """An enterprise eligible for the red list: clean archive and a provincial government
    quality award (SRL 第八条(一), 第九条)."""
    enterprise = world.enterprise(**kwargs)
    world.record(enterprise, "honour", honour_type="government_quality_award", level="provincial",
                 issued_by="山东省人民政府")
    return enterprise


# --- tasks ----------------------------------------------------------------------------------------------


def test_red_list_tasks_follow_the_nomination_to_the_role_and_bureau_that_must_act(
        world, people, province_list, jinan_list, clock):
    today = clock.set(clock.today, at=time(0, 30))  # the previous day in UTC: dates shown are local
    subject = honoured(world, name="济南红名单候选机械有限公司")
    city_subject = honoured(world, name="济南市级候选食品有限公司")

    nomination = redlist.nomination_draft(redlist=province_list, enterprise=subject, reasons="质量管理卓越",
                                          credit_facts="荣获山东省省长质量奖", actor=people["sheng-division"])
    assert ("nomination_draft", subject.name) in kinds(people["sheng-division"], today)
    for other in ("jinan-division", "sheng-legal", "sheng-office", "sheng-auditor"):
        assert not kinds(people[other], today), other

    redlist.nomination_submit(nomination=nomination, actor=people["sheng-division"])
    city = redlist.nomination_draft(redlist=jinan_list, enterprise=city_subject, reasons="质量管理卓越",
                                    credit_facts="荣获山东省省长质量奖", actor=people["jinan-division"])
    redlist.nomination_submit(nomination=city, actor=people["jinan-division"])
    # Legality review by the legal division of the list's own bureau (SRL 第十条、第十八条).
    assert kinds(people["sheng-legal"], today) == {("nomination_legal_review", subject.name)}
    assert kinds(people["jinan-legal"], today) == {("nomination_legal_review", city_subject.name)}
    assert not kinds(people["lixia-legal"], today)
    assert not kinds(people["sheng-division"], today)

    [review] = tasks_by_kind(people["sheng-legal"], today, "nomination_legal_review")
    assert review.detail == f"山东省质量信用红名单，{today:%Y-%m-%d} 提报"

    redlist.nomination_legal_review(nomination=nomination, passed=True, actor=people["sheng-legal"])
    assert kinds(people["sheng-office"], today) == {("nomination_to_agenda", subject.name)}
    assert not kinds(people["jinan-office"], today)
    assert not kinds(people["sheng-legal"], today)

    meeting = redlist.meeting_schedule(redlist=province_list, kind="regular", date=today + timedelta(days=3),
                                       actor=people["sheng-office"])
    redlist.agenda_item_add(meeting=meeting, subject=nomination, actor=people["sheng-office"])
    [upcoming] = tasks_by_kind(people["sheng-office"], today, "meeting_upcoming")
    assert (upcoming.due_on, upcoming.detail, upcoming.target) == (meeting.date, "1 项议题待研究", ("meeting", meeting.pk))
    assert not tasks_by_kind(people["sheng-office"], today, "nomination_to_agenda")
    assert [t.kind for t in my_tasks(user=people["sheng-leader"], today=today)] == ["meeting_upcoming"]
    assert not kinds(people["jinan-leader"], today)

    # The meeting day passed with the item undecided: the office is to record the decision.
    clock.advance(4)
    assert [t.kind for t in my_tasks(user=people["sheng-office"], today=clock.today)] == ["meeting_to_record"]
    assert not kinds(people["sheng-leader"], clock.today)


def test_a_revocation_review_is_due_in_five_working_days_and_then_flagged_to_the_office(
        world, people, province_list, clock):
    subject = honoured(world, name="济南失信苗头机械有限公司")
    entry = world_publish(people, province_list, subject)
    world.make_c(subject)  # a violation during publication (SRL 第十三条)
    [review] = redlist.revocation_reviews_reconcile(today=clock.today)
    expected_due = workdays_after(clock.today, 5)

    [task] = tasks_by_kind(people["sheng-division"], clock.today, "revocation_propose")
    assert (task.subject, task.due_on, task.deadline, task.overdue) == (entry.name, expected_due, True, False)
    assert task.workdays_left == 5 and task.target == ("revocation_review", review.pk)
    assert not kinds(people["jinan-division"], clock.today)
    assert not tasks_by_kind(people["sheng-office"], clock.today, "revocation_overdue")

    clock.set(expected_due + timedelta(days=1))
    while add_workdays(clock.today, 0) != clock.today:  # a working day after the deadline
        clock.advance(1)
    [late] = tasks_by_kind(people["sheng-division"], clock.today, "revocation_propose")
    assert late.overdue and late.workdays_left < 0
    [chase] = tasks_by_kind(people["sheng-office"], clock.today, "revocation_overdue")
    assert chase.overdue and chase.subject == entry.name

    redlist.revocation_review_propose(review=review, revoke=True, reasons="产品抽查不合格",
                                      actor=people["sheng-division"])
    assert not tasks_by_kind(people["sheng-division"], clock.today, "revocation_propose")
    assert [t.kind for t in my_tasks(user=people["sheng-office"], today=clock.today)] == ["revocation_to_agenda"]
    assert RevocationReview.objects.get(pk=review.pk).state == RevocationReview.State.PROPOSED


def world_publish(people, redlist_, enterprise):
    """The whole path to publication with the list's own accounts (SRL 第五至十二条)."""
    office = people["sheng-office"]
    nomination = redlist.nomination_draft(redlist=redlist_, enterprise=enterprise, reasons="质量管理卓越",
                                          credit_facts="荣获山东省省长质量奖", actor=people["sheng-division"])
    redlist.nomination_submit(nomination=nomination, actor=people["sheng-division"])
    redlist.nomination_legal_review(nomination=nomination, passed=True, actor=people["sheng-legal"])
    meeting = redlist.meeting_schedule(redlist=redlist_, kind="extraordinary", date=timezone.localdate(),
                                       reason="审议红名单事项", actor=office)
    item = redlist.agenda_item_add(meeting=meeting, subject=nomination, actor=office)
    redlist.agenda_item_decide(item=item, approved=True, minutes_ref="纪要〔2026〕1号", leaders=[people["sheng-leader"]],
                               actor=office)
    nomination.refresh_from_db()
    return nomination.entry


def test_a_application_tasks_go_to_the_inspection_unit_covering_the_region_then_the_province(
        world, people, clock):
    plain = world.enterprise(name="济南守信轴承有限公司")
    tested = world.enterprise(name="济南锅炉检验企业有限公司", mandatory_testing=True)
    qingdao_inspection = factories.staff(Role.INSPECTION, "3702")
    lists.a_application_submit(enterprise=plain, actor=world.account(plain))
    application = lists.a_application_submit(enterprise=tested, actor=world.account(tested))

    assert kinds(people["sheng-evaluator"], clock.today) == {("a_evaluation", plain.name)}
    assert not kinds(people["jinan-evaluator"], clock.today)  # the evaluation is provincial (QCO 三(五))
    for inspector in ("lixia-inspection", "jinan-inspection", "sheng-inspection"):
        assert kinds(people[inspector], clock.today) == {("a_inspection", tested.name)}, inspector
    assert not kinds(qingdao_inspection, clock.today)

    lists.a_application_inspection_opinion(application=application, favourable=True, opinion="产品监督检验合格",
                                           actor=people["lixia-inspection"])
    assert not kinds(people["lixia-inspection"], clock.today)
    assert kinds(people["sheng-evaluator"], clock.today) == {("a_evaluation", plain.name),
                                                             ("a_evaluation", tested.name)}


def test_a_computed_d_is_a_task_for_the_reviewers_covering_its_region_only(world, people, clock):
    enterprise = world.enterprise(name="济南假冒产品有限公司")
    world.make_d(enterprise)
    lists.recheck_reconcile(today=clock.today)
    qingdao_reviewer = factories.staff(Role.REVIEWER, "3702")
    for reviewer in ("lixia-reviewer", "jinan-reviewer", "sheng-reviewer"):
        assert kinds(people[reviewer], clock.today) == {("recheck", enterprise.name)}, reviewer
    assert not kinds(qingdao_reviewer, clock.today)
    assert not kinds(people["lixia-division"], clock.today)


def test_objections_and_statements_wait_for_the_office_of_the_owning_bureau_with_the_answer_deadline(
        world, people, clock):
    enterprise = world.enterprise(name="济南公示守信有限公司")
    account = world.account(enterprise)
    application = lists.a_application_submit(enterprise=enterprise, actor=account)
    lists.a_application_evaluate(application=application, approved=True, actor=people["sheng-evaluator"])
    entry = PublishedA.objects.get(application=application)
    objection = lists.objection_lodge(target_kind="published_a", target_id=entry.pk, name="张三",
                                      contact="13800000000", reasons="公示与事实不符")
    lists.statement_submit(target_kind="published_a", target_id=entry.pk, text="本企业始终坚持质量第一。",
                           actor=account)

    tasks = {t.kind: t for t in my_tasks(user=people["sheng-office"], today=clock.today)}
    assert set(tasks) == {"objection_assign", "statement_moderate"}
    assert tasks["objection_assign"].due_on == objection.due_on == workdays_after(clock.today, 15)
    assert objection.receipt in tasks["objection_assign"].detail
    assert not kinds(people["jinan-office"], clock.today)  # the published A belongs to the province

    lists.objection_assign(objection=objection, assignee=people["sheng-office"], actor=people["sheng-office"])
    [answer] = tasks_by_kind(people["sheng-office"], clock.today, "objection_answer")
    assert not answer.overdue
    clock.set(objection.due_on + timedelta(days=1))
    [late] = tasks_by_kind(people["sheng-office"], clock.today, "objection_answer")
    assert late.overdue


def test_the_provincial_admin_is_reminded_of_next_years_holiday_schedule_from_november(people, clock):
    clock.set(date(2026, 6, 15))
    assert not kinds(people["sheng-admin"], clock.today)
    clock.set(date(2026, 11, 16))
    next_loaded = HolidayYear.objects.filter(year=2027).exists()
    assert bool(kinds(people["sheng-admin"], clock.today)) is not next_loaded
    assert not kinds(people["jinan-admin"], clock.today)
    if not next_loaded:
        clock.set(date(2026, 12, 21))  # 15 working days from here reach into 2027
        [task] = my_tasks(user=people["sheng-admin"], today=clock.today)
        assert task.kind == "holidays_missing" and task.overdue


def test_the_dashboard_lists_my_tasks_overdue_first_with_escaped_names_and_links(client, world, people, clock):
    evil = world.enterprise(name="<script>alert(1)</script>假冒有限公司")
    world.make_d(evil)
    lists.recheck_reconcile(today=clock.today)
    client.force_login(people["lixia-reviewer"])
    html = client.get("/workspace/").content.decode()
    assert 'data-kind="recheck"' in html and "计算为D级，待复核" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="/workspace/enterprises/{evil.uscc}/"' in html

    client.force_login(people["jinan-division"])
    assert "目前没有等待您办理的事项" in client.get("/workspace/").content.decode()


def test_an_auditor_gets_a_pointer_to_the_audit_trail_and_no_grade_data(client, world, people):
    world.enterprise()
    client.force_login(people["sheng-auditor"])
    response = client.get("/workspace/")
    html = response.content.decode()
    assert response.status_code == 200 and "纪检/审计" in html
    assert "等级分布" not in html and "chart-svg" not in html
    assert client.get("/workspace/enterprises/").status_code == 403


# --- charts ---------------------------------------------------------------------------------------------


def chart(html: str, section_id: str) -> dict[tuple[str, str], int]:
    body = re.search(rf'<section class="card chart" id="{section_id}".*?</section>', html, re.S).group(0)
    svg = re.search(r"<svg class=\"chart-svg.*?</svg>", body, re.S).group(0)
    return {(c, s): int(v) for c, s, v in
            re.findall(r'data-category="([^"]*)" data-series="([^"]*)" data-value="([^"]*)"', svg)}


def expected(enterprises, key) -> dict[tuple[str, str], int]:
    grades = dict(GradeState.objects.values_list("enterprise_id", "grade"))
    counts = Counter((key(e), SERIES[grades.get(e.pk, "")]) for e in enterprises)
    return {k: n for k, n in counts.items() if n}


@pytest.fixture
def archive(world, clock):
    """Enterprises in two cities, several industries, every grade."""
    made = []
    for n, (region, industry, grade) in enumerate((
            ("370102", "C3431", "A"), ("370102", "C1371", "C"), ("370112", "C3431", "D"), ("370112", "F5123", "A"),
            ("370202", "C3431", "B"), ("370202", "", "C"), ("370203", "C2710", "N"), ("370102", "C3431", "A"))):
        established = {"B": clock.today - timedelta(days=800), "N": clock.today - timedelta(days=200)}.get(
            grade, date(2010, 3, 1))
        enterprise = enterprise_register(data={
            "uscc": make_uscc(f"91{region}MA{9000 + n:07d}"), "name": f"图表测试{n}号有限公司",
            "established_on": established.isoformat(), "region": region, "industry": industry,
            "licence_required": False, "mandatory_testing": False, "exporter": False, "status": "active"})
        if grade == "C":
            world.make_c(enterprise)
        elif grade == "D":
            world.make_d(enterprise)
        made.append(enterprise)
    assert sorted(GradeState.objects.values_list("grade", flat=True)) == sorted("AACDABCN")
    return Enterprise.objects.filter(pk__in=[e.pk for e in made])


def test_the_charts_show_the_database_counts_by_city_for_the_province_and_by_county_for_a_city(
        client, archive, people):
    client.force_login(people["sheng-division"])
    html = client.get("/workspace/").content.decode()
    assert chart(html, "chart-area") == expected(archive, lambda e: CITY_NAMES[e.region[:4]])
    tiles = dict(re.findall(r'<b data-grade="([^"]+)">(\d+)</b>', html))
    assert {g: int(n) for g, n in tiles.items() if int(n)} == dict(Counter(
        GradeState.objects.filter(enterprise__in=archive).values_list("grade", flat=True)))

    client.force_login(people["jinan-division"])
    html = client.get("/workspace/").content.decode()
    jinan = [e for e in archive if e.region.startswith("3701")]
    assert chart(html, "chart-area") == expected(jinan, lambda e: COUNTY_NAMES[e.region])
    assert "青岛" not in html


def test_the_industry_charts_count_by_gb4754_section_and_manufacturing_division(client, archive, people):
    from qcredit.rules.codes import MANUFACTURING_DIVISIONS, NO_INDUSTRY, SECTIONS

    client.force_login(people["sheng-division"])
    html = client.get("/workspace/").content.decode()
    assert chart(html, "chart-industry") == expected(
        archive, lambda e: f"{e.industry[0]} {SECTIONS[e.industry[0]]}" if e.industry else NO_INDUSTRY)
    manufacturing = [e for e in archive if e.industry.startswith("C")]
    assert chart(html, "chart-division") == expected(
        manufacturing, lambda e: f"{e.industry[1:3]} {MANUFACTURING_DIVISIONS[e.industry[:3]]}")


def test_the_movement_chart_counts_the_grade_changes_of_the_month_by_direction(client, archive, world, people, clock):
    downgraded = [e for e in archive if GradeState.objects.get(enterprise=e).grade == "A"][:2]
    failures = [world.make_c(enterprise) for enterprise in downgraded]  # A → C this month
    clock.advance(40)
    record_withdraw(record=failures[0], reason="抽查结果通报有误")  # C → A next month
    assert GradeState.objects.get(enterprise=downgraded[0]).grade == "A"
    rank = {"A": 4, "B": 3, "C": 2, "D": 1}
    changes = GradeChange.objects.filter(enterprise__in=archive)
    expected_moves = Counter()
    for c in changes:
        month = f"{c.as_of:%Y-%m}-01"
        if not c.from_grade:
            direction = None
        elif c.from_grade in rank and c.to_grade in rank:
            direction = "升级" if rank[c.to_grade] > rank[c.from_grade] else "降级"
        else:
            direction = "涉及未定级"
        if direction:
            expected_moves[(month, direction)] += 1
    assert expected_moves[("2026-06-01", "降级")] >= 2 and expected_moves[("2026-07-01", "升级")] == 1

    client.force_login(people["sheng-division"])
    html = client.get("/workspace/").content.decode()
    drawn = chart(html, "chart-movements")
    assert {k: v for k, v in drawn.items() if v} == dict(expected_moves)
    assert len({c for c, _ in drawn}) == 12  # twelve months on the axis
    first = sum(1 for c in changes if not c.from_grade)
    assert re.search(r"<span data-first-total>(\d+)</span>", html).group(1) == str(first)


def test_the_dashboard_costs_the_same_number_of_queries_for_ten_or_forty_enterprises(client, world, people):
    from django.db import connection

    client.force_login(people["sheng-division"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/workspace/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(10):
        world.enterprise(region="370102")
    few = queries()
    for i in range(30):
        world.enterprise(region=["370202", "370303", "370102"][i % 3])
    assert queries() == few


def test_reading_the_grade_statistics_of_the_dashboard_is_an_access_event(client, world, people):
    from qcredit.audit.models import AuditEvent

    world.enterprise()
    client.force_login(people["jinan-division"])
    assert client.get("/workspace/").status_code == 200
    event = AuditEvent.objects.get(action="workspace.dashboard.grade_statistics")
    assert event.kind == AuditEvent.Kind.ACCESS and event.actor == people["jinan-division"]
    assert '"3701"' in event.after
