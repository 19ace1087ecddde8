"""The early-warning screens (SPEC §9): the risk queue, the letter form, letters, the enterprise's
own letters and the review items — who sees what (role, jurisdiction), refusals in Chinese and
never a 500, access events for internal reads, and pages without inline script or style (CSP)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from qcredit.accounts.demo import ensure_demo_accounts
from qcredit.audit.models import AuditEvent
from qcredit.supervision import warnings
from qcredit.supervision.models_warnings import HonourPolicyReview, PreferentialPolicy, WarningLetter
from tests.lists.world import World

QUEUE = "/workspace/supervision/warnings/"


@pytest.fixture
def people(db):
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def pinned(monkeypatch):
    """Letters are issued on a pinned day inside a loaded holiday year (the deadline must be countable
    whenever the suite runs); the grading clock is left alone."""
    monkeypatch.setattr(warnings, "today", lambda: date(2026, 9, 28))


@pytest.fixture
def scene(people):
    world = World()
    low = world.enterprise(region="370102", name="历下低风险有限公司")
    world.make_c(low)
    high = world.enterprise(region="370102", name="历下高风险有限公司")
    world.make_c(high)
    world.record(high, "complaint", scope="quality", verified=True, own_fault=True, resolution="unresolved")
    world.record(high, "external_credit", provider="tax", rating="D级纳税人")
    elsewhere = world.enterprise(region="370202", name="青岛某C级有限公司")
    world.make_c(elsewhere)
    clean = world.enterprise(region="370102", name="历下守信有限公司")
    account = world.account(high, username="ent-high")
    return {"low": low, "high": high, "elsewhere": elsewhere, "clean": clean, "account": account, "world": world}


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))


def html(response) -> str:
    return response.content.decode()


def assert_csp_clean(page: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script"
    assert not re.search(r"\sstyle=", page), "style attribute"
    assert not re.search(r"\son[a-z]+=", page), "event handler attribute"


def test_the_queue_lists_c_enterprises_of_the_jurisdiction_by_risk_and_logs_the_read(client, scene):
    login(client, "lixia-division")
    response = client.get(QUEUE)
    page = html(response)
    assert response.status_code == 200
    assert page.index("历下高风险有限公司") < page.index("历下低风险有限公司")
    assert "青岛某C级有限公司" not in page and "历下守信有限公司" not in page
    assert "发出黄牌警告" in page and "外部信用" in page and "税务“D级纳税人”严重失信" in page
    event = AuditEvent.objects.filter(action="supervision.warning_queue.view").get()
    assert event.actor_name == "lixia-division" and '"count":2' in event.after
    assert_csp_clean(page)

    login(client, "sheng-legal")  # sees the queue (internal, province-wide) but issues nothing
    page = html(client.get(QUEUE))
    assert "青岛某C级有限公司" in page and "发出黄牌警告" not in page


def test_the_queue_filters_by_band_and_region(client, scene):
    login(client, "sheng-office")
    rows = warnings.risk_rows(states=warnings.GradeState.objects.filter(grade="C"))
    band_of_high = next(r.score.band for r in rows if r.enterprise == scene["high"])
    page = html(client.get(QUEUE, {"band": band_of_high, "region": "370102"}))
    assert "历下高风险有限公司" in page and "青岛某C级有限公司" not in page
    assert client.get(QUEUE, {"region": "abc"}).status_code == 200  # an invalid filter is ignored, not a 500


@pytest.mark.parametrize(("username", "status"), [("sheng-auditor", 403), ("ent-high", 403)])
def test_who_has_no_business_in_the_queue_is_refused(client, scene, username, status):
    login(client, username)
    assert client.get(QUEUE).status_code == status
    assert not AuditEvent.objects.filter(action="supervision.warning_queue.view").exists()


def test_anonymous_visitors_are_sent_to_the_login(client, scene):
    for url in (QUEUE, f"{QUEUE}letters/", f"{QUEUE}reviews/", f"{QUEUE}mine/",
                f"{QUEUE}issue/{scene['high'].uscc}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_issuing_through_the_form(client, scene, pinned):
    high = scene["high"]
    login(client, "jinan-office")
    url = f"{QUEUE}issue/{high.uscc}/"
    page = html(client.get(url))
    assert "QCO-C2" in page and "QCO-C6" in page and "列入监管重点" in page and 'value="20"' in page
    assert 'data-confirm="' in page
    assert_csp_clean(page)
    response = client.post(url, {"rectification_workdays": "10", "remarks": "限期召回不合格产品"})
    letter = WarningLetter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}letters/{letter.pk}/"
    page = html(client.get(response["Location"]))
    assert letter.number in page and "限期召回不合格产品" in page and "下载警告书（PDF）" in page
    assert AuditEvent.objects.filter(action="supervision.warning_letter.view").exists()
    # A second letter inside the period: a clear refusal, nothing written.
    response = client.post(url, {"rectification_workdays": "10"})
    assert response.status_code == 400 and "期限届满前不再重复发出" in html(response)
    assert WarningLetter.objects.count() == 1
    # The list of letters shows it; the PDF downloads for staff.
    assert letter.number in html(client.get(f"{QUEUE}letters/", {"q": high.uscc}))
    pdf = client.get(f"{QUEUE}letters/{letter.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_form_refuses_in_chinese_not_with_a_500(client, scene, pinned):
    login(client, "sheng-legal")
    response = client.get(f"{QUEUE}issue/{scene['high'].uscc}/")
    assert response.status_code == 403 and "签发" in html(response)
    login(client, "lixia-division")
    assert client.get(f"{QUEUE}issue/{scene['elsewhere'].uscc}/").status_code == 404  # outside: as if absent
    assert client.get(f"{QUEUE}issue/91370102MA0000000X/").status_code == 404  # invalid or unknown USCC
    response = client.post(f"{QUEUE}issue/{scene['clean'].uscc}/", {"rectification_workdays": "10"})
    assert response.status_code == 400 and "只对C级（失信）企业发出" in html(response)
    response = client.post(f"{QUEUE}issue/{scene['high'].uscc}/", {"rectification_workdays": "0"})
    assert response.status_code == 400 and not WarningLetter.objects.exists()


def test_the_enterprise_sees_and_downloads_its_own_letters_only(client, scene, pinned, people):
    letter = warnings.warning_letter_issue(enterprise=scene["high"], rectification_workdays=10,
                                           actor=people["sheng-office"])
    other = warnings.warning_letter_issue(enterprise=scene["low"], rectification_workdays=10,
                                          actor=people["sheng-office"])
    login(client, "ent-high")
    page = html(client.get(f"{QUEUE}mine/"))
    assert letter.number in page and other.number not in page
    assert_csp_clean(page)
    assert client.get(f"{QUEUE}letters/{letter.pk}/pdf/").status_code == 200
    assert client.get(f"{QUEUE}letters/{other.pk}/pdf/").status_code == 404
    assert client.get(f"{QUEUE}letters/{letter.pk}/").status_code == 403  # the staff page is for staff
    login(client, "sheng-division")
    assert client.get(f"{QUEUE}mine/").status_code == 403


def test_review_items_are_decided_on_their_page_by_the_division_only(client, scene, people):
    high = scene["high"]
    scene["world"].record(high, "honour", honour_type="government_quality_award", level="provincial",
                          issued_by="山东省人民政府")
    warnings.preferential_policy_save(policy=PreferentialPolicy(
        enterprise=high, kind="support", name="技术改造扶持资金", granted_by="济南市市场监督管理局",
        granted_on=date(2025, 3, 1)), actor=people["jinan-division"])
    assert len(warnings.honour_reviews_open()) == 2
    item = HonourPolicyReview.objects.get(subject_kind="policy")

    login(client, "sheng-office")  # sees the items, decides nothing
    page = html(client.get(f"{QUEUE}reviews/"))
    assert "技术改造扶持资金" in page and "省级以上政府质量奖" in page and "审查决定" not in page
    assert AuditEvent.objects.filter(action="supervision.honour_reviews.view").exists()
    response = client.post(f"{QUEUE}reviews/{item.pk}/", {"decision": "revoke", "reason": "失信"})
    assert response.status_code == 403 and "提报处室" in html(response)

    login(client, "lixia-division")
    page = html(client.get(f"{QUEUE}reviews/{item.pk}/"))
    assert 'name="decision"' in page
    assert_csp_clean(page)
    response = client.post(f"{QUEUE}reviews/{item.pk}/", {"decision": "suspend", "reason": ""})
    assert response.status_code == 400
    response = client.post(f"{QUEUE}reviews/{item.pk}/", {"decision": "suspend", "reason": "整改完成前暂停拨付"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.decision == "suspend" and item.policy.state == PreferentialPolicy.State.SUSPENDED
    decided = html(client.get(f"{QUEUE}reviews/?state=decided"))
    assert "技术改造扶持资金" in decided and "已决定：暂停" in decided
    assert "整改完成前暂停拨付" in html(client.get(f"{QUEUE}reviews/{item.pk}/"))
    from tests.factories import staff

    qingdao = staff("division", "3702", username="qd-division")
    client.force_login(qingdao)
    assert client.get(f"{QUEUE}reviews/{item.pk}/").status_code == 404
    assert "技术改造扶持资金" not in html(client.get(f"{QUEUE}reviews/?state=all"))

