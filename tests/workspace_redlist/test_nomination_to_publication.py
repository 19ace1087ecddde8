"""The red-list screens from candidate to publication (SRL 第五–十二条): each step done through
the page a user of the right role sees, each refusal of the services shown on that page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qcredit.audit.models import AuditEvent
from qcredit.redlist.models import AgendaItem, Entry, Meeting, Nomination
from qcredit.redlist.selectors import public_entries
from qcredit.rules.srl import M2

from ..redlist.conftest import failed_sampling, on_agenda, subject
from .conftest import access_events, page, refusal

pytestmark = pytest.mark.django_db


def nominate(as_user, redlist, enterprise, *, username="sheng-division"):
    client = as_user(username)
    response = client.post(f"/workspace/redlist/{redlist.pk}/nominations/new/", {
        "uscc": enterprise.uscc, "reasons": "质量管理体系健全，荣获省长质量奖", "credit_facts": "荣获山东省省长质量奖",
        "justification": ""})
    return response


def test_candidates_show_eligible_subjects_with_their_conditions(as_user, province_list, people):
    eligible = subject(name="济南卓越机械有限公司")
    failing = subject(name="济南抽检不合格有限公司")
    failed_sampling(failing, days_ago=100)  # SRL 第九条(二): an own-fault failed sampling in 3 years
    client = as_user("sheng-division")

    response = client.get(f"/workspace/redlist/{province_list.pk}/candidates/")
    assert response.status_code == 200
    assert eligible.name in page(response) and failing.name not in page(response)
    assert f"nominations/new/?uscc={eligible.uscc}" in page(response)  # the division may nominate it

    response = client.get(f"/workspace/redlist/{province_list.pk}/candidates/", {"all": "on"})
    text = page(response)
    assert failing.name in text
    assert M2.text in text  # the unmet 第九条(二) condition, in the measures' own words
    assert access_events("workspace.redlist.candidates.view", people["sheng-division"]) == 2


def test_candidates_of_a_city_list_are_in_its_jurisdiction_only(as_user, jinan_list):
    in_jinan = subject(region="370102", name="历下区候选企业")
    in_qingdao = subject(region="370202", name="青岛市候选企业")
    text = page(as_user("jinan-division").get(f"/workspace/redlist/{jinan_list.pk}/candidates/"))
    assert in_jinan.name in text and in_qingdao.name not in text


def test_a_division_drafts_a_nomination_with_the_eligibility_attached(as_user, province_list, people):
    enterprise = subject()
    client = as_user("sheng-division")
    form = client.get(f"/workspace/redlist/{province_list.pk}/nominations/new/", {"uscc": enterprise.uscc})
    assert "符合列入条件" in page(form)
    assert access_events("workspace.redlist.eligibility.view", people["sheng-division"]) == 1

    response = nominate(as_user, province_list, enterprise)
    nomination = Nomination.objects.get(enterprise=enterprise)
    assert response.status_code == 302 and response["Location"] == f"/workspace/redlist/nominations/{nomination.pk}/"
    assert nomination.state == Nomination.State.DRAFT and nomination.eligible
    assert nomination.unit.code == "sd-division"

    detail = client.get(response["Location"])
    assert "提报" in page(detail) and "荣获山东省省长质量奖" in page(detail)
    assert access_events("redlist.nomination.view", people["sheng-division"]) == 1


def test_an_unknown_or_outside_enterprise_is_refused_on_the_form(as_user, jinan_list):
    outside = subject(region="370202")
    response = nominate(as_user, jinan_list, outside, username="jinan-division")
    assert response.status_code == 200
    assert "管辖区域内没有这个统一社会信用代码的企业" in page(response)
    assert not Nomination.objects.exists()


def test_submitting_an_ineligible_subject_is_refused_with_the_unmet_conditions(as_user, province_list, clock):
    enterprise = subject()
    nominate(as_user, province_list, enterprise)
    nomination = Nomination.objects.get(enterprise=enterprise)
    failed_sampling(enterprise)  # after the draft: the subject no longer meets 第九条(二)

    response = as_user("sheng-division").post(f"/workspace/redlist/nominations/{nomination.pk}/submit/")
    assert response.status_code == 200
    message = refusal(response)
    assert "不符合列入条件" in message and M2.text in message
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.DRAFT


def test_only_the_drafting_division_submits(as_user, province_list, units, people):
    from qcredit.accounts.models import Membership, Role

    enterprise = subject()
    nominate(as_user, province_list, enterprise)
    nomination = Nomination.objects.get(enterprise=enterprise)
    # Another division of the same bureau (谁拟定、谁上报、谁负责, SRL 第五条).
    other = people["sheng-evaluator"]
    from .. import factories

    other_unit = factories.unit("37", name="山东省市场监督管理局计量处")
    Membership.objects.create(user=other, unit=other_unit, role=Role.DIVISION)
    response = as_user("sheng-evaluator").post(f"/workspace/redlist/nominations/{nomination.pk}/submit/")
    assert response.status_code == 403
    assert "谁拟定、谁上报、谁负责" in refusal(response)
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.DRAFT


def test_legal_review_needs_an_opinion_to_return_and_passes_to_the_meeting(as_user, province_list, people):
    enterprise = subject()
    nominate(as_user, province_list, enterprise)
    nomination = Nomination.objects.get(enterprise=enterprise)
    as_user("sheng-division").post(f"/workspace/redlist/nominations/{nomination.pk}/submit/")
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.SUBMITTED

    legal = as_user("sheng-legal")
    queue = legal.get(f"/workspace/redlist/{province_list.pk}/legal-review/")
    assert enterprise.name in page(queue)
    assert 'name="decision"' in page(legal.get(f"/workspace/redlist/nominations/{nomination.pk}/"))

    response = legal.post(f"/workspace/redlist/nominations/{nomination.pk}/legal-review/",
                          {"decision": "fail", "opinion": ""})
    assert response.status_code == 200 and "须写明审查意见" in refusal(response)
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.SUBMITTED

    response = legal.post(f"/workspace/redlist/nominations/{nomination.pk}/legal-review/", {"decision": "pass"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.AWAITING_MEETING and nomination.legal_reviewer == people["sheng-legal"]


def test_a_division_cannot_do_the_legal_review(as_user, province_list):
    enterprise = subject()
    nominate(as_user, province_list, enterprise)
    nomination = Nomination.objects.get(enterprise=enterprise)
    client = as_user("sheng-division")
    client.post(f"/workspace/redlist/nominations/{nomination.pk}/submit/")
    assert 'name="decision"' not in page(client.get(f"/workspace/redlist/nominations/{nomination.pk}/"))
    response = client.post(f"/workspace/redlist/nominations/{nomination.pk}/legal-review/", {"decision": "pass"})
    assert response.status_code == 403 and "政策法规处" in refusal(response)
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.SUBMITTED


def awaiting_meeting(as_user, redlist, enterprise):
    nominate(as_user, redlist, enterprise)
    nomination = Nomination.objects.get(enterprise=enterprise)
    as_user("sheng-division").post(f"/workspace/redlist/nominations/{nomination.pk}/submit/")
    as_user("sheng-legal").post(f"/workspace/redlist/nominations/{nomination.pk}/legal-review/", {"decision": "pass"})
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.AWAITING_MEETING
    return nomination


def test_the_office_schedules_a_meeting_puts_the_item_on_and_records_the_decision(as_user, province_list, people,
                                                                                 clock):
    enterprise = subject(name="济南鲁信精工有限公司")
    nomination = awaiting_meeting(as_user, province_list, enterprise)
    office = as_user("sheng-office")

    past = clock.today - timedelta(days=1)
    response = office.post(f"/workspace/redlist/{province_list.pk}/meetings/",
                           {"kind": "regular", "date": past.isoformat(), "reason": ""})
    assert response.status_code == 200 and "已过，不能安排" in refusal(response)
    response = office.post(f"/workspace/redlist/{province_list.pk}/meetings/",
                           {"kind": "extraordinary", "date": clock.today.isoformat(), "reason": ""})
    assert "召开临时会议须说明理由" in refusal(response)
    assert not Meeting.objects.exists()

    response = office.post(f"/workspace/redlist/{province_list.pk}/meetings/",
                           {"kind": "extraordinary", "date": clock.today.isoformat(), "reason": "审议本季度提报"})
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/workspace/redlist/meetings/{meeting.pk}/"

    meeting_page = page(office.get(response["Location"]))
    assert f'value="nomination:{nomination.pk}"' in meeting_page
    response = office.post(f"/workspace/redlist/meetings/{meeting.pk}/agenda/", {"subject": f"nomination:{nomination.pk}"})
    item = AgendaItem.objects.get()
    assert response.status_code == 302 and item.state == AgendaItem.State.PENDING

    prefix = f"i{item.pk}"
    leader = people["sheng-leader"]
    response = office.post(f"/workspace/redlist/agenda/{item.pk}/decide/", {
        f"{prefix}-approved": "1", f"{prefix}-minutes_ref": "鲁市监红〔2026〕1号"})
    assert response.status_code == 200 and "出席的领导小组成员" in page(response)
    item.refresh_from_db()
    assert item.state == AgendaItem.State.PENDING

    response = office.post(f"/workspace/redlist/agenda/{item.pk}/decide/", {
        f"{prefix}-approved": "1", f"{prefix}-minutes_ref": "鲁市监红〔2026〕1号", f"{prefix}-leaders": [str(leader.pk)],
        f"{prefix}-attendees": "办公室全体", f"{prefix}-note": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == AgendaItem.State.APPROVED and list(item.leaders.all()) == [leader]
    entry = Entry.objects.get(nomination=nomination)
    assert entry.published_on == clock.today
    assert [e.uscc for e in public_entries(redlist=province_list)] == [enterprise.uscc]

    # One decision per item: a second is refused by the service, on the page.
    response = office.post(f"/workspace/redlist/agenda/{item.pk}/decide/", {
        f"{prefix}-approved": "0", f"{prefix}-minutes_ref": "x", f"{prefix}-leaders": [str(leader.pk)]})
    assert response.status_code == 200 and "已作出决定" in page(response)

    entries = page(office.get(f"/workspace/redlist/{province_list.pk}/entries/"))
    assert enterprise.name in entries and entry.valid_until.isoformat() in entries


def test_a_decision_before_the_meeting_day_is_refused(as_user, province_list, people, clock):
    enterprise = subject()
    nomination = awaiting_meeting(as_user, province_list, enterprise)
    office = as_user("sheng-office")
    tomorrow = clock.today + timedelta(days=1)
    office.post(f"/workspace/redlist/{province_list.pk}/meetings/",
                {"kind": "regular", "date": tomorrow.isoformat(), "reason": ""})
    meeting = Meeting.objects.get()
    office.post(f"/workspace/redlist/meetings/{meeting.pk}/agenda/", {"subject": f"nomination:{nomination.pk}"})
    item = AgendaItem.objects.get()
    assert "会议当日起可记录决定" in page(office.get(f"/workspace/redlist/meetings/{meeting.pk}/"))
    prefix = f"i{item.pk}"
    response = office.post(f"/workspace/redlist/agenda/{item.pk}/decide/", {
        f"{prefix}-approved": "1", f"{prefix}-minutes_ref": "纪要", f"{prefix}-leaders": [str(people["sheng-leader"].pk)]})
    assert response.status_code == 200 and "届时方可记录决定" in page(response)
    assert not Entry.objects.exists()


def test_only_the_office_of_the_list_records_decisions(as_user, province_list, people, clock):
    enterprise = subject()
    nomination = awaiting_meeting(as_user, province_list, enterprise)
    item = on_agenda(people, province_list, nomination)
    prefix = f"i{item.pk}"
    for username in ("sheng-leader", "jinan-office"):
        response = as_user(username).post(f"/workspace/redlist/agenda/{item.pk}/decide/", {
            f"{prefix}-approved": "1", f"{prefix}-minutes_ref": "纪要", f"{prefix}-leaders": [str(people["sheng-leader"].pk)]})
        assert response.status_code == 403, username
        assert refusal(response), username
    item.refresh_from_db()
    assert item.state == AgendaItem.State.PENDING


def test_deferring_an_item_takes_it_off_the_agenda_with_a_reason(as_user, province_list, people):
    nomination = awaiting_meeting(as_user, province_list, subject())
    item = on_agenda(people, province_list, nomination)
    office = as_user("sheng-office")
    response = office.post(f"/workspace/redlist/agenda/{item.pk}/defer/", {f"d{item.pk}-reason": ""})
    assert "撤出议程须说明理由" in page(response)
    office.post(f"/workspace/redlist/agenda/{item.pk}/defer/", {f"d{item.pk}-reason": "材料不全，下次会议研究"})
    item.refresh_from_db()
    assert item.state == AgendaItem.State.DEFERRED


def test_withdrawing_a_draft_needs_a_reason(as_user, province_list):
    enterprise = subject()
    nominate(as_user, province_list, enterprise)
    nomination = Nomination.objects.get(enterprise=enterprise)
    client = as_user("sheng-division")
    response = client.post(f"/workspace/redlist/nominations/{nomination.pk}/withdraw/", {"reason": ""})
    assert "撤回提报须说明理由" in refusal(response)
    client.post(f"/workspace/redlist/nominations/{nomination.pk}/withdraw/", {"reason": "企业申请暂缓"})
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.WITHDRAWN


def test_editing_a_draft_recomputes_the_eligibility(as_user, province_list):
    enterprise = subject()
    nominate(as_user, province_list, enterprise)
    nomination = Nomination.objects.get(enterprise=enterprise)
    failed_sampling(enterprise)
    client = as_user("sheng-division")
    response = client.post(f"/workspace/redlist/nominations/{nomination.pk}/edit/", {
        "reasons": "修改后的理由", "credit_facts": "修改后的主要信用事实", "justification": ""})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.credit_facts == "修改后的主要信用事实" and not nomination.eligible
    assert "SRL-9.2" in nomination.unmet


def test_the_meeting_page_is_an_access_event(as_user, province_list, people):
    nomination = awaiting_meeting(as_user, province_list, subject())
    item = on_agenda(people, province_list, nomination)
    as_user("sheng-leader").get(f"/workspace/redlist/meetings/{item.meeting_id}/")
    event = AuditEvent.objects.filter(action="redlist.meeting.view").get()
    assert event.actor == people["sheng-leader"] and event.object_id == str(item.meeting_id)
