"""Working days on the official calendar (SPEC §5 preamble) — the one working-day function of
the system. Every deadline counts with :func:`add_workdays`; every "days remaining / days
overdue" with :func:`workdays_between`.

A day of a year whose schedule is not loaded has no answer: every function that touches one
raises :class:`~qcredit.workdays.errors.MissingHolidayYear` naming the year, also when a count
runs from a loaded year into an unloaded one. Nothing is guessed from the ordinary week.

The calendar (a few hundred exception rows) is kept in memory per process. Each question first
reads the fingerprint of the loaded years (their number and latest ``loaded_at``, one small
query) and reads the calendar again when it changed: a year loaded or replaced in any process
is seen by the next question everywhere, and a load that rolled back is forgotten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max

from .errors import MissingHolidayYear
from .schedule import HOLIDAY

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Snapshot:
    fingerprint: tuple
    years: frozenset[int]
    exceptions: Mapping[date, str]


_snapshot: _Snapshot | None = None


def calendar_cache_clear() -> None:
    """Forget this process's copy of the calendar (after a year is loaded or replaced)."""
    global _snapshot
    _snapshot = None


def _fingerprint() -> tuple:
    from .models import HolidayYear

    summary = HolidayYear.objects.aggregate(years=Count("id"), latest=Max("loaded_at"))
    return summary["years"], summary["latest"]


def _current() -> _Snapshot:
    global _snapshot
    from .models import CalendarDay, HolidayYear

    fingerprint = _fingerprint()
    snapshot = _snapshot
    if snapshot is None or snapshot.fingerprint != fingerprint:
        snapshot = _Snapshot(fingerprint=fingerprint,
                             years=frozenset(HolidayYear.objects.values_list("year", flat=True)),
                             exceptions=dict(CalendarDay.objects.values_list("date", "kind")))
        _snapshot = snapshot
    return snapshot


class _Calendar:
    """One question's view of the calendar."""

    def __init__(self) -> None:
        self.snapshot = _current()

    def require(self, year: int) -> None:
        if year not in self.snapshot.years:
            raise MissingHolidayYear(year)

    def is_workday(self, day: date) -> bool:
        self.require(day.year)
        kind = self.snapshot.exceptions.get(day)
        if kind is None:
            return day.weekday() < 5
        return kind != HOLIDAY


def _check_date(value, name: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__} "
                        "(take the local date of an aware datetime with timezone.localdate())")


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day: a 调休上班日, or Monday to Friday unless a 法定节假日."""
    _check_date(day, "day")
    return _Calendar().is_workday(day)


def add_workdays(start: date, n: int) -> date:
    """The deadline ``n`` working days after ``start``, the day the obligation arises, which is
    not counted — chinesecalendar's ``find_workday(n, start)`` (SPEC §5 preamble):

    - ``n >= 1``: counting starts from the first working day on or after ``start`` (``start``
      itself when it is a working day) and that day is not counted. So the 5th working day
      after a Friday is the next Friday; an obligation that arises on a rest day is counted as
      if it arose on the next working day (5 working days after a Saturday or after the
      Monday that follows both end on the Monday a week later).
    - ``n == 0``: ``start`` if it is a working day, otherwise the next working day.
    - ``n < 0``: the ``|n|``-th working day before ``start``.

    Raises ``MissingHolidayYear`` when ``start`` or any day counted over lies in a year whose
    schedule is not loaded.
    """
    _check_date(start, "start")
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    calendar = _Calendar()
    calendar.require(start.year)
    day = start
    if n >= 0:
        while not calendar.is_workday(day):
            day += ONE_DAY
        for _ in range(n):
            day += ONE_DAY
            while not calendar.is_workday(day):
                day += ONE_DAY
    else:
        for _ in range(-n):
            day -= ONE_DAY
            while not calendar.is_workday(day):
                day -= ONE_DAY
    return day


def workdays_between(start: date, end: date) -> int:
    """The working days after ``start`` up to and including ``end`` — the days remaining from
    today to a deadline, or, with the arguments the other way round, the days a deadline is
    overdue. Negative when ``end`` is before ``start`` (minus the working days after ``end`` up
    to and including ``start``); 0 when they are the same day.

    For a working day ``start``, ``workdays_between(start, add_workdays(start, n)) == n``.
    Raises ``MissingHolidayYear`` when either end or any day between lies in a year whose
    schedule is not loaded.
    """
    _check_date(start, "start")
    _check_date(end, "end")
    calendar = _Calendar()
    calendar.require(start.year)
    calendar.require(end.year)
    low, high, sign = (start, end, 1) if start <= end else (end, start, -1)
    count = 0
    day = low + ONE_DAY
    while day <= high:
        count += calendar.is_workday(day)
        day += ONE_DAY
    return sign * count
