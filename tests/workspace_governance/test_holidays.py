"""The holiday calendar screens (SPEC §5 preamble): loaded years, a working-day calculator that
names a missing year instead of guessing, and an admin's two-step import of a year's schedule."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qcredit.audit.models import AuditEvent
from qcredit.workdays.models import HolidayYear

from .conftest import page, refusal

pytestmark = pytest.mark.django_db

SCHEDULE_2027 = "日期,类型,名称\n2027-01-01,法定节假日,元旦\n2027-01-02,法定节假日,元旦\n2027-01-03,法定节假日,元旦\n" \
                "2027-02-06,法定节假日,春节\n2027-02-07,法定节假日,春节\n2027-02-08,法定节假日,春节\n" \
                "2027-02-20,调休上班,春节\n"


def workday_after(start: date, n: int) -> date:
    """The State Council calendar itself (chinesecalendar), as SPEC §5 counts: start not counted."""
    day = start
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not chinese_calendar.is_workday(day):
            day += timedelta(days=1)
    return day


def test_the_calculator_counts_across_the_national_day_holiday(as_user):
    start = date(2025, 9, 30)
    response = as_user("lixia-division").get("/workspace/holidays/", {"start": start.isoformat(), "n": 5})
    expected = workday_after(start, 5)
    text = page(response)
    assert f"{expected.year}年{expected.month}月{expected.day}日" in text
    assert "国庆节" in text  # the holidays it skipped, named


def test_the_calculator_names_a_year_that_is_not_loaded(as_user):
    response = as_user("sheng-auditor").get("/workspace/holidays/", {"start": "2027-03-01", "n": 5})
    assert response.status_code == 200
    assert "2027 年的法定节假日安排尚未导入" in page(response)


def test_loaded_years_and_one_year_with_its_days(as_user):
    client = as_user("sheng-division")
    text = page(client.get("/workspace/holidays/"))
    assert re.search(r">2026</a>", text) and "导入年度安排" not in text
    year = page(client.get("/workspace/holidays/2026/"))
    assert "春节" in year and "调休上班日" in year
    csv = client.get("/workspace/holidays/2026/csv/")
    assert csv["Content-Type"].startswith("text/csv") and "日期,类型,名称" in csv.content.decode("utf-8-sig")
    assert client.get("/workspace/holidays/2031/").status_code == 404


def upload(content: str, name: str = "2027.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


def test_an_admin_previews_then_loads_a_year(as_user, people):
    client = as_user("sheng-admin")
    response = client.post("/workspace/holidays/import/", {
        "step": "preview", "year": 2027, "file": upload(SCHEDULE_2027),
        "source": "国务院办公厅关于2027年部分节假日安排的通知", "reason": ""})
    text = page(response)
    assert response.status_code == 200 and "确认导入" in text and "2027-02-20" in text
    assert not HolidayYear.objects.filter(year=2027).exists()  # nothing written by the preview

    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    response = client.post("/workspace/holidays/import/", {"step": "load", "token": token})
    assert response.status_code == 302 and response["Location"] == "/workspace/holidays/2027/"
    loaded = HolidayYear.objects.get(year=2027)
    assert loaded.loaded_by == people["sheng-admin"] and loaded.days.count() == 7
    assert AuditEvent.objects.filter(action="workdays.year_loaded", object_id=str(loaded.pk)).exists()

    # Now a 2027 deadline has an answer. By the schedule just loaded, 6–8 February are holidays,
    # so one working day after Friday 5 February is Tuesday 9 February.
    result = page(client.get("/workspace/holidays/", {"start": "2027-02-05", "n": 1}))
    assert "2027年2月9日" in result


def test_every_problem_of_a_file_is_shown_by_row_and_nothing_is_written(as_user):
    bad = "日期,类型,名称\n2027-01-01,法定节假日,元旦\n2027-01-04,调休上班,元旦\n2027-13-01,法定节假日,春节\n" \
          "2027-02-06,放风筝,春节\n"
    response = as_user("sheng-admin").post("/workspace/holidays/import/", {
        "step": "preview", "year": 2027, "file": upload(bad), "source": "通知"})
    text = page(response)
    assert "第 3 行" in text and "调休上班日应为周六或周日" in text
    assert "第 4 行" in text and "无法识别" in text
    assert "第 5 行" in text and "放风筝" in text
    assert "确认导入" not in text
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_a_json_file_and_a_loaded_year_needs_replace_with_a_reason(as_user):
    client = as_user("sheng-admin")
    document = {"year": 2026, "source": "国办发明电〔2025〕x号",
                "days": [{"date": "2026-01-01", "kind": "法定节假日", "name": "元旦"}]}
    response = client.post("/workspace/holidays/import/", {
        "step": "preview", "year": 2026, "file": upload(json.dumps(document, ensure_ascii=False), "2026.json")})
    text = page(response)
    assert "已于" in text and "如需替换" in text
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    response = client.post("/workspace/holidays/import/", {"step": "load", "token": token})
    assert "2026 年的节假日安排已于" in refusal(response) and "如需替换" in refusal(response)
    assert HolidayYear.objects.get(year=2026).days.count() > 1  # unchanged


def test_a_tampered_preview_is_refused(as_user):
    response = as_user("sheng-admin").post("/workspace/holidays/import/", {"step": "load", "token": "forged"})
    assert "预览已过期或无效" in refusal(response)


def test_only_an_admin_imports(as_user):
    # The State Council's calendar is one for all units: a city admin does not load it.
    response = as_user("jinan-admin").post("/workspace/holidays/import/", {
        "step": "preview", "year": 2027, "file": upload(SCHEDULE_2027), "source": "通知"})
    assert response.status_code == 403 and "省级系统管理员" in refusal(response)
    assert not HolidayYear.objects.filter(year=2027).exists()
    response = as_user("sheng-office").get("/workspace/holidays/import/")
    assert response.status_code == 403 and "省级系统管理员" in refusal(response)
    response = as_user("sheng-office").post("/workspace/holidays/import/", {
        "step": "preview", "year": 2027, "file": upload(SCHEDULE_2027), "source": "通知"})
    assert response.status_code == 403


def test_a_superuser_without_a_role_may_load_and_a_citizen_may_not_enter(client):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    client.force_login(User.objects.create_superuser("root", password="x-123456789"))
    assert client.get("/workspace/holidays/import/").status_code == 200
    client.force_login(User.objects.create_user("citizen", password="x-123456789"))
    response = client.get("/workspace/holidays/")
    assert response.status_code == 403 and "工作人员" in refusal(response)
