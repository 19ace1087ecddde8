"""Deadlines on the official calendar (SPEC §5 preamble). Expected dates are literal dates
checked against the State Council's schedules as chinesecalendar 1.11 records them, or are
computed by chinesecalendar itself — never by the functions under test."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from qcredit.workdays.calendar import add_workdays, is_workday, workdays_between
from qcredit.workdays.errors import MissingHolidayYear, WorkdayError, WorkdayErrorCode
from qcredit.workdays.models import HolidayYear
from qcredit.workdays.services import holiday_year_load

from .conftest import SOURCE_2027

pytestmark = pytest.mark.django_db


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# --- National Day 2025: holidays Wed 1 – Wed 8 October; make-up workdays Sun 28 September, Sat 11 October


def test_national_day_2025_days():
    assert is_workday(date(2025, 9, 28)) is True  # Sunday, make-up workday
    assert is_workday(date(2025, 10, 11)) is True  # Saturday, make-up workday
    assert not any(is_workday(d) for d in _days(date(2025, 10, 1), date(2025, 10, 8)))
    assert is_workday(date(2025, 10, 12)) is False  # an ordinary Sunday


def test_five_working_days_after_the_friday_before_national_day_2025():
    # Fri 26 Sep not counted; Sun 28 (1), Mon 29 (2), Tue 30 (3), 1–8 Oct off, Thu 9 (4), Fri 10 (5).
    assert add_workdays(date(2025, 9, 26), 5) == date(2025, 10, 10)


def test_an_obligation_on_the_last_day_before_national_day_2025():
    # Tue 30 Sep not counted; Thu 9 (1), Fri 10 (2), Sat 11 make-up (3), Mon 13 (4), Tue 14 (5).
    assert add_workdays(date(2025, 9, 30), 5) == date(2025, 10, 14)


# --- Spring Festival 2026: holidays Sun 15 – Mon 23 February; make-up workdays Sat 14 and Sat 28 February


def test_spring_festival_2026_days():
    assert is_workday(date(2026, 2, 14)) is True
    assert is_workday(date(2026, 2, 28)) is True
    assert not any(is_workday(d) for d in _days(date(2026, 2, 15), date(2026, 2, 23)))
    assert is_workday(date(2026, 2, 24)) is True


def test_five_working_days_after_the_friday_before_spring_festival_2026():
    # Fri 13 Feb not counted; Sat 14 make-up (1), 15–23 off, Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5).
    assert add_workdays(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_a_deadline_can_fall_on_a_make_up_saturday():
    # Sat 14 Feb (a workday) not counted; Tue 24 … Fri 27 (1–4), Sat 28 make-up (5).
    assert add_workdays(date(2026, 2, 14), 5) == date(2026, 2, 28)


def test_an_obligation_arising_during_the_holiday_counts_from_the_first_working_day_after_it():
    # find_workday semantics: Sun 15 Feb is deemed to arise on Tue 24, which is not counted.
    assert add_workdays(date(2026, 2, 15), 0) == date(2026, 2, 24)
    assert add_workdays(date(2026, 2, 15), 5) == date(2026, 3, 2)


def test_fifteen_working_days_across_spring_festival_2026():
    # The objection answer period (I-9) of an objection lodged on Tue 10 Feb 2026.
    assert add_workdays(date(2026, 2, 10), 15) == date(2026, 3, 9)


def test_days_remaining_and_overdue():
    deadline = date(2026, 2, 27)
    assert workdays_between(date(2026, 2, 13), deadline) == 5  # remaining on the Friday before
    assert workdays_between(date(2026, 2, 20), deadline) == 4  # from inside the holiday: 24–27
    assert workdays_between(deadline, deadline) == 0
    assert workdays_between(date(2026, 3, 3), deadline) == -3  # the same days, counted backwards
    assert workdays_between(deadline, date(2026, 3, 3)) == 3  # overdue by Sat 28, Mon 2, Tue 3


def test_agrees_with_chinesecalendar_on_every_day_of_2025_and_2026():
    for start in _days(date(2025, 1, 1), date(2026, 12, 31)):
        assert is_workday(start) is chinese_calendar.is_workday(start), start
        for n in (-5, -1, 0, 1, 5, 15):
            try:
                expected = chinese_calendar.find_workday(n, start)
            except NotImplementedError:  # the count ran into 2027, which the package does not cover
                with pytest.raises(MissingHolidayYear):
                    add_workdays(start, n)
                continue
            assert add_workdays(start, n) == expected, (start, n)


def test_workdays_between_counts_what_chinesecalendar_counts():
    start = date(2025, 9, 1)
    for end in _days(date(2025, 8, 1), date(2026, 3, 31)):
        low, high = min(start, end), max(start, end)
        count = len(chinese_calendar.get_workdays(low + timedelta(days=1), high)) if low < high else 0
        assert workdays_between(start, end) == (count if end >= start else -count), end


# --- years that are not loaded


def test_a_deadline_running_into_an_unloaded_year_names_the_year():
    # Fri 25 Dec 2026: 28, 29, 30, 31 December are 4 working days; the 5th would be in 2027.
    with pytest.raises(MissingHolidayYear) as caught:
        add_workdays(date(2026, 12, 25), 5)
    error = caught.value
    assert isinstance(error, WorkdayError)
    assert error.code is WorkdayErrorCode.MISSING_HOLIDAY_YEAR
    assert error.year == 2027
    assert "2027 年的法定节假日安排尚未导入" in error.message


def test_a_deadline_ending_on_the_last_day_of_the_loaded_years_needs_no_more():
    # Thu 24 Dec 2026 not counted; 25, 28, 29, 30, 31 December.
    assert add_workdays(date(2026, 12, 24), 5) == date(2026, 12, 31)


def test_every_question_about_an_unloaded_year_is_an_error():
    with pytest.raises(MissingHolidayYear, match="2027"):
        is_workday(date(2027, 1, 4))
    with pytest.raises(MissingHolidayYear, match="2027"):
        workdays_between(date(2026, 12, 1), date(2027, 1, 4))
    with pytest.raises(MissingHolidayYear, match="2003"):
        is_workday(date(2003, 12, 31))
    with pytest.raises(MissingHolidayYear, match="2003"):
        add_workdays(date(2004, 1, 2), -2)  # Fri 2 Jan 2004; Thu 1 Jan is 元旦, so back into 2003


def test_loading_2027_makes_the_deadline_computable(csv_2027):
    from qcredit.workdays.files import schedule_file_read

    schedule = schedule_file_read(content=csv_2027.read_bytes(), filename=csv_2027.name, year=2027)
    holiday_year_load(year=2027, days=schedule.days, source=SOURCE_2027)
    # 28–31 Dec 2026 (1–4), 1–3 Jan 2027 元旦, Mon 4 Jan (5).
    assert add_workdays(date(2026, 12, 25), 5) == date(2027, 1, 4)
    assert is_workday(date(2027, 2, 13)) is True  # make-up Saturday of the test schedule
    assert workdays_between(date(2026, 12, 25), date(2027, 1, 4)) == 5


def test_a_year_loaded_by_another_process_is_seen_at_the_first_question(csv_2027):
    assert is_workday(date(2026, 6, 1)) is True  # this process now has its copy, without 2027
    # Another process loads 2027: rows appear without this process's cache being told.
    HolidayYear.objects.create(year=2027, source=SOURCE_2027)
    assert is_workday(date(2027, 1, 4)) is True


def test_datetimes_are_refused():
    with pytest.raises(TypeError):
        is_workday(datetime(2026, 2, 24, 9, 0))
    with pytest.raises(TypeError):
        add_workdays(date(2026, 2, 24), 1.0)
