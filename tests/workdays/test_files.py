"""Reading a year's schedule from CSV, XLSX and JSON; every bad row named, nothing written."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import BytesIO

import openpyxl
import pytest

from qcredit.workdays.errors import WorkdayError, WorkdayErrorCode
from qcredit.workdays.files import schedule_file_read, schedule_file_write
from qcredit.workdays.schedule import ScheduleDay

from .conftest import CSV_2027


def _read(content: bytes, filename: str, year: int = 2027):
    return schedule_file_read(content=content, filename=filename, year=year)


def _problems(content: bytes, filename: str, year: int = 2027) -> list[str]:
    with pytest.raises(WorkdayError) as caught:
        _read(content, filename, year)
    assert caught.value.code is WorkdayErrorCode.INVALID_FILE
    return [str(p) for p in caught.value.problems]


def test_a_csv_schedule():
    schedule = _read(CSV_2027.encode(), "2027.csv")
    assert len(schedule.days) == 11
    assert schedule.days[0] == ScheduleDay(date(2027, 1, 1), "holiday", "元旦")
    assert schedule.days[-1] == ScheduleDay(date(2027, 2, 13), "workday", "春节")


def test_a_csv_saved_by_excel_in_gb18030_with_slashed_dates():
    content = "日期,类型,名称,备注\n2027/1/1,法定节假日,元旦,周五\n".encode("gb18030")
    assert _read(content, "2027.csv").days == [ScheduleDay(date(2027, 1, 1), "holiday", "元旦")]


def test_an_xlsx_schedule_with_date_cells():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["日期", "类型", "名称"])
    sheet.append([datetime(2027, 1, 1), "法定节假日", "元旦"])
    sheet.append(["2027-02-13", "调休上班", "春节"])
    buffer = BytesIO()
    workbook.save(buffer)
    assert _read(buffer.getvalue(), "2027.xlsx").days == [
        ScheduleDay(date(2027, 1, 1), "holiday", "元旦"), ScheduleDay(date(2027, 2, 13), "workday", "春节")]


def test_a_json_schedule_carries_its_source():
    document = {"year": 2027, "source": "测试通知", "days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"日期": "2027-02-13", "类型": "调休上班", "名称": "春节"}]}
    schedule = _read(json.dumps(document, ensure_ascii=False).encode(), "2027.json")
    assert schedule.source == "测试通知"
    assert [d.kind for d in schedule.days] == ["holiday", "workday"]


def test_invalid_rows_are_each_named_by_row():
    content = "\n".join([
        "日期,类型,名称",
        "2027-01-01,法定节假日,元旦",          # row 2: fine
        "2027-13-01,法定节假日,元旦",          # row 3: no such date
        "2027-01-02,休息,元旦",                # row 4: unknown kind
        "2027-02-08,调休上班,春节",            # row 5: a Monday
        "2027-01-01,法定节假日,元旦",          # row 6: duplicates row 2
        "2026-12-31,法定节假日,元旦",          # row 7: another year
        ",法定节假日,春节",                    # row 8: no date
    ]).encode()
    problems = _problems(content, "2027.csv")
    assert "第 3 行：日期“2027-13-01”无法识别，应写作 YYYY-MM-DD" in problems
    assert "第 4 行：类型“休息”无效，应为“法定节假日”或“调休上班”" in problems
    assert "第 5 行：调休上班日应为周六或周日，2027-02-08 是周一" in problems
    assert "第 2 行、第 6 行：日期 2027-01-01 重复出现 2 次" in problems
    assert "第 7 行：2026-12-31 不在 2027 年内" in problems
    assert "第 8 行：缺少日期" in problems
    assert len(problems) == 6


def test_missing_and_unknown_columns():
    problems = _problems("日期,种类\n2027-01-01,法定节假日\n".encode(), "2027.csv")
    assert problems == ["第 1 行：未知的列“种类”（应为 日期、类型、名称）", "第 1 行：缺少“类型”列",
                        "第 1 行：缺少“名称”列"]


def test_a_json_year_must_match():
    document = {"year": 2026, "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]}
    assert _problems(json.dumps(document).encode(), "2027.json") == [
        "year：文件中的年度 2026 与要导入的年度 2027 不符"]


def test_unreadable_files():
    for content, filename in ((b"", "2027.csv"), (b"not a workbook", "2027.xlsx"), (b"{", "2027.json"),
                              (b"x", "2027.txt")):
        with pytest.raises(WorkdayError) as caught:
            _read(content, filename)
        assert caught.value.code is WorkdayErrorCode.INVALID_FILE


def test_an_exported_year_reads_back_the_same():
    days = _read(CSV_2027.encode(), "2027.csv").days
    assert _read(schedule_file_write(days=days), "2027.csv").days == days
