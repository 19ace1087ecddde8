"""Import of archive records from the workspace (SPEC §3.1, §7.2): per-kind CSV/XLSX
templates, reading an uploaded file, and the dry-run preview with its per-row error report.

Reading and writing are the archive's, not this module's: a table is read by
``archive.imports.rows_to_bundle`` and checked by ``archive.bundle.validate_bundle`` (the
same path as ``qcredit import FILE.xlsx|FILE.csv``), and the confirmed import is
``archive.imports.import_bundle``. What this module adds is what a screen needs around them:

* templates per kind whose header row holds the Chinese column names that ``rows_to_bundle``
  reads (the mapping to field keys is the vocabulary of ``rules/kinds.py``, repeated in a
  header comment of each column and on the sheet 填写说明), the enum values as drop-down
  lists, and one example row, which the preview refuses until it is deleted;
* the person's jurisdiction: rows of enterprises outside it are row errors of the preview
  (``import_bundle`` refuses them too, for the whole file);
* problems as rows of a report (sheet, row, column, reason), downloadable as CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qcredit.accounts.models import Membership, Role, covers
from qcredit.accounts.services import AccessDenied
from qcredit.archive.bundle import (
    BundleError,
    LocatedDocument,
    Problem,
    ValidBundle,
    parse_bundle_text,
    validate_bundle,
)
from qcredit.archive.columns import record_columns, record_content
from qcredit.archive.imports import ImportReport, import_bundle, rows_to_bundle
from qcredit.archive.models import Enterprise, Record
from qcredit.rules.kinds import (
    BOOL,
    CHOICE_LABELS,
    COMMON_FIELDS,
    DATE,
    ENTERPRISE_FIELDS,
    ENUM,
    KINDS,
    RATE,
    Field,
)
from qcredit.rules.uscc import USCCError, normalize_uscc

MAX_ROWS = 50_000
PREVIEW_ROWS = 50
ENTERPRISE = "enterprise"  # the template of enterprise master data (SPEC §2)
TEMPLATE_KINDS = (ENTERPRISE, *KINDS)

# The example row of every template; the preview refuses it, so that it is never imported.
EXAMPLE_ID = "示例-导入前请删除本行"
EXAMPLE_NAME = "示例企业（导入前请删除本行）"
EXAMPLE_USCC = "91370102MA0314153A"  # SPEC §3.1's example
EXAMPLE_VALUES = {
    "id": EXAMPLE_ID, "uscc": EXAMPLE_USCC, "date": date(2026, 3, 2), "source": "济南市市场监督管理局",
    "ref": "济市监抽〔2026〕3号", "note": "示例行，导入前请删除", "name": EXAMPLE_NAME,
    "established_on": date(2015, 3, 1), "region": "370102", "industry": "C3431",
    "decision_no": "济市监罚〔2026〕12号", "number": "XK06-001-00001", "licence_type": "全国工业产品生产许可证",
    "valid_from": date(2024, 1, 1), "valid_to": date(2028, 12, 31), "issued_by": "山东省人民政府",
    "rating": "AA", "pass_rate": 0.985, "rate": 0.992,
}
_RECORD_ORDER = ("id", "uscc", "date", "source", "ref")
_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]、 ]")


def kind_label(code: str) -> str:
    return "企业基本信息" if code == ENTERPRISE else KINDS[code].label


def template_fields(code: str) -> tuple[Field, ...]:
    """The columns of a kind's template: the common fields, the kind's fields, the note last."""
    if code == ENTERPRISE:
        return ENTERPRISE_FIELDS
    common = {f.name: f for f in COMMON_FIELDS}
    return (*(common[n] for n in _RECORD_ORDER), *KINDS[code].fields, common["note"])


def sheet_title(code: str) -> str:
    """``sampling 产品质量计量监督抽查``: ``rows_to_bundle`` takes the kind from the first word;
    Excel forbids some characters in a title and allows 31 of them."""
    if code == ENTERPRISE:
        return "enterprises"
    label = _TITLE_FORBIDDEN.sub("", KINDS[code].label)
    return f"{code} {label}"[:31]


def field_hint(f: Field) -> str:
    hint = f"字段 {f.name}；{'必填' if f.required else '选填'}"
    if f.type == ENUM:
        hint += "；取值：" + "、".join(CHOICE_LABELS.get(c, c) for c in f.choices)
    elif f.type == BOOL:
        hint += f"；是/否（不填为{'是' if f.default else '否'}）"
    elif f.type == DATE:
        hint += "；日期 YYYY-MM-DD"
    elif f.type == RATE:
        hint += "；0 到 1 之间的小数，或百分数如 98.5%"
    return hint


def _example(f: Field):
    if f.name in EXAMPLE_VALUES:
        return EXAMPLE_VALUES[f.name]
    if f.type == ENUM:
        return CHOICE_LABELS.get(f.choices[0], f.choices[0])
    if f.type == BOOL:
        return "是" if f.default else "否"
    return None


def template_csv(code: str) -> bytes:
    """A CSV template: header of Chinese column names and the example row, UTF-8 with a BOM
    (so that Excel opens it as UTF-8)."""
    fields = template_fields(code)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f.label for f in fields])
    row = []
    for f in fields:
        value = _example(f)
        row.append("" if value is None else value.isoformat() if isinstance(value, date) else value)
    writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(code: str) -> bytes:
    """An XLSX template: the kind's sheet (Chinese header, a comment per column with its field
    key and rule, drop-down lists for enums and booleans, the example row) and a sheet
    填写说明 whose first row is empty, so that importers skip it."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    fields = template_fields(code)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(code)
    required_fill = PatternFill("solid", fgColor="FDE8E8")
    for col, f in enumerate(fields, start=1):
        letter = get_column_letter(col)
        cell = sheet.cell(row=1, column=col, value=f.label)
        cell.font = Font(bold=True)
        if f.required:
            cell.fill = required_fill
        cell.comment = Comment(field_hint(f), "qcredit")
        sheet.column_dimensions[letter].width = max(14, 2 * len(f.label) + 4)
        example = sheet.cell(row=2, column=col, value=_example(f))
        example.font = Font(italic=True, color="7B8794")
        if f.type == DATE:
            example.number_format = "yyyy-mm-dd"
            for row in range(3, 1002):
                sheet.cell(row=row, column=col).number_format = "yyyy-mm-dd"
        if f.type in (ENUM, BOOL):
            options = [CHOICE_LABELS.get(c, c) for c in f.choices] if f.type == ENUM else ["是", "否"]
            validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                                        showErrorMessage=True, errorTitle="取值无效",
                                        error="请从下拉列表中选择：" + "、".join(options))
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("填写说明")
    lines = [
        (f"{kind_label(code)} 导入模板（企业质量档案 qcredit-archive/1）",),
        ("第 1 行为表头（中文列名，请勿修改）；第 2 行为示例，导入前请删除；从第 2 行起每行一条。",),
        ("工作表名称的第一个词是记录类别代码，请勿修改；也可以上传同样列名的 CSV 文件（UTF-8 或 GB18030）。",),
        ("记录以“记录单位 + 记录编号”识别：再次导入同一条记录不会重复写入；内容不同则作为更正写入。",),
        (),
        ("列名", "字段", "是否必填", "填写说明"),
        *[(f.label, f.name, "必填" if f.required else "选填", field_hint(f).split("；", 2)[-1]) for f in fields],
    ]
    for offset, line in enumerate(lines, start=2):  # row 1 stays empty: importers skip this sheet
        for col, value in enumerate(line, start=1):
            guide.cell(row=offset, column=col, value=value)
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["D"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- reading ----------------------------------------------------------------------------------------


def read_document(path: Path) -> LocatedDocument | dict:
    """A stored upload as a bundle document (to be validated); raises BundleError."""
    if path.suffix.lower() in (".csv", ".xlsx"):
        return _enum_labels_of_kind(rows_to_bundle(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BundleError([Problem("$", "档案包应为 UTF-8 编码的 JSON 文本")]) from None
    return parse_bundle_text(text)


def _enum_labels_of_kind(doc: LocatedDocument) -> LocatedDocument:
    """Chinese enum labels read by the row's own kind. ``rows_to_bundle`` converts a label
    with the field definition of the *last* kind that shares the column's name, so that
    “一般” of penalty.severity, “其他” of penalty.scope and the standard_conduct findings stay
    unconverted (reported in docs/web/records.md); a label of the row's kind is its code."""
    for item in doc.get("records", []):
        kind = KINDS.get(item.get("kind")) if isinstance(item.get("kind"), str) else None
        for f in kind.fields if kind else ():
            value = item.get(f.name)
            if f.type == ENUM and isinstance(value, str) and value not in f.choices:
                by_label = {CHOICE_LABELS.get(c, c): c for c in f.choices}
                item[f.name] = by_label.get(value.strip(), value)
    return doc


def division_jurisdictions(user) -> list[str]:
    """Where ``user`` may write the archive: the jurisdictions of their division units
    (archive.services authorises writes by the division role)."""
    return sorted(set(Membership.objects.filter(user=user, role=Role.DIVISION, unit__active=True)
                      .values_list("unit__jurisdiction", flat=True)))


# --- the preview ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One problem of an uploaded file, as a row of the error report."""

    where: str  # 工作表“sampling …”第5行 / 第5行 / 第3条记录 / 文件
    row: int | None  # the row of the sheet or file (the item number in a JSON bundle)
    column: str  # the Chinese column name (or a cell reference)
    field: str  # the field key
    reason: str
    order: tuple = ()

    def as_list(self) -> list[str]:
        return [self.where, "" if self.row is None else str(self.row), self.column, self.field, self.reason]


ERROR_REPORT_HEADER = ["位置", "行号", "列", "字段", "问题"]

STATUS_LABELS = {
    "new": "新增",
    "unchanged": "已导入，内容相同（不会重复写入）",
    "correction": "已导入，内容不同（将作为更正写入新版本）",
    "withdrawn": "档案中已撤回（保持撤回，不导入）",
    "existing": "档案中已有同一记录",
    "problem": "有问题（见问题清单）",
    "invalid": "—",
}


@dataclass
class PreviewRow:
    where: str
    kind: str
    uscc: str
    record_id: str
    source: str
    date: str
    status: str
    detail: str = ""
    has_problem: bool = False


@dataclass
class Preview:
    enterprises: int = 0
    records: int = 0
    kinds: list[tuple[str, int]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    statuses: list[tuple[str, int]] = field(default_factory=list)
    report: ImportReport | None = None
    bundle: ValidBundle | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.bundle is not None

    @property
    def total(self) -> int:
        return self.enterprises + self.records


_ITEM_PATH = re.compile(r"^(records|enterprises)\[(\d+)\](?:\.(\w+))?")
_CELL_PATH = re.compile(r"^(.*)!([A-Z]+)(\d+)$")
_ROW_IN_LOCATION = re.compile(r"第(\d+)行")
_LINE_PATH = re.compile(r"^line (\d+)$")


def _labels(item) -> dict[str, str]:
    kind = KINDS.get(item.get("kind")) if isinstance(item, dict) and isinstance(item.get("kind"), str) else None
    return {f.name: f.label for f in (*COMMON_FIELDS, *(kind.fields if kind else ()))}


def row_problem(problem: Problem, doc) -> RowProblem:
    """Where a validator problem is, in the terms of the uploaded file."""
    locations = getattr(doc, "locations", {})
    match = _ITEM_PATH.match(problem.path)
    if match:
        key, index, name = match.group(1), int(match.group(2)), match.group(3) or ""
        items = doc.get(key, []) if isinstance(doc, dict) else []
        item = items[index] if index < len(items) else {}
        location = locations.get((key, index))
        reason = problem.reason
        if location:
            reason = reason.removesuffix(f"（{location}）")
            found = _ROW_IN_LOCATION.search(location)
            row = int(found.group(1)) if found else index + 1
            where = location
        else:
            row = index + 1
            where = f"第{row}条{'记录' if key == 'records' else '企业'}"
        labels = ({f.name: f.label for f in ENTERPRISE_FIELDS} if key == "enterprises" else _labels(item))
        return RowProblem(where, row, labels.get(name, name), name, reason, (0 if key == "enterprises" else 1, row))
    line = _LINE_PATH.match(problem.path)
    if line:
        row = int(line.group(1))
        return RowProblem(f"第{row}行", row, "", "", problem.reason, (-1, row))
    cell = _CELL_PATH.match(problem.path)
    if cell:
        sheet, letter, row = cell.group(1), cell.group(2), int(cell.group(3))
        return RowProblem(f"工作表“{sheet}”第{row}行（表头）" if row == 1 else f"工作表“{sheet}”第{row}行", row,
                          f"{letter} 列", "", problem.reason, (-1, row))
    return RowProblem("文件", None, "", "" if problem.path in ("$", "line") else problem.path, problem.reason, (-2, 0))


def _example_problems(doc) -> list[Problem]:
    problems = []
    for i, item in enumerate(doc.get("records", []) or []):
        if isinstance(item, dict) and item.get("id") == EXAMPLE_ID:
            problems.append(Problem(f"records[{i}].id", "这是模板中的示例行，请删除后再导入"))
    for i, item in enumerate(doc.get("enterprises", []) or []):
        if isinstance(item, dict) and item.get("name") == EXAMPLE_NAME:
            problems.append(Problem(f"enterprises[{i}].name", "这是模板中的示例行，请删除后再导入"))
    return problems


def _uscc(value) -> str | None:
    try:
        return normalize_uscc(value) if isinstance(value, str) else None
    except USCCError:
        return None


def _archive_regions(usccs: set[str]) -> dict[str, str]:
    regions: dict[str, str] = {}
    ordered = sorted(usccs)
    for start in range(0, len(ordered), 500):
        regions.update(Enterprise.objects.filter(uscc__in=ordered[start:start + 500]).values_list("uscc", "region"))
    return regions


def jurisdiction_problems(doc, *, jurisdictions: list[str]) -> list[Problem]:
    """Rows naming an enterprise outside the person's jurisdictions (SPEC §1: a county clerk
    maintains the archive of the county's enterprises only)."""
    enterprises = [e for e in (doc.get("enterprises", []) or []) if isinstance(e, dict)]
    records = [r for r in (doc.get("records", []) or []) if isinstance(r, dict)]
    usccs = {u for u in (_uscc(i.get("uscc")) for i in (*enterprises, *records)) if u}
    archive = _archive_regions(usccs)
    bundle_regions = {}
    for item in enterprises:
        uscc = _uscc(item.get("uscc"))
        if uscc and isinstance(item.get("region"), str):
            bundle_regions.setdefault(uscc, item["region"].strip())

    def outside(region: str | None) -> bool:
        return region is not None and not any(covers(j, region) for j in jurisdictions)

    scope = "、".join(jurisdictions) or "无"
    problems = []
    for i, item in enumerate(doc.get("enterprises", []) or []):
        if not isinstance(item, dict):
            continue
        uscc = _uscc(item.get("uscc"))
        for region in {bundle_regions.get(uscc) if uscc else None, archive.get(uscc) if uscc else None}:
            if outside(region):
                problems.append(Problem(f"enterprises[{i}].region" if region == bundle_regions.get(uscc)
                                        else f"enterprises[{i}].uscc",
                                        f"行政区划 {region} 不在您的管辖范围内（{scope}），不能导入该企业"))
                break
    for i, item in enumerate(doc.get("records", []) or []):
        if not isinstance(item, dict):
            continue
        uscc = _uscc(item.get("uscc"))
        region = (bundle_regions.get(uscc) or archive.get(uscc)) if uscc else None
        if outside(region):
            problems.append(Problem(f"records[{i}].uscc",
                                    f"企业 {uscc}（行政区划 {region}）不在您的管辖范围内（{scope}），不能导入其记录"))
    return problems


def _known_usccs(usccs: set[str]) -> set[str]:
    return set(_archive_regions(usccs))


def _statuses(valid: ValidBundle | None, doc) -> list[str]:
    """Per record of the file: new, unchanged, correction, withdrawn (idempotent on source+id)."""
    items = valid.records if valid is not None else list(doc.get("records", []) or [])

    def key(item) -> tuple[str, str] | None:
        if isinstance(item, dict) and isinstance(item.get("source"), str) and isinstance(item.get("id"), str):
            return item["source"], item["id"]
        return None

    keys = {k for k in map(key, items) if k}
    ids = sorted({k[1] for k in keys})
    current: dict[tuple[str, str], Record] = {}
    for start in range(0, len(ids), 500):
        for rec in Record.objects.filter(record_id__in=ids[start:start + 500], superseded_at__isnull=True):
            if (rec.source, rec.record_id) in keys:
                current[(rec.source, rec.record_id)] = rec
    out = []
    for item in items:
        rec = current.get(key(item))
        if rec is None:
            out.append("new" if isinstance(item, dict) else "invalid")
        elif rec.withdrawn:
            out.append("withdrawn")
        elif valid is None:
            out.append("existing")
        else:
            out.append("unchanged" if record_content(rec) == record_columns(item) else "correction")
    return out


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def preview(path: Path, *, user, with_report: bool = True) -> Preview:
    """The dry run of an upload: everything parsed and checked, nothing written. With
    ``with_report``, also what importing would do (``import_bundle`` in dry-run mode); the
    confirmation, which imports next, does without."""
    result = Preview()
    try:
        doc = read_document(path)
    except BundleError as exc:
        result.problems = [row_problem(p, {}) for p in exc.problems]
        return result
    if not isinstance(doc, dict):
        result.problems = [RowProblem("文件", None, "", "", "档案包应为 JSON 对象")]
        return result
    enterprises = doc.get("enterprises") if isinstance(doc.get("enterprises"), list) else []
    records = doc.get("records") if isinstance(doc.get("records"), list) else []
    result.enterprises, result.records = len(enterprises), len(records)
    if result.total > MAX_ROWS:
        result.problems = [RowProblem("文件", None, "", "", f"文件有 {result.total:,} 行数据，超过单次导入上限 "
                                                           f"{MAX_ROWS:,} 行；请拆分为多个文件分批导入")]
        return result
    kinds = Counter(r.get("kind") if isinstance(r, dict) else None for r in records)
    result.kinds = ([(kind_label(ENTERPRISE), len(enterprises))] if enterprises else []) + [
        (KINDS[k].label if k in KINDS else f"未知类别“{k}”", n) for k, n in sorted(
            kinds.items(), key=lambda kv: list(KINDS).index(kv[0]) if kv[0] in KINDS else len(KINDS))]

    problems = _example_problems(doc) + jurisdiction_problems(doc, jurisdictions=division_jurisdictions(user))
    valid = None
    try:
        valid = validate_bundle(doc, known_usccs=_known_usccs)
    except BundleError as exc:
        problems.extend(exc.problems)
    if with_report and not problems and valid is not None:
        try:
            result.report = import_bundle(valid, dry_run=True, actor=user, via="web")
        except BundleError as exc:  # conflicts with the archive (a record moving to another enterprise)
            problems.extend(exc.problems)
        except AccessDenied as exc:
            problems.append(Problem("$", exc.message))
    result.problems = sorted((row_problem(p, doc) for p in problems), key=lambda p: p.order)
    result.bundle = valid if not problems else None

    with_problems = {int(m.group(2)) for m in (_ITEM_PATH.match(p.path) for p in problems)
                     if m and m.group(1) == "records"}
    statuses = ["problem" if i in with_problems else s for i, s in enumerate(_statuses(valid, doc))]
    counts = Counter(statuses)
    result.statuses = [(STATUS_LABELS[s], counts[s]) for s in STATUS_LABELS if counts[s]]
    locations = getattr(doc, "locations", {})
    for i, item in enumerate(records[:PREVIEW_ROWS]):
        if not isinstance(item, dict):
            continue
        kind = item.get("kind")
        result.rows.append(PreviewRow(
            where=locations.get(("records", i), f"第{i + 1}条记录"),
            kind=KINDS[kind].label if kind in KINDS else _text(kind), uscc=_text(item.get("uscc")),
            record_id=_text(item.get("id")), source=_text(item.get("source")), date=_text(item.get("date")),
            status=STATUS_LABELS[statuses[i]], has_problem=statuses[i] == "problem",
            detail="；".join(f"{KINDS[kind].field(f.name).label}：{_display(item.get(f.name), f)}"
                            for f in (KINDS[kind].fields if kind in KINDS else ()) if item.get(f.name) is not None)))
    return result


def _display(value, f: Field) -> str:
    if f.type == BOOL and isinstance(value, bool):
        return "是" if value else "否"
    if f.type == RATE and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value * 100:.2f}%".replace(".00%", "%")
    if f.type == ENUM and isinstance(value, str):
        return CHOICE_LABELS.get(value, value)
    return _text(value)


def error_report_csv(problems: list[RowProblem]) -> bytes:
    """The per-row error report as CSV (UTF-8 with a BOM, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ERROR_REPORT_HEADER)
    for p in problems:
        writer.writerow(p.as_list())
    return out.getvalue().encode("utf-8-sig")
