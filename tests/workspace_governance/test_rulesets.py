"""Rule-set screens (SPEC §6): versions, a successor draft with articles, its impact preview
(grades per grade, red-list subjects that stop qualifying) and activation with its result."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qcredit.grading.models import GradingRun
from qcredit.redlist.models import RemovalItem
from qcredit.rulesets.models import RuleSetVersion

from ..redlist.conftest import add_record, publish, subject
from .conftest import page, refusal

pytestmark = pytest.mark.django_db


def draft_form(version="SD-2026.1", effective_from="2026-03-02", **values):
    data = {"version": version, "effective_from": effective_from, "title": "", "note": "",
            "reason": "新办法延长红名单清白期"}
    for name, (value, article) in values.items():
        data[f"value__{name}"] = value
        data[f"article__{name}"] = article
    return data


def test_every_member_sees_the_versions_and_the_one_in_force(as_user):
    text = page(as_user("jinan-auditor").get("/workspace/rulesets/"))
    assert "SD-2018.1" in text and "现行" in text
    assert "拟定新版本" not in text
    detail = page(as_user("lixia-division").get("/workspace/rulesets/SD-2018.1/"))
    assert "SRL 第十三条 “在5个工作日内提出是否撤销的建议”" in detail  # every parameter with its article
    assert "5个工作日" in detail


def test_only_a_provincial_admin_drafts(as_user):
    for username in ("sheng-division", "jinan-admin"):
        response = as_user(username).get("/workspace/rulesets/new/")
        assert response.status_code == 403 and "省级系统管理员" in refusal(response), username
    assert "拟定新版本" in page(as_user("sheng-admin").get("/workspace/rulesets/"))


def test_a_new_value_without_its_article_is_refused(as_user):
    client = as_user("sheng-admin")
    response = client.post("/workspace/rulesets/new/", draft_form(redlist_clean_years=("5", "")))
    assert response.status_code == 200
    assert "必须注明依据条款" in refusal(response)
    response = client.post("/workspace/rulesets/new/", draft_form(redlist_clean_years=("五", "某条")))
    assert "应为整数" in page(response)
    assert not RuleSetVersion.objects.exists()


def listed_with_an_old_penalty(people, redlist):
    """A listed subject with a penalty four years ago: clean for 3 years (SRL 第九条(二)), not for 5."""
    enterprise = subject(name="济南四年前处罚有限公司")
    add_record(enterprise, "penalty", days_ago=4 * 365, scope="other", severity="ordinary",
               decision_no="济市监罚〔2022〕9号")
    return publish(people, redlist, enterprise)


def test_draft_preview_and_activation_through_the_screens(as_user, people, province_list, clock):
    entry = listed_with_an_old_penalty(people, province_list)
    admin = as_user("sheng-admin")
    response = admin.post("/workspace/rulesets/new/", draft_form(
        redlist_clean_years=("5", "新办法第九条(二)“之前连续五年”")))
    assert response.status_code == 302 and response["Location"] == "/workspace/rulesets/SD-2026.1/"
    version = RuleSetVersion.objects.get()
    assert version.state == RuleSetVersion.State.DRAFT and version.overrides["redlist_clean_years"]["value"] == 5

    detail = page(admin.get("/workspace/rulesets/SD-2026.1/"))
    assert "新办法第九条(二)“之前连续五年”" in detail and "SRL 第九条(二) “之前连续三年”" in detail  # new beside old
    assert "启用前须先预览影响" in detail

    # Activation needs the preview first (SPEC §6).
    response = admin.post("/workspace/rulesets/SD-2026.1/activate/", {"reason": "启用"})
    assert "尚未预览影响" in page(response)
    version.refresh_from_db()
    assert version.state == RuleSetVersion.State.DRAFT

    response = admin.post("/workspace/rulesets/SD-2026.1/preview/", {"as_of": ""})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == RuleSetVersion.State.PREVIEWED
    detail = page(admin.get("/workspace/rulesets/SD-2026.1/"))
    assert entry.name in detail and "SRL 第九条(二)" in detail  # the subject that would stop qualifying, and why
    assert "<svg" in detail  # grades now and under the new version, drawn on the server

    confirm = page(admin.get("/workspace/rulesets/SD-2026.1/activate/"))
    assert "确认启用" in confirm and entry.name in confirm
    response = admin.post("/workspace/rulesets/SD-2026.1/activate/", {"reason": ""})
    assert "启用理由" in page(response) and version.state == RuleSetVersion.State.PREVIEWED
    response = admin.post("/workspace/rulesets/SD-2026.1/activate/", {"reason": "省局党组会议决定启用新办法"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == RuleSetVersion.State.ACTIVE

    result = page(admin.get("/workspace/rulesets/SD-2026.1/"))
    run = GradingRun.objects.get(cause="启用规则版本 SD-2026.1")
    assert "启用结果" in result and f"评定 {run.enterprises} 家企业" in result
    item = RemovalItem.objects.get(route=RemovalItem.Route.RULESET, reference="SD-2026.1")
    assert item.entry == entry and entry.name in result.split("启用结果")[1]
    assert "现行" in page(admin.get("/workspace/rulesets/"))


def test_the_impact_lists_only_subjects_in_the_viewers_jurisdiction(as_user, people, province_list, clock):
    entry = listed_with_an_old_penalty(people, province_list)  # region 370102, Jinan
    as_user("sheng-admin").post("/workspace/rulesets/new/", draft_form(redlist_clean_years=("5", "新办法")))
    as_user("sheng-admin").post("/workspace/rulesets/SD-2026.1/preview/", {"as_of": ""})
    assert entry.name in page(as_user("jinan-division").get("/workspace/rulesets/SD-2026.1/"))
    text = page(as_user("jinan-auditor").get("/workspace/rulesets/SD-2026.1/"))  # an auditor sees no archive
    assert entry.name not in text and "不在您的管辖范围内" in text


def test_a_city_admin_cannot_preview_or_activate(as_user, clock):
    as_user("sheng-admin").post("/workspace/rulesets/new/", draft_form(
        effective_from=(clock.today + timedelta(days=10)).isoformat(), objection_answer_deadline=("20", "新规定")))
    client = as_user("jinan-admin")
    response = client.post("/workspace/rulesets/SD-2026.1/preview/", {"as_of": ""})
    assert response.status_code == 403 and "管辖范围" in refusal(response)
    response = client.get("/workspace/rulesets/SD-2026.1/activate/")
    assert response.status_code == 403
    assert RuleSetVersion.objects.get().state == RuleSetVersion.State.DRAFT


def test_a_preview_before_the_effective_date_is_refused_with_the_reason(as_user, clock):
    client = as_user("sheng-admin")
    client.post("/workspace/rulesets/new/", draft_form(
        effective_from=(clock.today + timedelta(days=10)).isoformat(), objection_answer_deadline=("20", "新规定")))
    response = client.post("/workspace/rulesets/SD-2026.1/preview/", {"as_of": clock.today.isoformat()})
    assert response.status_code == 200 and "尚未施行" in refusal(response)
    assert client.get("/workspace/rulesets/SD-2099.9/").status_code == 404
