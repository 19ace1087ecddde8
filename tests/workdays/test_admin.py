"""The holiday calendar in the admin: superusers import a year or edit one as a replacement with
a reason; nothing bypasses the load service's checks."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qcredit.accounts.models import Role
from qcredit.workdays.calendar import add_workdays
from qcredit.workdays.models import CalendarDay, HolidayYear
from tests import factories

from .conftest import CSV_2027, SOURCE_2027

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:workdays_holidayyear_import"


@pytest.fixture
def superuser_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-123456"))
    return client


def _upload(content: str, name: str = "2027.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


def test_the_year_list_offers_the_import(superuser_client):
    response = superuser_client.get(reverse("admin:workdays_holidayyear_changelist"))
    assert response.status_code == 200
    assert "导入年度安排" in response.text
    assert "chinesecalendar 1.11.0" in response.text


def test_a_superuser_imports_2027_from_a_csv(superuser_client):
    response = superuser_client.post(reverse(IMPORT_URL), {
        "year": 2027, "file": _upload(CSV_2027), "source": SOURCE_2027})
    holiday_year = HolidayYear.objects.get(year=2027)
    assert response.status_code == 302
    assert response.url == reverse("admin:workdays_holidayyear_change", args=[holiday_year.pk])
    assert holiday_year.loaded_by.username == "root"
    assert holiday_year.days.count() == 11
    assert add_workdays(date(2026, 12, 25), 5) == date(2027, 1, 4)


def test_an_invalid_file_shows_every_problem_and_writes_nothing(superuser_client):
    before = CalendarDay.objects.count()
    response = superuser_client.post(reverse(IMPORT_URL), {
        "year": 2027, "file": _upload("日期,类型,名称\n2027-02-08,调休上班,春节\n2027-01-01,休息,元旦\n"),
        "source": SOURCE_2027})
    assert response.status_code == 200
    assert "第 2 行：调休上班日应为周六或周日，2027-02-08 是周一" in response.text
    assert "第 3 行：类型“休息”无效" in response.text
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.count() == before


def test_the_add_form_checks_the_days_as_a_schedule(superuser_client):
    url = reverse("admin:workdays_holidayyear_add")
    data = {"year": 2027, "source": SOURCE_2027, "reason": "",
            "days-TOTAL_FORMS": 2, "days-INITIAL_FORMS": 0, "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000,
            "days-0-date": "2027-01-01", "days-0-kind": "holiday", "days-0-name": "元旦",
            "days-1-date": "2027-01-04", "days-1-kind": "workday", "days-1-name": "元旦"}
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "调休上班日应为周六或周日，2027-01-04 是周一" in response.text
    assert not HolidayYear.objects.filter(year=2027).exists()

    data["days-1-date"] = "2027-01-09"
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    holiday_year = HolidayYear.objects.get(year=2027)
    assert [(d.date, d.kind) for d in holiday_year.days.all()] == [
        (date(2027, 1, 1), "holiday"), (date(2027, 1, 9), "workday")]


def test_changing_a_loaded_year_needs_a_reason_and_replaces_it(superuser_client):
    holiday_year = HolidayYear.objects.get(year=2025)
    days = list(holiday_year.days.order_by("date"))
    url = reverse("admin:workdays_holidayyear_change", args=[holiday_year.pk])
    data = {"source": holiday_year.source, "reason": "",
            "days-TOTAL_FORMS": len(days), "days-INITIAL_FORMS": len(days),
            "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    for i, day in enumerate(days):
        data.update({f"days-{i}-id": day.pk, f"days-{i}-holiday_year": holiday_year.pk,
                     f"days-{i}-date": day.date.isoformat(), f"days-{i}-kind": day.kind, f"days-{i}-name": day.name})
    last = len(days) - 1
    assert days[last].date == date(2025, 10, 11)  # the make-up Saturday after National Day
    data[f"days-{last}-DELETE"] = "on"

    response = superuser_client.post(url, data)
    assert response.status_code == 200  # no reason given
    assert holiday_year.days.count() == len(days)

    data["reason"] = "测试：删除一天"
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    holiday_year.refresh_from_db()
    assert holiday_year.reason == "测试：删除一天"
    assert not CalendarDay.objects.filter(date=date(2025, 10, 11)).exists()


def test_only_superusers_see_the_calendar(client):
    user = factories.staff(Role.ADMIN, is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:workdays_holidayyear_changelist")).status_code == 403
    assert client.get(reverse(IMPORT_URL)).status_code == 403


def test_a_year_exports_as_the_csv_the_import_reads(superuser_client):
    response = superuser_client.get(reverse("admin:workdays_holidayyear_export", args=[2026]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.startswith("日期,类型,名称\n2026-01-01,法定节假日,元旦\n")
    assert "2026-02-14,调休上班,春节" in text


def test_the_screens_render(superuser_client):
    holiday_year = HolidayYear.objects.get(year=2026)
    change = superuser_client.get(reverse("admin:workdays_holidayyear_change", args=[holiday_year.pk]))
    assert change.status_code == 200 and "2026-02-14" in change.text and "修改原因" in change.text
    assert "国务院办公厅" in superuser_client.get(reverse(IMPORT_URL)).text
    days = superuser_client.get(reverse("admin:workdays_calendarday_changelist"), {"holiday_year__year": 2026})
    assert days.status_code == 200 and "2026年2月28日" in days.text and "周六" in days.text
