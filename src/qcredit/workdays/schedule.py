"""What makes a year's official holiday schedule valid (pure Python, no Django).

A schedule lists only the exceptions to the ordinary week: 法定节假日 (rest days of the
official holidays, weekends inside a holiday period included) and 调休上班日 (a Saturday or
Sunday worked in exchange). Every other day of a loaded year is a workday Monday to Friday
and a rest day on Saturday and Sunday.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from .errors import Problem

HOLIDAY = "holiday"
WORKDAY = "workday"
KIND_LABELS = {HOLIDAY: "法定节假日", WORKDAY: "调休上班日"}
WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MIN_YEAR, MAX_YEAR = 2000, 2099
NAME_MAX_LENGTH = 60


class ScheduleDay(NamedTuple):
    date: date
    kind: str
    name: str


def _where(day) -> str:
    return day.isoformat() if isinstance(day, date) else repr(day)


def year_problems(year) -> list[Problem]:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        return [Problem("年度", f"年度“{year}”无效，应为 {MIN_YEAR}–{MAX_YEAR} 之间的整数")]
    return []


def day_problems(*, year: int, day, kind, name, where: str | None = None) -> list[Problem]:
    """The problems of one day of ``year``'s schedule taken on its own; ``where`` names it
    (a file row), by default its date."""
    if not isinstance(day, date) or isinstance(day, datetime):
        return [Problem(where or _where(day), "不是日期")]
    where = where or day.isoformat()
    problems = []
    if day.year != year:
        problems.append(Problem(where, f"{day.isoformat()} 不在 {year} 年内"))
    if kind not in KIND_LABELS:
        problems.append(Problem(where, f"类型“{kind}”无效，应为法定节假日（{HOLIDAY}）或调休上班日（{WORKDAY}）"))
    elif kind == WORKDAY and day.weekday() < 5:
        problems.append(Problem(where, f"调休上班日应为周六或周日，{day.isoformat()} 是{WEEKDAY_LABELS[day.weekday()]}"))
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(where, "缺少名称（如 春节、国庆节）"))
    elif len(name.strip()) > NAME_MAX_LENGTH:
        problems.append(Problem(where, f"名称超过 {NAME_MAX_LENGTH} 个字"))
    return problems


def schedule_problems(*, year: int, days: Iterable[tuple], locations: list[str] | None = None) -> list[Problem]:
    """Every problem of ``year``'s schedule ``days`` — ``(date, kind, name)`` triples; an
    empty list means the schedule may be loaded. ``locations[i]`` names ``days[i]`` in the
    problems (a file row); by default a day is named by its date."""
    problems = year_problems(year)
    if problems:
        return problems
    days = list(days)
    seen: dict[date, list[str]] = {}
    for i, item in enumerate(days):
        where = locations[i] if locations else None
        if not isinstance(item, tuple | list) or len(item) != 3:
            problems.append(Problem(where or f"第 {i + 1} 项", "应为（日期, 类型, 名称）"))
            continue
        day, kind, name = item
        problems.extend(day_problems(year=year, day=day, kind=kind, name=name, where=where))
        if isinstance(day, date) and not isinstance(day, datetime):
            seen.setdefault(day, []).append(where or day.isoformat())
    for day, wheres in sorted(seen.items()):
        if len(wheres) > 1:
            where = "、".join(wheres) if locations else day.isoformat()
            problems.append(Problem(where, f"日期 {day.isoformat()} 重复出现 {len(wheres)} 次"))
    if not problems and not any(item[1] == HOLIDAY for item in days):
        problems.append(Problem("", f"{year} 年的安排没有任何法定节假日"))
    return problems


def normalise(days: Iterable[tuple]) -> list[ScheduleDay]:
    """A valid schedule in date order, names stripped."""
    return sorted((ScheduleDay(d, k, n.strip()) for d, k, n in days), key=lambda d: d.date)


def summary(days: Iterable[tuple]) -> str:
    """“法定节假日 33 天，调休上班日 6 天” for messages."""
    counts = Counter(kind for _day, kind, _name in days)
    return "，".join(f"{label} {counts[kind]} 天" for kind, label in KIND_LABELS.items())
