"""The staff screens of inspection plans and conflicts: a division makes, previews, draws,
publishes a plan, enters results and publishes them; others see what their jurisdiction covers
and are refused with a Chinese message, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeState
from qcredit.supervision import services
from qcredit.supervision.models import Conflict, InspectionPlan, PlanAssignment, PlanItem

from .test_plans import plan_data


def form_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {"name": "2026年历下区机械产品监督抽查", "kind": "sampling", "record_scope": "quality", "regions": "370102",
            "industries": "", "keywords": "", "ratio_a": "0.5", "ratio_b": "0.5", "ratio_c": "1", "ratio_d": "1",
            "ratio_n": "0", "inspectors_per_enterprise": "2", "pool": "role", "pool_unit": "", "seed": "123456",
            "starts_on": (today - timedelta(days=5)).isoformat(), "ends_on": (today + timedelta(days=30)).isoformat(),
            "note": ""}
    data.update(overrides)
    return data


def test_a_division_runs_a_plan_from_draft_to_closed(client, people, grades, inspectors):
    made = grades.many({"A": 2, "C": 2})
    client.force_login(people["jinan-division"])
    assert client.get(reverse("supervision:index")).status_code == 200
    assert client.get(reverse("supervision:plan-new")).status_code == 200
    response = client.post(reverse("supervision:plan-new"), form_data())
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    url = reverse("supervision:plan", args=[plan.pk])
    assert response["Location"] == url

    preview = client.get(url).content.decode()
    assert "抽取预览" in preview and "123456" in preview and 'value="draw"' in preview
    assert not PlanItem.objects.exists()  # the preview writes nothing

    assert client.post(url, {"action": "draw"}).status_code == 302
    seq_before = AuditEvent.objects.filter(action="supervision.plan.view").count()
    page = client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="supervision.plan.view").count() == seq_before + 1  # strata: logged
    assert "复核一致" in page and "公示计划" in page
    for item in PlanItem.objects.filter(plan=plan).select_related("enterprise"):
        assert item.enterprise.uscc in page
    for a in PlanAssignment.objects.filter(item__plan=plan).select_related("inspector"):
        assert (a.inspector.last_name + a.inspector.first_name or a.inspector.username) in page

    assert client.post(url, {"action": "publish"}).status_code == 302
    page = client.get(url).content.decode()
    assert "录入结果" in page and reverse("inspections:plan", args=[plan.pk]) in page
    # Publishing results is refused until every result is in, with the reason.
    refused = client.post(url, {"action": "publish_results"})
    assert refused.status_code == 400 and "没有录入检查结果" in refused.content.decode()

    failing = PlanItem.objects.get(plan=plan, stratum="A")  # one of the two A (ratio 0.5)
    assert failing.enterprise in made["A"]
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    for item in PlanItem.objects.filter(plan=plan):
        result_url = reverse("supervision:plan-result", args=[plan.pk, item.pk])
        assert client.get(result_url).status_code == 200
        if item.pk == failing.pk:
            missing = client.post(result_url, {"result": "fail", "inspected_on": day, "own_fault": "yes"})
            assert missing.status_code == 400 and "发现的问题" in missing.content.decode()
            response = client.post(result_url, {"result": "fail", "inspected_on": day, "own_fault": "yes",
                                                "findings": "耐压试验不合格", "ref": "济市监抽〔2026〕1号"})
        else:
            response = client.post(result_url, {"result": "pass", "inspected_on": day, "own_fault": "yes"})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert GradeState.objects.get(enterprise=failing.enterprise).grade == "C"
    assert client.post(url, {"action": "publish_results"}).status_code == 302
    assert client.post(url, {"action": "close"}).status_code == 302
    assert InspectionPlan.objects.get().state == InspectionPlan.State.CLOSED


def test_invalid_forms_and_refusals_are_shown_not_500(client, people, grades, inspectors):
    grades.many({"C": 1})
    client.force_login(people["jinan-division"])
    bad = client.post(reverse("supervision:plan-new"), form_data(regions="3702"))
    assert bad.status_code == 400 and "不在" in bad.content.decode() and "管辖范围" in bad.content.decode()
    bad = client.post(reverse("supervision:plan-new"), form_data(ratio_c="2"))
    assert bad.status_code == 400
    client.post(reverse("supervision:plan-new"), form_data())
    plan = InspectionPlan.objects.get()
    url = reverse("supervision:plan", args=[plan.pk])
    # The province sees Jinan's plan but does not draw it (the plan is Jinan's bureau's).
    client.force_login(people["sheng-division"])
    page = client.get(url)
    assert page.status_code == 200 and 'value="draw"' not in page.content.decode()
    refused = client.post(url, {"action": "draw"})
    assert refused.status_code == 403 and "管辖" in refused.content.decode()
    # A county does not see it at all; an enterprise user is no staff.
    client.force_login(people["lixia-division"])
    assert client.get(url).status_code == 404
    client.force_login(people["jinan-inspection"])
    assert client.get(reverse("supervision:plan-new")).status_code == 403
    assert client.get(reverse("supervision:plan-edit", args=[plan.pk])).status_code == 403
    client.force_login(people["jinan-division"])
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    cancel = client.post(url, {"action": "cancel", "reason": ""})
    assert cancel.status_code == 400 and "理由" in cancel.content.decode()
    edit = client.post(reverse("supervision:plan-edit", args=[plan.pk]), form_data(seed="99"))
    assert edit.status_code == 302 and InspectionPlan.objects.get().seed == 99


def test_conflicts_are_declared_and_ended_on_their_screen(client, people, grades, inspectors):
    enterprise = grades.make("B")
    url = reverse("supervision:conflicts")
    client.force_login(people["jinan-division"])
    unknown = client.post(url, {"inspector": "nobody", "uscc": enterprise.uscc, "reason": "亲属"})
    assert unknown.status_code == 400 and "没有在岗的用户" in unknown.content.decode()
    invalid = client.post(url, {"inspector": inspectors[0].username, "uscc": "91370102MA000000XX", "reason": "亲属"})
    assert invalid.status_code == 400 and "统一社会信用代码" in invalid.content.decode()
    ok = client.post(url, {"inspector": inspectors[0].username, "uscc": enterprise.uscc.lower(), "reason": "配偶任该企业质量负责人"})
    assert ok.status_code == 302
    conflict = Conflict.objects.get()
    page = client.get(url).content.decode()
    assert "配偶任该企业质量负责人" in page and enterprise.name in page
    # Outside the jurisdiction: Qingdao's enterprise is refused (and a county staff does not see Jinan's).
    qingdao = grades.make("A", region="370202")
    outside = client.post(url, {"inspector": inspectors[0].username, "uscc": qingdao.uscc, "reason": "亲属"})
    assert outside.status_code == 400 and "管辖范围内没有这家企业" in outside.content.decode()
    client.force_login(people["jinan-legal"])
    assert 'id="conflict-form"' not in client.get(url).content.decode()
    assert client.post(url, {"inspector": "x", "uscc": enterprise.uscc, "reason": "y"}).status_code == 403
    client.force_login(people["jinan-division"])
    assert client.post(url, {"end": conflict.pk, "reason": ""}).status_code == 400
    assert client.post(url, {"end": conflict.pk, "reason": "已调离"}).status_code == 302
    conflict.refresh_from_db()
    assert conflict.ended_at is not None and conflict.end_reason == "已调离"


def test_the_staff_nav_and_public_nav_link_the_pages(client, people):
    client.force_login(people["lixia-office"])
    home = client.get(reverse("workspace:home")).content.decode()
    assert reverse("supervision:index") in home
    client.logout()
    public = client.get(reverse("portal:home")).content.decode()
    assert reverse("inspections:index") in public


def test_the_pages_carry_no_inline_script_or_style(client, people, grades, inspectors):
    grades.many({"C": 1})
    client.force_login(people["jinan-division"])
    client.post(reverse("supervision:plan-new"), form_data())
    plan = InspectionPlan.objects.get()
    urls = [reverse(n) for n in ("supervision:index", "supervision:measures", "supervision:plans",
                                 "supervision:plan-new", "supervision:conflicts")]
    urls.append(reverse("supervision:plan", args=[plan.pk]))
    for url in urls:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and not re.search(r"\son[a-z]+=", html), url


def test_the_overview_counts_plans_by_state_not_their_enterprises(client, people, grades, inspectors):
    grades.many({"C": 3})
    division = people["jinan-division"]
    published = services.plan_draw(plan=services.plan_create(data=plan_data(), actor=division), actor=division)
    services.plan_publish(plan=published, actor=division)
    services.plan_create(data=plan_data(name="草稿一"), actor=division)
    services.plan_create(data=plan_data(name="草稿二"), actor=division)
    assert published.items.count() > 1  # its drawn enterprises must not count as plans
    client.force_login(division)
    html = client.get(reverse("supervision:index")).content.decode()
    tiles = dict((label, int(n)) for n, label in re.findall(r"<b>(\d+)</b><span>抽查计划：([^<]+)</span>", html))
    assert tiles == {"草稿": 2, "已公示，检查中": 1}
    client.force_login(people["lixia-division"])  # the county sees none of Jinan's plans
    html = client.get(reverse("supervision:index")).content.decode()
    assert dict((label, int(n)) for n, label in re.findall(r"<b>(\d+)</b><span>抽查计划：([^<]+)</span>", html)) == {
        "草稿": 0, "已公示，检查中": 0}
