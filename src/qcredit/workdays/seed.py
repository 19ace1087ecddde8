"""The calendar of 2004–2026 from the ``chinesecalendar`` package, whose data are the State
Council's yearly notices (国务院办公厅关于部分节假日安排的通知).

Why a migration: migration 0002 writes the seed once per database, in order with the schema,
recorded and reversible, so every new database — a server's, the embedded SQLite one, a test
database — has the calendar the moment it is migrated, with no step to forget. A
``post_migrate`` command would run on every ``migrate`` and needs its own "already done"
bookkeeping; here ``post_migrate`` has one narrow use: putting the seed back after ``flush``
(which empties every table and then emits ``post_migrate``; transactional tests flush between
tests). It does nothing while any year is loaded.

Only years that the installed package covers are seeded, and of those only 2004–2026: a
newer package does not silently add a year that an administrator has not loaded, and an
older one leaves its missing years missing (an error naming them, never a guess).
"""

from __future__ import annotations

from importlib.metadata import version

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from .schedule import HOLIDAY, WORKDAY, ScheduleDay, schedule_problems

FIRST_YEAR, LAST_YEAR = 2004, 2026
SEED_MIGRATION = ("workdays", "0002_seed_chinesecalendar")
# The names of the State Council's notices; the package's own Chinese names are shorter.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def chinesecalendar_source() -> str:
    return f"chinesecalendar {version('chinesecalendar')}"


def chinesecalendar_schedules() -> dict[int, list[ScheduleDay]]:
    """Each seeded year's schedule as the installed package has it."""
    from chinese_calendar import constants

    covered = range(min(constants.holidays).year, max(constants.holidays).year + 1)
    schedules: dict[int, list[ScheduleDay]] = {
        year: [] for year in range(FIRST_YEAR, LAST_YEAR + 1) if year in covered}
    for kind, days in ((HOLIDAY, constants.holidays), (WORKDAY, constants.workdays)):
        for day, english in days.items():
            if day.year in schedules:
                name = NAMES.get(english) or constants.Holiday(english).chinese
                schedules[day.year].append(ScheduleDay(day, kind, name))
    for days in schedules.values():
        days.sort()
    return schedules


def seed(*, holiday_year_model, calendar_day_model, using: str = DEFAULT_DB_ALIAS) -> tuple[int, int]:
    """Load every seeded year that is not loaded yet; returns (years, days) written. Takes the
    models as arguments so that migration 0002 can pass its historical ones."""
    source = chinesecalendar_source()
    loaded = set(holiday_year_model.objects.using(using).values_list("year", flat=True))
    years = days_written = 0
    for year, days in chinesecalendar_schedules().items():
        if year in loaded:
            continue
        problems = schedule_problems(year=year, days=days)
        if problems:  # a package release with faulty data is refused, not loaded
            raise RuntimeError(f"chinesecalendar data for {year} is invalid: {problems}")
        holiday_year = holiday_year_model.objects.using(using).create(year=year, source=source,
                                                                     loaded_at=timezone.now())
        calendar_day_model.objects.using(using).bulk_create(
            calendar_day_model(holiday_year=holiday_year, date=d.date, kind=d.kind, name=d.name) for d in days)
        years += 1
        days_written += len(days)
    return years, days_written


def restore_after_flush(sender, *, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: after ``flush`` emptied the calendar, seed it again (see the module
    docstring); no-op while any year is loaded or before migration 0002 is applied."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from .models import CalendarDay, HolidayYear

    if SEED_MIGRATION not in MigrationRecorder(connections[using]).applied_migrations():
        return
    if HolidayYear.objects.using(using).exists():
        return
    seed(holiday_year_model=HolidayYear, calendar_day_model=CalendarDay, using=using)
