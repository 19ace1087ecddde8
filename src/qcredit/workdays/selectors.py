"""Reading the calendar's years and days (for the admin screens and the ``holidays`` command)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import CalendarDay, HolidayYear
from .schedule import HOLIDAY, WORKDAY, ScheduleDay


def holiday_year_list() -> QuerySet[HolidayYear]:
    """The loaded years, newest first, each with ``holiday_count`` and ``workday_count``."""
    return (HolidayYear.objects.select_related("loaded_by")
            .annotate(holiday_count=Count("days", filter=Q(days__kind=HOLIDAY)),
                      workday_count=Count("days", filter=Q(days__kind=WORKDAY)))
            .order_by("-year"))


def holiday_year_days(*, year: int) -> list[ScheduleDay]:
    """A loaded year's exceptions in date order (empty when the year is not loaded)."""
    return [ScheduleDay(*row) for row in CalendarDay.objects.filter(holiday_year__year=year)
            .order_by("date").values_list("date", "kind", "name")]
