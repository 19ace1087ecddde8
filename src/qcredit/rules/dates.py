"""Calendar arithmetic of the rules (SPEC §4 "Windows")."""

from __future__ import annotations

import calendar
from datetime import date


def add_years(day: date, years: int) -> date:
    """``day`` shifted by whole years; 29 February maps to 28 February (SPEC §4)."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def add_months(day: date, months: int) -> date:
    """``day`` shifted by whole months, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def parse_date(value: str) -> date:
    """A strict ISO ``YYYY-MM-DD`` date (raises ValueError otherwise)."""
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(f"不是 YYYY-MM-DD 格式的日期：{value!r}")
    return date.fromisoformat(value)
