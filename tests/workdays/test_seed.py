"""Migration 0002: every database has the official calendar of 2004–2026 from chinesecalendar."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.apps import apps

from qcredit.workdays.calendar import is_workday
from qcredit.workdays.models import CalendarDay, HolidayYear
from qcredit.workdays.seed import chinesecalendar_source, restore_after_flush

pytestmark = pytest.mark.django_db


def test_the_seeded_years_and_rows():
    assert list(HolidayYear.objects.order_by("year").values_list("year", flat=True)) == list(range(2004, 2027))
    assert set(HolidayYear.objects.values_list("source", flat=True)) == {chinesecalendar_source()}
    # chinesecalendar 1.11.0: 621 holiday days and 150 make-up workdays in 2004–2026.
    assert CalendarDay.objects.filter(kind="holiday").count() == 621
    assert CalendarDay.objects.filter(kind="workday").count() == 150
    assert set(CalendarDay.objects.values_list("name", flat=True)) == {
        "元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节",
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"}


def test_every_seeded_day_agrees_with_chinesecalendar():
    day = date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        assert is_workday(day) is chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_the_seed_comes_back_after_a_flush():
    HolidayYear.objects.all().delete()  # what flush does to the tables
    restore_after_flush(apps.get_app_config("workdays"), using="default")
    assert HolidayYear.objects.count() == 23
    assert CalendarDay.objects.count() == 771
    assert is_workday(date(2026, 2, 14)) is True


def test_no_seed_while_any_year_is_loaded():
    HolidayYear.objects.exclude(year=2026).delete()
    restore_after_flush(apps.get_app_config("workdays"), using="default")
    assert list(HolidayYear.objects.values_list("year", flat=True)) == [2026]
