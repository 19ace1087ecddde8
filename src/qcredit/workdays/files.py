"""Reading a year's schedule from an import file: CSV or XLSX with the columns 日期, 类型
(法定节假日 | 调休上班), 名称 — one row per day, weekends inside a holiday period included —
or JSON::

    {"year": 2027, "source": "国办发明电〔2026〕x号",
     "days": [{"date": "2027-01-01", "kind": "法定节假日", "name": "元旦"}, …]}

(``year`` and ``source`` optional; the keys may also be 日期/类型/名称, the kinds also
``holiday``/``workday``; a bare list of days is accepted too).

Every problem of the file is collected, named by its row (``第 5 行``) or item (``days[4]``),
including the checks of :func:`~qcredit.workdays.schedule.schedule_problems`, so that the
whole file is refused with every reason at once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .errors import Problem, WorkdayError, WorkdayErrorCode
from .schedule import HOLIDAY, WORKDAY, ScheduleDay, schedule_problems

COLUMNS = {"日期": "date", "类型": "kind", "名称": "name", "date": "date", "kind": "kind", "name": "name"}
IGNORED_COLUMNS = {"备注", "星期", "note", "weekday"}
KIND_NAMES = {
    "法定节假日": HOLIDAY, "节假日": HOLIDAY, "放假": HOLIDAY, HOLIDAY: HOLIDAY,
    "调休上班": WORKDAY, "调休上班日": WORKDAY, "上班": WORKDAY, WORKDAY: WORKDAY,
}
DATE_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
EXTENSIONS = (".csv", ".xlsx", ".json")


@dataclass(frozen=True)
class ScheduleFile:
    days: list[ScheduleDay]
    source: str = ""  # the JSON form may name its source


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else None
    if isinstance(value, date):
        return value
    match = DATE_PATTERN.fullmatch(str(value).strip())
    if match is None:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _day(item: dict, where: str, problems: list[Problem]) -> ScheduleDay | None:
    """One row or item as a day; what cannot be read is reported under ``where``."""
    found = []
    raw_date, raw_kind, name = item.get("date"), item.get("kind"), _text(item.get("name"))
    day = _date(raw_date) if not _blank(raw_date) else None
    if _blank(raw_date):
        found.append(Problem(where, "缺少日期"))
    elif day is None:
        found.append(Problem(where, f"日期“{_text(raw_date)}”无法识别，应写作 YYYY-MM-DD"))
    kind = KIND_NAMES.get(_text(raw_kind).lower())
    if _blank(raw_kind):
        found.append(Problem(where, "缺少类型（法定节假日 或 调休上班）"))
    elif kind is None:
        found.append(Problem(where, f"类型“{_text(raw_kind)}”无效，应为“法定节假日”或“调休上班”"))
    problems.extend(found)
    return None if found else ScheduleDay(day, kind, name)


def _table(rows: list[list], where) -> tuple[list[ScheduleDay], list[str], list[Problem]]:
    problems: list[Problem] = []
    header_at = next((i for i, r in enumerate(rows) if any(not _blank(c) for c in r)), None)
    if header_at is None:
        return [], [], [Problem("", "文件是空的")]
    columns = []
    for cell in rows[header_at]:
        title = _text(cell)
        if not title or title.lower() in IGNORED_COLUMNS:
            columns.append(None)
        elif title.lower() in COLUMNS:
            columns.append(COLUMNS[title.lower()])
        else:
            columns.append(None)
            problems.append(Problem(where(header_at + 1), f"未知的列“{title}”（应为 日期、类型、名称）"))
    for needed, title in (("date", "日期"), ("kind", "类型"), ("name", "名称")):
        if needed not in columns:
            problems.append(Problem(where(header_at + 1), f"缺少“{title}”列"))
    if problems:
        return [], [], problems
    days, locations = [], []
    for n, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if all(_blank(c) for c in row):
            continue
        item = {col: cell for col, cell in zip(columns, row, strict=False) if col}
        day = _day(item, where(n), problems)
        if day is not None:
            days.append(day)
            locations.append(where(n))
    return days, locations, problems


def _csv_rows(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")  # a CSV saved by Excel on a Chinese Windows
        except UnicodeDecodeError:
            raise WorkdayError(WorkdayErrorCode.INVALID_FILE, "CSV 文件应为 UTF-8 或 GB18030 编码") from None
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(content: bytes) -> tuple[list[list], str]:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # any unreadable workbook is a problem of the input
        raise WorkdayError(WorkdayErrorCode.INVALID_FILE, f"无法读取 Excel 工作簿：{exc}") from None
    try:
        sheet = workbook.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)], sheet.title
    finally:
        workbook.close()


def _json(content: bytes, year: int, problems: list[Problem]) -> tuple[list[ScheduleDay], list[str], str]:
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WorkdayError(WorkdayErrorCode.INVALID_FILE, f"无法读取 JSON：{exc}") from None
    source = ""
    if isinstance(document, dict):
        if "year" in document and document["year"] != year:
            problems.append(Problem("year", f"文件中的年度 {document['year']} 与要导入的年度 {year} 不符"))
        source = _text(document.get("source"))
        items = document.get("days")
    else:
        items = document
    if not isinstance(items, list):
        raise WorkdayError(WorkdayErrorCode.INVALID_FILE, "JSON 应为日期列表，或含 days 列表的对象")
    days, locations = [], []
    for i, item in enumerate(items):
        where = f"days[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "应为含 date、kind、name 的对象"))
            continue
        day = _day({COLUMNS.get(k, k): v for k, v in item.items()}, where, problems)
        if day is not None:
            days.append(day)
            locations.append(where)
    return days, locations, source


def schedule_file_read(*, content: bytes, filename: str, year: int) -> ScheduleFile:
    """The schedule of ``year`` in the import file ``filename`` (its extension picks the form).
    Raises ``WorkdayError(INVALID_FILE)`` listing every problem; nothing is written here."""
    suffix = Path(filename).suffix.lower()
    problems: list[Problem] = []
    source = ""
    if suffix == ".csv":
        days, locations, problems = _table(_csv_rows(content), lambda n: f"第 {n} 行")
    elif suffix == ".xlsx":
        rows, title = _xlsx_rows(content)
        days, locations, problems = _table(rows, lambda n: f"工作表“{title}”第 {n} 行")
    elif suffix == ".json":
        days, locations, source = _json(content, year, problems)
    else:
        raise WorkdayError(WorkdayErrorCode.INVALID_FILE,
                           f"不支持的文件类型“{suffix or filename}”，应为 {'、'.join(EXTENSIONS)}")
    if days:
        checked = schedule_problems(year=year, days=days, locations=locations)
        # "no holiday at all" is no news when rows could not be read
        problems.extend(p for p in checked if p.where or not problems)
    elif not problems:
        problems.append(Problem("", "文件中没有任何日期"))
    if problems:
        raise WorkdayError(WorkdayErrorCode.INVALID_FILE,
                           f"文件“{Path(filename).name}”有 {len(problems)} 处问题，未导入任何数据", problems)
    return ScheduleFile(days=days, source=source)


def schedule_file_write(*, days: list[tuple[date, str, str]]) -> bytes:
    """A year's schedule as the CSV the import reads (to correct a loaded year and load it again)."""
    labels = {HOLIDAY: "法定节假日", WORKDAY: "调休上班"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["日期", "类型", "名称"])
    for day, kind, name in sorted(days):
        writer.writerow([day.isoformat(), labels[kind], name])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
