"""Published entries, revocation reviews with their working-day deadlines, removal items and the
archive (SRL 第十三至十五条); who may see which list (SRL 第十八条)."""

from __future__ import annotations

from datetime import timedelta

import chinese_calendar
import pytest

from qcredit.redlist import services
from qcredit.redlist.models import Entry, RemovalItem, RevocationReview
from qcredit.redlist.selectors import public_entries

from ..redlist.conftest import decide, failed_sampling, on_agenda, publish, subject
from .conftest import access_events, page, refusal

pytestmark = pytest.mark.django_db


def test_index_shows_the_lists_a_user_may_see_and_their_tasks(as_user, province_list, jinan_list, people):
    text = page(as_user("sheng-office").get("/workspace/redlist/"))
    assert province_list.name in text and jinan_list.name in text  # the province sees the city's list too

    text = page(as_user("jinan-division").get("/workspace/redlist/"))
    assert jinan_list.name in text and province_list.name not in text

    entry = publish(people, province_list, subject())
    failed_sampling(entry.enterprise)
    services.revocation_reviews_reconcile(today=entry.published_on)
    text = page(as_user("sheng-division").get("/workspace/redlist/"))
    assert "待本处室提出是否撤销的建议" in text


def test_an_auditor_and_a_citizen_are_refused_clearly(as_user, client, province_list):
    response = as_user("sheng-auditor").get(f"/workspace/redlist/{province_list.pk}/")
    assert response.status_code == 403 and "审计" in refusal(response)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("citizen", password="x-123456789"))
    response = client.get("/workspace/redlist/")
    assert response.status_code == 403 and refusal(response)


@pytest.mark.parametrize("path", ["", "candidates/", "nominations/", "legal-review/", "meetings/", "entries/",
                                  "reviews/", "removals/", "archive/"])
def test_a_city_cannot_read_the_provinces_list(as_user, province_list, path):
    response = as_user("jinan-office").get(f"/workspace/redlist/{province_list.pk}/{path}")
    assert response.status_code == 403
    assert "管辖区域 37" in refusal(response)


def test_objects_of_another_list_are_refused_not_500(as_user, province_list, people):
    entry = publish(people, province_list, subject())
    nomination = entry.nomination
    meeting_id = nomination.agenda_items.get().meeting_id
    client = as_user("lixia-division")
    for url in (f"/workspace/redlist/nominations/{nomination.pk}/", f"/workspace/redlist/meetings/{meeting_id}/",
                f"/workspace/redlist/entries/{entry.pk}/"):
        response = client.get(url)
        assert response.status_code == 403 and refusal(response), url
    assert client.get("/workspace/redlist/nominations/999999/").status_code == 404


def expected_due(start, n):
    """n working days after ``start`` (not counted), from the State Council calendar itself."""
    day = start
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not chinese_calendar.is_workday(day):
            day += timedelta(days=1)
    return day


def test_a_violation_opens_a_review_due_in_5_working_days_and_flags_it_overdue(as_user, province_list, people,
                                                                             clock):
    from datetime import date

    clock.set(date(2025, 9, 26))  # the Friday before the National Day holiday
    entry = publish(people, province_list, subject(name="济南假期前企业有限公司"))
    clock.set(date(2025, 9, 30))
    failed_sampling(entry.enterprise)
    (review,) = services.revocation_reviews_reconcile(today=clock.today)
    due = expected_due(date(2025, 9, 30), 5)
    assert review.due_on == due

    office = as_user("sheng-office")
    text = page(office.get(f"/workspace/redlist/{province_list.pk}/reviews/"))
    assert entry.name in text and due.isoformat() in text and "逾期" not in text.split("<tbody>")[1]

    clock.set(due + timedelta(days=1))
    office = as_user("sheng-office")  # a new day, a new session (sessions last 8 hours)
    text = page(office.get(f"/workspace/redlist/{province_list.pk}/reviews/"))
    assert "badge-overdue" in text
    detail = page(office.get(f"/workspace/redlist/reviews/{review.pk}/"))
    assert "已逾期" in detail and "QCO-C2" in detail
    assert access_events("workspace.redlist.revocation_review.view", people["sheng-office"]) == 1


def test_the_submitting_division_proposes_and_the_meeting_revokes(as_user, province_list, people, clock):
    entry = publish(people, province_list, subject())
    failed_sampling(entry.enterprise)
    (review,) = services.revocation_reviews_reconcile(today=clock.today)

    response = as_user("sheng-office").post(f"/workspace/redlist/reviews/{review.pk}/propose/",
                                            {"revoke": "1", "reasons": "抽查不合格"})
    assert response.status_code == 403 and refusal(response)

    division = as_user("sheng-division")
    response = division.post(f"/workspace/redlist/reviews/{review.pk}/propose/", {"revoke": "1", "reasons": ""})
    assert response.status_code == 200 and "请选择建议并说明理由" in refusal(response)
    response = division.post(f"/workspace/redlist/reviews/{review.pk}/propose/",
                             {"revoke": "1", "reasons": "监督抽查不合格，建议撤销"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == RevocationReview.State.PROPOSED and review.revoke_proposed

    item = on_agenda(people, province_list, review)
    decide(people, province_list, item, approved=True)
    entry.refresh_from_db()
    assert entry.state == Entry.State.REVOKED
    assert public_entries(redlist=province_list) == []
    archive = page(as_user("sheng-division").get(f"/workspace/redlist/{province_list.pk}/archive/"))
    assert entry.name in archive and "已撤销" in archive
    assert entry.name not in page(as_user("sheng-division").get(f"/workspace/redlist/{province_list.pk}/entries/"))


def test_the_office_opens_a_removal_item_and_a_division_may_not(as_user, province_list, people):
    entry = publish(people, province_list, subject())
    form = {"route": "objection", "reason": "异议经核实，认定有误", "reference": "YY-2026-0001"}
    assert "提出删除事项" not in page(as_user("sheng-division").get(f"/workspace/redlist/entries/{entry.pk}/"))
    response = as_user("sheng-division").post(f"/workspace/redlist/entries/{entry.pk}/removal/", form)
    assert response.status_code == 403 and refusal(response)
    assert not RemovalItem.objects.exists()

    office = as_user("sheng-office")
    response = office.post(f"/workspace/redlist/entries/{entry.pk}/removal/", {**form, "reason": ""})
    assert response.status_code == 200 and "说明理由" in refusal(response)
    response = office.post(f"/workspace/redlist/entries/{entry.pk}/removal/", form)
    assert response.status_code == 302
    item = RemovalItem.objects.get()
    assert item.route == RemovalItem.Route.OBJECTION and item.reference == "YY-2026-0001"
    assert "YY-2026-0001" in page(office.get(f"/workspace/redlist/{province_list.pk}/removals/"))
    # Ready for the agenda of the next meeting (SRL 第十四条: the meeting decides).
    assert f"删除：{entry.name}" in page(office.get(f"/workspace/redlist/{province_list.pk}/meetings/"))


def test_an_entry_past_its_period_is_flagged_and_no_longer_public(as_user, province_list, people, clock):
    entry = publish(people, province_list, subject())
    clock.set(entry.valid_until + timedelta(days=1))
    as_user("sheng-office")  # a new session on the new day
    text = page(as_user("sheng-office").get(f"/workspace/redlist/{province_list.pk}/entries/"))
    assert "已期满，待转入备查库" in text
    assert public_entries(redlist=province_list) == []
    detail = page(as_user("sheng-office").get(f"/workspace/redlist/entries/{entry.pk}/"))
    assert "不公开" in detail
