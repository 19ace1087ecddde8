"""Loading a year's schedule: all or nothing, every problem named, replacing only with a reason."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied
from qcredit.workdays.calendar import add_workdays, is_workday
from qcredit.workdays.errors import MissingHolidayYear, WorkdayError, WorkdayErrorCode
from qcredit.workdays.models import CalendarDay, HolidayYear
from qcredit.workdays.services import holiday_year_load
from tests import factories

from .conftest import SOURCE_2027

pytestmark = pytest.mark.django_db

NEW_YEAR_2027 = [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 1, 2), "holiday", "元旦"),
                 (date(2027, 1, 3), "holiday", "元旦")]


def _row_count() -> tuple[int, int]:
    return HolidayYear.objects.count(), CalendarDay.objects.count()


def test_an_admin_loads_the_next_year():
    admin = factories.staff(Role.ADMIN)
    holiday_year = holiday_year_load(year=2027, days=NEW_YEAR_2027, source=SOURCE_2027, actor=admin)
    assert holiday_year.loaded_by == admin
    assert [d.date for d in holiday_year.days.all()] == [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_a_superuser_and_the_system_may_load_a_division_may_not():
    superuser = get_user_model().objects.create_superuser("root", password="pw-123456")
    holiday_year_load(year=2027, days=NEW_YEAR_2027, source=SOURCE_2027, actor=superuser)
    holiday_year_load(year=2028, days=[(date(2028, 1, 1), "holiday", "元旦")], source="测试", actor=None)
    with pytest.raises(AccessDenied):
        holiday_year_load(year=2029, days=[(date(2029, 1, 1), "holiday", "元旦")], source="测试",
                          actor=factories.staff(Role.DIVISION))
    # The State Council's calendar is the same for every unit: a city or county admin does not load it.
    for jurisdiction in ("3701", "370102"):
        with pytest.raises(AccessDenied):
            holiday_year_load(year=2029, days=[(date(2029, 1, 1), "holiday", "元旦")], source="测试",
                              actor=factories.staff(Role.ADMIN, jurisdiction))
    assert not HolidayYear.objects.filter(year=2029).exists()


def test_every_problem_is_named_and_nothing_is_written():
    before = _row_count()
    days = [
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2027, 1, 1), "holiday", "元旦"),  # duplicated
        (date(2026, 12, 31), "holiday", "元旦"),  # another year
        (date(2027, 2, 8), "workday", "春节"),  # a Monday cannot be a make-up workday
        (date(2027, 2, 9), "rest", "春节"),  # no such kind
        (date(2027, 2, 10), "holiday", " "),  # no name
    ]
    with pytest.raises(WorkdayError) as caught:
        holiday_year_load(year=2027, days=days, source="")
    error = caught.value
    assert error.code is WorkdayErrorCode.INVALID_SCHEDULE
    reasons = [str(p) for p in error.problems]
    assert any("依据" in r for r in reasons)
    assert "2027-01-01：日期 2027-01-01 重复出现 2 次" in reasons
    assert "2026-12-31：2026-12-31 不在 2027 年内" in reasons
    assert "2027-02-08：调休上班日应为周六或周日，2027-02-08 是周一" in reasons
    assert any(r.startswith("2027-02-09：类型“rest”无效") for r in reasons)
    assert "2027-02-10：缺少名称（如 春节、国庆节）" in reasons
    assert "未导入任何数据" in error.message
    assert _row_count() == before
    with pytest.raises(MissingHolidayYear):
        is_workday(date(2027, 1, 4))


def test_a_schedule_without_any_holiday_is_refused():
    with pytest.raises(WorkdayError, match="2027"):
        holiday_year_load(year=2027, days=[(date(2027, 2, 13), "workday", "春节")], source=SOURCE_2027)


def test_a_loaded_year_is_replaced_only_on_purpose_and_with_a_reason():
    holiday_year_load(year=2027, days=NEW_YEAR_2027, source=SOURCE_2027)
    assert is_workday(date(2027, 1, 4)) is True

    with pytest.raises(WorkdayError) as caught:
        holiday_year_load(year=2027, days=NEW_YEAR_2027, source=SOURCE_2027)
    assert caught.value.code is WorkdayErrorCode.YEAR_ALREADY_LOADED
    with pytest.raises(WorkdayError) as caught:
        holiday_year_load(year=2027, days=NEW_YEAR_2027, source=SOURCE_2027, replace=True, reason=" ")
    assert caught.value.code is WorkdayErrorCode.REASON_REQUIRED

    corrected = [*NEW_YEAR_2027, (date(2027, 1, 4), "holiday", "元旦")]
    holiday_year = holiday_year_load(year=2027, days=corrected, source="更正后的测试安排", replace=True,
                                     reason="通知更正：1月4日放假")
    assert holiday_year.reason == "通知更正：1月4日放假"
    assert holiday_year.days.count() == 4
    assert HolidayYear.objects.filter(year=2027).count() == 1
    # The calendar of this process sees the replacement at once.
    assert is_workday(date(2027, 1, 4)) is False
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 5)


def test_the_seeded_years_are_loaded_and_protected_like_any_other():
    with pytest.raises(WorkdayError) as caught:
        holiday_year_load(year=2026, days=[(date(2026, 1, 1), "holiday", "元旦")], source="测试")
    assert caught.value.code is WorkdayErrorCode.YEAR_ALREADY_LOADED
    assert "chinesecalendar" in caught.value.message


def test_loading_and_replacing_a_year_are_on_the_audit_trail():
    from qcredit.audit.models import AuditEvent

    admin = factories.staff(Role.ADMIN)
    holiday_year = holiday_year_load(year=2027, days=NEW_YEAR_2027, source=SOURCE_2027, actor=admin)
    loaded = AuditEvent.objects.filter(action="workdays.year_loaded").get()
    assert loaded.actor == admin
    assert '"2027-01-01"' in loaded.after and loaded.before in ("", "null", None)
    holiday_year_load(year=2027, days=NEW_YEAR_2027[:2], source=SOURCE_2027, actor=admin, replace=True,
                      reason="国务院办公厅更正通知")
    replaced = AuditEvent.objects.filter(action="workdays.year_replaced").get()
    assert replaced.reason == "国务院办公厅更正通知"
    assert '"2027-01-03"' in replaced.before and '"2027-01-03"' not in replaced.after
    assert replaced.object_id == str(holiday_year.pk)
