"""Errors of the working-day calendar, as values with codes that the UI, the API and the CLI
all render (the message is Chinese and shown as it is)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class WorkdayErrorCode(enum.Enum):
    MISSING_HOLIDAY_YEAR = "missing_holiday_year"
    INVALID_SCHEDULE = "invalid_schedule"
    INVALID_FILE = "invalid_file"
    YEAR_ALREADY_LOADED = "year_already_loaded"
    REASON_REQUIRED = "reason_required"


@dataclass(frozen=True)
class Problem:
    """One problem of a schedule or an import file; ``where`` names the row or the date."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}" if self.where else self.reason


class WorkdayError(Exception):
    def __init__(self, code: WorkdayErrorCode, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {p}" for p in self.problems)])


class MissingHolidayYear(WorkdayError):
    """A working day was asked of a year whose official schedule is not loaded (SPEC §5:
    an error that names the year — never a guess)."""

    def __init__(self, year: int):
        super().__init__(
            WorkdayErrorCode.MISSING_HOLIDAY_YEAR,
            f"{year} 年的法定节假日安排尚未导入，无法计算工作日期限；请系统管理员导入该年度安排",
        )
        self.year = year
