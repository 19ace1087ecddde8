"""The public pages of inspection plans (一公开, /inspections/) reveal no grade (SPEC §7.1, §9):
no grade, stratum, ratio or draw order on them, and the same page whatever the drawn
enterprises' strata and current grades are."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qcredit.supervision import services
from qcredit.supervision.models import PlanItem

from .test_plans import plan_data

# Words and marks that would tell a grade: the grade names of QCO 三, the strata, the ratios.
GRADE_WORDS = ("守信", "失信", "等级", "未定级", "grade", "层", "比例", "随机种子")


def main(html: str) -> str:
    """The page's own content (the shell's footer says that grades are not published)."""
    return re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)


@pytest.fixture
def published(grades, people, inspectors):
    made = grades.many({"A": 2, "B": 2, "C": 2, "D": 1})
    division = people["jinan-division"]
    plan = services.plan_create(data=plan_data(ratios={"A": "0.5", "B": "0.5", "C": "1", "D": "1", "N": "0"}),
                                actor=division)
    plan = services.plan_publish(plan=services.plan_draw(plan=plan, actor=division), actor=division)
    return plan, made


def fetch(client, plan) -> tuple[str, str]:
    index = client.get(reverse("inspections:index"))
    page = client.get(reverse("inspections:plan", args=[plan.pk]))
    assert index.status_code == page.status_code == 200
    assert "public" in page["Cache-Control"]
    return main(index.content.decode()), main(page.content.decode())


def assert_no_grade(html: str, plan) -> None:
    for word in GRADE_WORDS:
        assert word not in html, word
    for item in plan.items.select_related("enterprise"):
        if item.enterprise.uscc not in html:
            continue
        row = re.search(re.escape(item.enterprise.uscc) + r".*?</tr>", html, re.S).group(0)
        assert not re.search(r"\b[ABCDN]\b", re.sub(r"<[^>]+>", " ", row).replace(item.enterprise.uscc, "")), row
    for ratio in ("0.5", "50%", "1.0000", "0.5000"):
        assert ratio not in html


def test_a_published_plan_shows_its_scope_enterprises_and_inspectors_and_no_grade(client, published):
    plan, _ = published
    index, page = fetch(client, plan)
    assert plan.name in index and plan.name in page
    assert "济南市历下区" in page and plan.unit.name in page
    items = list(plan.items.select_related("enterprise").prefetch_related("assignments__inspector"))
    assert {i.stratum for i in items} == {"A", "B", "C", "D"}
    for item in items:
        assert item.enterprise.name in page and item.enterprise.uscc in page
        for a in item.assignments.all():
            # A Chinese name is written family name first, without a space: 张伟.
            assert (a.inspector.last_name + a.inspector.first_name or a.inspector.username) in page
    # Listed by USCC, not by stratum or draw order.
    positions = [page.index(i.enterprise.uscc) for i in sorted(items, key=lambda i: i.enterprise.uscc)]
    assert positions == sorted(positions)
    assert_no_grade(index, plan)
    assert_no_grade(page, plan)
    assert "检查结果将在检查结束后公示" in page


def test_the_public_page_is_the_same_whatever_the_strata_and_grades(client, published, world):
    plan, made = published
    before = fetch(client, plan)
    # Rewrite every stratum and draw order, and change the current grade of a drawn A enterprise:
    # nothing of it may show.
    PlanItem.objects.filter(plan=plan).update(stratum="N", draw_order=1)
    drawn_a = next(e for e in made["A"] if plan.items.filter(enterprise=e).exists())
    world.make_c(drawn_a)
    assert fetch(client, plan) == before


def test_results_are_public_once_published_and_still_without_grade(client, published, people, world):
    plan, _ = published
    division = people["jinan-division"]
    day = timezone.localdate() - timedelta(days=1)
    items = list(plan.items.select_related("enterprise").order_by("enterprise__uscc"))
    for n, item in enumerate(items):
        if n == 0:
            services.plan_result_record(item=item, result="fail", inspected_on=day, findings="产品标识不符合标准",
                                        ref="济市监抽〔2026〕9号", actor=division)
        else:
            services.plan_result_record(item=item, result="pass", inspected_on=day, actor=division)
    # Before the results are published, the page shows none of them.
    _, page = fetch(client, plan)
    assert "不合格" not in page and "产品标识不符合标准" not in page
    services.plan_publish_results(plan=plan, actor=division)
    index, page = fetch(client, plan)
    assert "结果已公示" in index
    assert "不合格" in page and "产品标识不符合标准" in page and "济市监抽〔2026〕9号" in page and "合格" in page
    assert_no_grade(page, plan)
    # The failed sampling made the enterprise C: still nothing tells it.
    PlanItem.objects.filter(plan=plan).update(stratum="A")
    assert fetch(client, plan)[1] == page


def test_plans_not_yet_published_are_not_public(client, grades, people, inspectors):
    grades.many({"C": 1})
    division = people["jinan-division"]
    draft = services.plan_create(data=plan_data(name="草稿计划"), actor=division)
    drawn = services.plan_draw(plan=services.plan_create(data=plan_data(name="已抽取未公示"), actor=division),
                               actor=division)
    cancelled = services.plan_cancel(plan=services.plan_create(data=plan_data(name="已撤销计划"), actor=division),
                                     actor=division, reason="任务调整")
    index = client.get(reverse("inspections:index")).content.decode()
    for plan in (draft, drawn, cancelled):
        assert plan.name not in index
        assert client.get(reverse("inspections:plan", args=[plan.pk])).status_code == 404
    assert "目前没有公示的抽查计划" in index
    assert client.post(reverse("inspections:index")).status_code == 405
