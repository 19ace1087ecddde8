"""The D re-check and black-list screens (SPEC §5.3; QCO 三(五), 四(四)): the reviewer sees the D
criteria with their evidence, confirms (black list with the facts) or does not (withdraw,
correct or annotate records in the same transaction); the office of the listing bureau decides
credit repair."""

from __future__ import annotations

import re

import pytest

from qcredit.archive.models import Record
from qcredit.audit.models import AuditEvent
from qcredit.lists import selectors
from qcredit.lists.models import BlacklistEntry, Recheck

from ..lists.world import grade_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def d_enterprise(world, demo, django_capture_on_commit_callbacks):
    enterprise = world.enterprise(name="济南失信食品有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        world.make_d(enterprise)
    assert grade_of(enterprise) == "D"
    return enterprise


def url(recheck) -> str:
    return f"/workspace/lists/rechecks/{recheck.pk}/"


def test_the_reviewer_sees_the_d_criteria_with_their_evidence_and_confirms_the_black_list(d_enterprise, demo,
                                                                                         as_user):
    recheck = Recheck.objects.get(enterprise=d_enterprise)
    counterfeit = Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit")
    client = as_user(demo["lixia-reviewer"])
    queue = client.get("/workspace/lists/rechecks/").content.decode()
    assert d_enterprise.name in queue and "QCO-D2" in queue

    page = client.get(url(recheck)).content.decode()
    assert "QCO-D2" in page and "三(四)2" in page and f'id="evidence-{counterfeit.pk}"' in page
    assert "鲁市监罚〔2026〕1号" in page  # the evidence record's document number
    assert 'id="confirm-form"' in page and 'id="not-confirm-form"' in page
    draft = re.search(r'<textarea name="confirm-facts"[^>]*>\s*([^<]*)</textarea>', page).group(1)
    assert "故意生产假冒伪劣产品" in draft and "鲁市监罚〔2026〕1号" in draft  # a draft of the public facts
    assert AuditEvent.objects.filter(action="lists.recheck.view", actor_name="lixia-reviewer").exists()

    response = client.post(url(recheck), {"action": "confirm", "confirm-facts": "",
                                          "confirm-finding": ""})
    assert response.status_code == 400 and not BlacklistEntry.objects.exists()

    response = client.post(url(recheck), {"action": "confirm", "confirm-facts": "故意生产假冒伪劣产品（鲁市监罚〔2026〕1号）",
                                          "confirm-finding": "事实清楚"}, follow=True)
    page = response.content.decode()
    assert "已列入失信黑名单" in page and 'id="confirm-form"' not in page
    entry = BlacklistEntry.objects.get(enterprise=d_enterprise)
    assert entry.owner.name == "济南市历下区市场监督管理局"  # the confirming reviewer's bureau
    assert [b.facts for b in selectors.blacklist_public()] == ["故意生产假冒伪劣产品（鲁市监罚〔2026〕1号）"]

    page = client.get("/workspace/lists/blacklist/").content.decode()
    assert d_enterprise.name in page and "公开曝光中" in page


def test_not_confirmed_by_withdrawing_the_record_regrades_the_enterprise(d_enterprise, demo, as_user):
    recheck = Recheck.objects.get(enterprise=d_enterprise)
    counterfeit = Record.objects.current().get(enterprise=d_enterprise, kind="counterfeit")
    client = as_user(demo["sheng-reviewer"])
    prefix = f"nc-r{counterfeit.pk}"

    response = client.post(url(recheck), {"action": "not_confirm", "nc-finding": "冒用本企业名称", f"{prefix}-action": ""})
    assert response.status_code == 400
    assert "复核未确认的，须更正、撤回或批注相关档案记录" in response.content.decode()

    response = client.post(url(recheck), {"action": "not_confirm", "nc-finding": "经核查，系他人冒用本企业名称",
                                          f"{prefix}-action": "withdraw"})
    assert response.status_code == 302
    recheck.refresh_from_db()
    assert (recheck.state, recheck.outcome) == (Recheck.State.NOT_CONFIRMED, Recheck.Outcome.REGRADED)
    assert grade_of(d_enterprise) == "A"
    assert not Record.objects.current().filter(enterprise=d_enterprise, kind="counterfeit").exists()
    assert not BlacklistEntry.objects.exists()


def test_a_correction_through_the_form_reaches_the_archive_and_a_still_d_needs_an_annotation(world, demo, as_user,
                                                                                            django_capture_on_commit_callbacks):
    enterprise = world.enterprise(name="济南售后失信有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        severe = world.record(enterprise, "after_sales", finding="severe_breach")  # QCO-D8
    recheck = Recheck.objects.get(enterprise=enterprise)
    client = as_user(demo["lixia-reviewer"])
    page = client.get(url(recheck)).content.decode()
    prefix = f"nc-r{severe.pk}"
    assert f'name="{prefix}-f-finding"' in page  # the kind's own fields are offered for correction

    # A degree corrected from "severe breach" to "not fulfilled": C, no longer D.
    response = client.post(url(recheck), {
        "action": "not_confirm", "nc-finding": "经核查，售后问题属一般性未按承诺履行", f"{prefix}-action": "correct",
        f"{prefix}-f-date": severe.date.isoformat(), f"{prefix}-f-ref": "", f"{prefix}-f-finding": "not_fulfilled"})
    assert response.status_code == 302, response.content.decode()
    current = Record.objects.current().get(enterprise=enterprise, kind="after_sales")
    assert (current.finding, current.version, current.recorded_via) == ("not_fulfilled", 2, "recheck")
    assert grade_of(enterprise) == "C"
    recheck.refresh_from_db()
    assert (recheck.outcome, recheck.grade_after) == (Recheck.Outcome.REGRADED, "C")


def test_a_recheck_outside_the_jurisdiction_does_not_exist_for_the_reviewer(world, demo, as_user,
                                                                           django_capture_on_commit_callbacks):
    qingdao = world.enterprise(name="青岛失信电器有限公司", region="370202")
    with django_capture_on_commit_callbacks(execute=True):
        world.make_d(qingdao)
    recheck = Recheck.objects.get(enterprise=qingdao)
    client = as_user(demo["jinan-reviewer"])
    assert qingdao.name not in client.get("/workspace/lists/rechecks/").content.decode()
    assert client.get(url(recheck)).status_code == 404
    assert client.post(url(recheck), {"action": "confirm", "confirm-facts": "假冒"}).status_code == 404
    assert not BlacklistEntry.objects.exists()
    assert as_user(demo["sheng-office"]).get("/workspace/lists/rechecks/").status_code == 403  # no reviewer role


def test_credit_repair_is_offered_to_the_office_of_the_listing_bureau_only(d_enterprise, demo, as_user):
    from qcredit.lists import services

    recheck = Recheck.objects.get(enterprise=d_enterprise)
    services.recheck_confirm(recheck=recheck, facts="故意生产假冒伪劣产品", actor=demo["sheng-reviewer"])
    entry = BlacklistEntry.objects.get()
    entry_url = f"/workspace/lists/blacklist/{entry.pk}/"

    city_office = as_user(demo["jinan-office"])
    page = city_office.get(entry_url).content.decode()
    assert "故意生产假冒伪劣产品" in page and 'id="repair-form"' not in page
    response = city_office.post(entry_url, {"reason": "已整改"})
    assert response.status_code == 403
    assert "管辖" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == BlacklistEntry.State.EXPOSED

    office = as_user(demo["sheng-office"])
    assert 'id="repair-form"' in office.get(entry_url).content.decode()
    assert office.post(entry_url, {"reason": ""}).status_code == 400
    response = office.post(entry_url, {"reason": "已完成整改并公开作出信用承诺"}, follow=True)
    assert "已移出失信黑名单" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == BlacklistEntry.State.REPAIRED
    assert selectors.blacklist_public() == []
    page = office.get("/workspace/lists/blacklist/").content.decode()
    assert d_enterprise.name in page and "信用修复，已移出" in page  # the archive (备查) stays for staff
