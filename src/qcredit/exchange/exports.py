"""Exports for partner systems (SPEC §7.2; issue 5 item 2): the public lists in the partner
field set and the 双公示 administrative penalty records of the archive, as CSV, XLSX and JSON.

One code path for the workspace (``exchange:exports``) and the CLI (``qcredit partner-export``):
:func:`export_open` checks the request (dataset, region, dates, format, who), counts the rows
and writes the audit event; the writers then stream the rows.

**What is exported.**

* ``redlist``, ``published_a``, ``blacklist`` — what is public today, read only through the
  list apps' public selectors (``public_partner_rows``, ``published_a_partner_rows``,
  ``blacklist_partner_rows``: the one place that decides what of a list is public, SPEC §7.1),
  in their partner field set :data:`LIST_FIELDS`. The region and date filters are applied to
  those rows: the region is the entry's own (frozen at publication, as the portal filters it),
  read from the same apps' public selectors.
* ``penalties`` — every *current* ``penalty`` record of the archive (the newest version,
  not withdrawn; SPEC §3) in the 双公示 field set :data:`PENALTY_FIELDS`; each field's source
  is :data:`PENALTY_MAPPING`. What the archive does not hold is exported empty, never made up.

**Streaming.** Penalty rows are read with ``.iterator()`` in chunks and written as they come:
CSV and JSON are generators of byte chunks, XLSX is openpyxl's write-only workbook written to a
file. A list export holds at most the public list in memory (thousands of rows).

**Spreadsheets.** A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is run as a formula by spreadsheet programs; such text gets a leading apostrophe in CSV and
XLSX, the same rule as the portal's open data (``portal/opendata.py``), and every XLSX cell is
a text cell. JSON carries the values unchanged: it is data, not a spreadsheet.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from django.db.models import Q
from django.utils import timezone

from qcredit.accounts.models import JURISDICTION_RE, Membership, Role, Unit
from qcredit.accounts.services import AccessDenied, AccessErrorCode, authorize
from qcredit.audit.services import audit_access

# --- field sets (SPEC §7.2) ------------------------------------------------------------------------

LIST_FIELDS = ("主体名称", "统一社会信用代码", "名单类别", "列入原因", "认定部门", "列入日期", "有效期至",
               "数据来源单位", "数据来源单位统一社会信用代码")

PENALTY_FIELDS = ("行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "违法行为类型", "违法事实",
                  "处罚依据", "处罚类别", "处罚内容", "处罚决定日期", "处罚机关", "处罚机关统一社会信用代码",
                  "数据来源单位", "数据来源单位统一社会信用代码", "档案记录编号")

# Where each 双公示 field comes from (shown on the export page and in docs/exports.md).
PENALTY_MAPPING: dict[str, str] = {
    "行政相对人名称": "企业名称（档案中企业的现用名称）",
    "统一社会信用代码": "企业的统一社会信用代码",
    "行政处罚决定书文号": "记录的处罚决定书文号（decision_no）；未填时用记录的文号（ref）；都未填则为空",
    "违法行为类型": "记录的领域（scope）：质量违法行为、计量违法行为、其他违法行为",
    "违法事实": "空：档案不记载违法事实（备注 note 是内部说明，不导出）",
    "处罚依据": "空：档案不记载处罚依据",
    "处罚类别": "空：档案不记载处罚种类（程度 severity 是评级用的内部判断，不是处罚种类）",
    "处罚内容": "空：档案不记载处罚内容",
    "处罚决定日期": "记录的日期（date）",
    "处罚机关": "空：档案不记载作出决定的机关（记录单位 source 是录入记录的单位，不一定是处罚机关）",
    "处罚机关统一社会信用代码": "空：同上",
    "数据来源单位": "记录单位（source）",
    "数据来源单位统一社会信用代码": "名称与记录单位相同的单位的统一社会信用代码；没有这样的单位或未登记代码则为空",
    "档案记录编号": "记录编号（id，同一记录单位内唯一），供合作系统识别同一条记录的更新",
}

VIOLATION_TYPES = {"quality": "质量违法行为", "metrology": "计量违法行为", "other": "其他违法行为"}


@dataclass(frozen=True)
class Dataset:
    key: str
    label: str
    fields: tuple[str, ...]
    date_field: str  # the field the date range applies to
    description: str


DATASETS: dict[str, Dataset] = {d.key: d for d in (
    Dataset("redlist", "质量信用红名单", LIST_FIELDS, "列入日期",
            "当前公开的红名单主体（各级红名单），SRL 第十一、十六条"),
    Dataset("published_a", "A级（守信）企业公示", LIST_FIELDS, "列入日期",
            "当前公示中的A级企业，QCO 三(五)、四(一)"),
    Dataset("blacklist", "失信黑名单", LIST_FIELDS, "列入日期",
            "当前曝光中的黑名单（D级经复核确认），QCO 四(四)"),
    Dataset("penalties", "行政处罚（双公示）", PENALTY_FIELDS, "处罚决定日期",
            "档案中现行有效的行政处罚记录（不含已被更正替代或已撤回的版本），SPEC §3 penalty"),
)}

FORMATS = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON"}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "json": "application/json; charset=utf-8"}

# Office (publishes and exchanges with partners), admin (runs the system) and division (keeps
# the archive records of its field, penalties among them) staff (docs/exports.md).
EXPORT_ROLES = (Role.OFFICE, Role.ADMIN, Role.DIVISION)
XLSX_MAX_ROWS = 1_048_575  # a worksheet has 1,048,576 rows, one of them the header
CHUNK = 2000


# --- errors ----------------------------------------------------------------------------------------


class ExportErrorCode(enum.Enum):
    UNKNOWN_DATASET = "unknown_dataset"
    UNKNOWN_FORMAT = "unknown_format"
    INVALID_REGION = "invalid_region"
    INVALID_DATE = "invalid_date"
    INVALID_RANGE = "invalid_range"
    TOO_MANY_ROWS = "too_many_rows"


class ExportError(Exception):
    """A request that cannot be exported; ``problems`` are (path, reason) pairs — the form
    field or CLI option and a Chinese reason."""

    def __init__(self, code: ExportErrorCode, path: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = [(path, message)]


# --- formula neutralisation --------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Text for a spreadsheet cell: a leading apostrophe where the text would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


# --- the request -----------------------------------------------------------------------------------


@dataclass
class Export:
    """A checked export request, audited, ready to be written."""

    dataset: Dataset
    fmt: str
    regions: tuple[str, ...]  # jurisdiction prefixes the rows are limited to; () = everything
    date_from: date | None
    date_to: date | None
    on: date
    count: int
    generated_at: datetime
    _rows: Callable[[], Iterator[tuple]] = field(repr=False)

    def rows(self) -> Iterator[tuple]:
        """The rows, each a tuple in the order of ``dataset.fields`` (strings)."""
        return self._rows()

    @property
    def filename(self) -> str:
        scope = "-".join(self.regions) if self.regions else "all"
        span = ""
        if self.date_from or self.date_to:
            span = f"_{self.date_from.isoformat() if self.date_from else ''}~{self.date_to.isoformat() if self.date_to else ''}"
        return f"qcredit-{self.dataset.key}_{scope}{span}_{self.on.isoformat()}.{self.fmt}"

    @property
    def filters(self) -> dict:
        return {"region": list(self.regions), "from": self.date_from.isoformat() if self.date_from else "",
                "to": self.date_to.isoformat() if self.date_to else ""}


def export_regions(user) -> list[str]:
    """The jurisdictions in which ``user`` may export: the units where they hold an export role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return sorted(set(Membership.objects.filter(user=user, role__in=EXPORT_ROLES, unit__active=True)
                      .values_list("unit__jurisdiction", flat=True)))


def _parse_date(value, path: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    from qcredit.rules.dates import parse_date

    try:
        return parse_date(str(value).strip())
    except ValueError:
        raise ExportError(ExportErrorCode.INVALID_DATE, path, f"不是有效的日期（YYYY-MM-DD）：{value}") from None


def _covered(prefixes: Iterable[str], region: str) -> bool:
    return any(region.startswith(p) for p in prefixes)


def export_open(*, actor, dataset: str, fmt: str, region: str = "", date_from=None, date_to=None,
                on: date | None = None, channel: str = "web") -> Export:
    """Check an export request and write its audit event (SPEC §7.3: who exported what, with
    which filters, how many rows). ``actor`` None is the system (the CLI), which may export
    everything; staff need an export role, and their rows are limited to the jurisdictions of
    those roles (or to ``region`` inside them). Raises :class:`ExportError` (invalid input) or
    :class:`AccessDenied`."""
    from qcredit.grading.services import today

    spec = DATASETS.get(dataset)
    if spec is None:
        raise ExportError(ExportErrorCode.UNKNOWN_DATASET, "dataset",
                          f"没有“{dataset}”这类导出；可选：{'、'.join(f'{k}（{d.label}）' for k, d in DATASETS.items())}")
    if fmt not in FORMATS:
        raise ExportError(ExportErrorCode.UNKNOWN_FORMAT, "format", f"不支持的格式“{fmt}”；可选：csv、xlsx、json")
    region = (region or "").strip()
    if region and not JURISDICTION_RE.match(region):
        raise ExportError(ExportErrorCode.INVALID_REGION, "region",
                          f"行政区划应为 2、4 或 6 位数字代码（GB/T 2260），而不是“{region}”")
    start, end = _parse_date(date_from, "from"), _parse_date(date_to, "to")
    if start and end and start > end:
        raise ExportError(ExportErrorCode.INVALID_RANGE, "to",
                          f"截止日期 {end.isoformat()} 早于起始日期 {start.isoformat()}")

    membership = None
    if actor is None:
        regions: tuple[str, ...] = (region,) if region else ()
    elif region:
        membership = authorize(user=actor, role=EXPORT_ROLES, region=region)
        regions = (region,)
    else:
        membership = authorize(user=actor, role=EXPORT_ROLES)
        regions = tuple(export_regions(actor))
        if not regions:  # pragma: no cover - authorize found a membership
            raise AccessDenied(AccessErrorCode.NO_ROLE, "没有可导出的管辖范围")

    on = on or today()
    reader = _penalty_reader if spec.key == "penalties" else _list_reader
    count, rows = reader(spec, regions=regions, start=start, end=end, on=on)
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:
        raise ExportError(ExportErrorCode.TOO_MANY_ROWS, "format",
                          f"共 {count:,} 行，超过 XLSX 工作表的上限 {XLSX_MAX_ROWS:,} 行；请改用 CSV 或 JSON，或缩小范围")
    export = Export(dataset=spec, fmt=fmt, regions=regions, date_from=start, date_to=end, on=on, count=count,
                    generated_at=timezone.now(), _rows=rows)
    audit_access(actor=actor, action=f"exchange.export.{spec.key}",
                 obj=("exchange.export", spec.key, f"导出{spec.label}（{FORMATS[fmt]}）"),
                 detail={"dataset": spec.key, "format": fmt, **export.filters, "rows": count, "on": on.isoformat(),
                         "channel": channel},
                 membership=membership)
    return export


# --- readers -----------------------------------------------------------------------------------------


def _public_list(spec: Dataset, on: date) -> tuple[list[dict], dict[tuple, str]]:
    """The list's public rows in the partner field set, and the region of each row keyed by
    (USCC, 认定部门, 列入日期) — both from the list app's public selectors."""
    from qcredit.lists import selectors as lists
    from qcredit.redlist import selectors as redlist

    if spec.key == "redlist":
        rows = redlist.public_partner_rows(on=on)
        regions = {(e.uscc, e.decided_by, e.published_on.isoformat()): e.region for e in redlist.public_entries(on=on)}
    elif spec.key == "published_a":
        rows = lists.published_a_partner_rows(on=on)
        regions = {(e.uscc, e.authority, e.published_on.isoformat()): e.region
                   for e in lists.published_a_public(on=on)}
    else:
        rows = lists.blacklist_partner_rows()
        regions = {(e.uscc, e.authority, e.listed_on.isoformat()): e.region for e in lists.blacklist_public()}
    return rows, regions


def _list_reader(spec: Dataset, *, regions, start, end, on):
    rows, region_of = _public_list(spec, on)
    chosen = []
    for row in rows:
        listed = row["列入日期"]
        if (start and listed < start.isoformat()) or (end and listed > end.isoformat()):
            continue
        if regions and not _covered(regions, region_of.get((row["统一社会信用代码"], row["认定部门"], listed), "")):
            continue
        chosen.append(tuple(str(row.get(f, "") or "") for f in spec.fields))
    return len(chosen), lambda: iter(chosen)


def _penalties(*, regions, start, end):
    from qcredit.archive.models import Record

    records = Record.objects.current().filter(kind="penalty")
    if regions:
        cover = Q(pk__in=[])
        for prefix in regions:
            cover |= Q(enterprise__region__startswith=prefix)
        records = records.filter(cover)
    if start:
        records = records.filter(date__gte=start)
    if end:
        records = records.filter(date__lte=end)
    return records


def _penalty_reader(spec: Dataset, *, regions, start, end, on):
    records = _penalties(regions=regions, start=start, end=end)
    count = records.count()

    def rows() -> Iterator[tuple]:
        unit_uscc = {name: uscc for name, uscc in Unit.objects.exclude(uscc="").values_list("name", "uscc")}
        columns = ("enterprise__name", "enterprise__uscc", "decision_no", "ref", "scope", "date", "source",
                   "record_id")
        for name, uscc, decision_no, ref, scope, day, source, record_id in (
                records.order_by("date", "source", "record_id").values_list(*columns).iterator(chunk_size=CHUNK)):
            yield (name, uscc, decision_no or ref, VIOLATION_TYPES.get(scope, ""), "", "", "", "", day.isoformat(),
                   "", "", source, unit_uscc.get(source, ""), record_id)

    return count, rows


# --- writers -----------------------------------------------------------------------------------------


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable], *, batch: int = 500) -> Iterator[bytes]:
    """CSV as UTF-8 with a byte-order mark (so that Excel reads the Chinese), CRLF lines, text
    neutralised (numbers are written as they are); yielded in chunks of ``batch`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow([v if isinstance(v, (int, float)) and not isinstance(v, bool) else neutralise(v) for v in row])
        if n % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def xlsx_write(out: IO[bytes] | str, header: Iterable[str], rows: Iterable[Iterable], *, title: str,
               text_only: bool = True, widths: dict[int, int] | None = None) -> None:
    """An XLSX workbook of one sheet, written row by row (openpyxl's write-only mode): text
    neutralised; every cell a text cell when ``text_only``, else numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    header = [neutralise(h) for h in header]
    for index, width in enumerate(header):
        sheet.column_dimensions[get_column_letter(index + 1)].width = (widths or {}).get(index, 18 if len(width) < 8 else 26)
    sheet.append(header)
    for row in rows:
        sheet.append([v if not text_only and isinstance(v, (int, float)) and not isinstance(v, bool) else neutralise(v)
                      for v in row])
    workbook.save(out)


def _sheet_title(title: str) -> str:
    for ch in "\\/*?:[]":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet1"


def json_chunks(export: Export, *, batch: int = 500) -> Iterator[bytes]:
    """One JSON document, written as it goes: the dataset, its filters, the field list, the
    records (objects keyed by field name, values unchanged) and their count."""
    head = {"format": "qcredit-partner-export/1", "dataset": export.dataset.key, "title": export.dataset.label,
            "generated_at": timezone.localtime(export.generated_at).isoformat(timespec="seconds"),
            "as_of": export.on.isoformat(), "filters": export.filters, "fields": list(export.dataset.fields)}
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [').encode("utf-8")
    parts: list[str] = []
    count = 0
    for row in export.rows():
        parts.append(("\n" if count == 0 else ",\n")
                     + json.dumps(dict(zip(export.dataset.fields, row, strict=True)), ensure_ascii=False))
        count += 1
        if len(parts) >= batch:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append(f'\n], "count": {count}}}\n')
    yield "".join(parts).encode("utf-8")


def export_chunks(export: Export) -> Iterator[bytes]:
    """CSV or JSON as byte chunks (XLSX is written to a file: :func:`export_write`)."""
    if export.fmt == "csv":
        return csv_chunks(export.dataset.fields, export.rows())
    if export.fmt == "json":
        return json_chunks(export)
    raise ValueError("XLSX is written with export_write")


def export_write(export: Export, out: IO[bytes]) -> None:
    """Write the export in its format to a binary file object."""
    if export.fmt == "xlsx":
        wide = {i for i, f in enumerate(export.dataset.fields) if f in ("主体名称", "列入原因", "行政相对人名称")}
        xlsx_write(out, export.dataset.fields, export.rows(), title=export.dataset.label,
                   widths={i: 40 for i in wide})
        return
    for chunk in export_chunks(export):
        out.write(chunk)
