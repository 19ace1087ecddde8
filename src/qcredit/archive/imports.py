"""Import and export of the archive (SPEC §3.1): bundles, CSV and XLSX.

Import is atomic and idempotent on (``source``, ``id``):
  * a record not yet in the archive is added (version 1);
  * a record whose current version has the same content is left alone, so importing the
    same bundle twice writes nothing the second time;
  * a record whose content differs is *corrected*: a new version supersedes the current
    one, with the reason "导入更正" and the import channel as ``recorded_via``;
  * a record withdrawn in the archive stays withdrawn (an import never revives it; it is
    counted and reported);
  * a record may not move to another enterprise (that is an error of the bundle).
Enterprise master data (name, region, flags …) is updated when it differs. Everything is
checked before anything is written, and all writes are one transaction.

CSV and XLSX carry the same fields, one row per item, with the field names (or their
Chinese labels) as the header row. An XLSX workbook has a sheet ``enterprises`` (or 企业)
and record sheets; a record sheet without a ``kind`` column takes the kind from its name
(``sampling`` …). A CSV file holds enterprises (it has an ``established_on`` column) or
records (a ``kind`` column, or a file named after a kind, ``sampling.csv``).
``write_template`` produces an XLSX template with one sheet per kind.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from qcredit.rules.kinds import BOOL, CHOICE_LABELS, COMMON_FIELDS, DATE, ENTERPRISE_FIELDS, ENUM, KINDS, RATE

from .bundle import FORMAT, BundleError, LocatedDocument, Problem, ValidBundle
from .columns import (
    ENTERPRISE_CONTENT,
    enterprise_columns,
    enterprise_content,
    enterprise_to_bundle,
    record_columns,
    record_content,
    record_to_bundle,
)
from .models import Enterprise, Record
from .signals import archive_changed

CHUNK = 500  # ids per IN (...) query: well below SQLite's variable limit


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class ImportReport:
    dry_run: bool = False
    enterprises_created: int = 0
    enterprises_updated: int = 0
    enterprises_unchanged: int = 0
    records_created: int = 0
    records_corrected: int = 0
    records_unchanged: int = 0
    records_withdrawn_kept: list[str] = field(default_factory=list)
    regraded: int = 0
    grade_changes: int = 0

    def summary(self) -> str:
        lines = [
            ("试运行（未写入任何数据）：" if self.dry_run else "导入完成：")
            + f"企业新增 {self.enterprises_created}、更新 {self.enterprises_updated}、未变 {self.enterprises_unchanged}；"
            f"记录新增 {self.records_created}、更正 {self.records_corrected}、未变 {self.records_unchanged}"
        ]
        if self.records_withdrawn_kept:
            lines.append(f"已撤回的记录保持撤回、未导入 {len(self.records_withdrawn_kept)} 条："
                         + "，".join(self.records_withdrawn_kept[:20])
                         + ("……" if len(self.records_withdrawn_kept) > 20 else ""))
        if not self.dry_run and self.regraded:
            lines.append(f"已重新评定 {self.regraded} 家企业，等级变化 {self.grade_changes} 家")
        return "\n".join(lines)


# A bulk load that grows the archive by this much refreshes the planner's statistics before the
# regrade reads it: right after a large import, PostgreSQL's estimates still describe the old
# (often empty) tables and it picks nested loops that turn a seconds-long regrade into minutes.
ANALYZE_AFTER_ROWS = 10_000


def _refresh_statistics(*, records: int, enterprises: int) -> None:
    from django.db import connection

    if connection.vendor != "postgresql" or records + enterprises < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        # ANALYZE runs inside the import's transaction and samples its own uncommitted rows.
        cursor.execute(f"ANALYZE {Enterprise._meta.db_table}, {Record._meta.db_table}")


def import_bundle(bundle: ValidBundle, *, dry_run: bool = False, via: str = "import", actor=None,
                  regrade: bool = True) -> ImportReport:
    """Import a validated bundle (see the module docstring); raises BundleError on conflicts
    with the archive, before anything is written. ``regrade=False`` leaves grading to the
    caller (the demo grades everything at once afterwards)."""
    report = ImportReport(dry_run=dry_run)
    now = timezone.now()
    with transaction.atomic():
        usccs = sorted({e["uscc"] for e in bundle.enterprises} | {r["uscc"] for r in bundle.records})
        existing = {}
        for chunk in _chunks(usccs):
            existing.update({e.uscc: e for e in Enterprise.objects.filter(uscc__in=chunk)})

        if actor is not None:  # a person imports only within their jurisdiction (SPEC §1)
            from qcredit.accounts.models import Role
            from qcredit.accounts.services import authorize

            for region in sorted({e["region"] for e in bundle.enterprises} | {e.region for e in existing.values()}):
                authorize(user=actor, role=Role.DIVISION, region=region)

        new_enterprises, changed_enterprises, enterprise_before = [], [], {}
        for item in bundle.enterprises:
            columns = enterprise_columns(item)
            current = existing.get(item["uscc"])
            if current is None:
                new_enterprises.append(Enterprise(uscc=item["uscc"], **columns))
            elif enterprise_content(current) != columns:
                enterprise_before[current.uscc] = enterprise_content(current)
                for name, value in columns.items():
                    setattr(current, name, value)
                changed_enterprises.append(current)
            else:
                report.enterprises_unchanged += 1

        # Current versions of the bundle's record keys, wherever they are in the archive.
        keys = {(r["source"], r["id"]) for r in bundle.records}
        current_versions: dict[tuple[str, str], Record] = {}
        for chunk in _chunks(sorted({k[1] for k in keys})):
            for rec in Record.objects.filter(record_id__in=chunk, superseded_at__isnull=True).select_related(
                    "enterprise"):
                if (rec.source, rec.record_id) in keys:
                    current_versions[(rec.source, rec.record_id)] = rec

        problems, new_records, corrections = [], [], []
        for i, item in enumerate(bundle.records):
            current = current_versions.get((item["source"], item["id"]))
            columns = record_columns(item)
            if current is None:
                new_records.append((item["uscc"], columns, item))
            elif current.enterprise.uscc != item["uscc"]:
                problems.append(Problem(f"records[{i}].uscc",
                                        f"记录“{item['source']}/{item['id']}”在档案中属于 {current.enterprise.uscc}，"
                                        "不能改属其他企业；请撤回后重新录入"))
            elif current.withdrawn:
                report.records_withdrawn_kept.append(f"{item['source']}/{item['id']}")
            elif record_content(current) != columns:
                corrections.append((current, columns))
            else:
                report.records_unchanged += 1
        if problems:
            raise BundleError(problems)

        report.enterprises_created = len(new_enterprises)
        report.enterprises_updated = len(changed_enterprises)
        report.records_created = len(new_records)
        report.records_corrected = len(corrections)
        if dry_run:
            return report

        Enterprise.objects.bulk_create(new_enterprises, batch_size=1000)
        if changed_enterprises:
            Enterprise.objects.bulk_update(changed_enterprises, fields=list(ENTERPRISE_CONTENT), batch_size=1000)
        ids = {e.uscc: e.id for e in [*existing.values(), *new_enterprises]}
        stamped = [c.pk for c, _ in corrections]
        for chunk in _chunks(stamped):
            Record.objects.filter(pk__in=chunk, superseded_at__isnull=True).update(superseded_at=now)
        rows = [Record(enterprise_id=ids[uscc], record_id=item["id"], source=item["source"], **columns, version=1,
                       recorded_at=now, recorded_via=via, recorded_by=actor)
                for uscc, columns, item in new_records]
        rows += [Record(enterprise_id=current.enterprise_id, record_id=current.record_id, source=current.source,
                        **columns, version=current.version + 1, supersedes=current, reason=f"导入更正（{via}）",
                        recorded_at=now, recorded_via=via, recorded_by=actor)
                 for current, columns in corrections]
        Record.objects.bulk_create(rows, batch_size=2000)
        _refresh_statistics(records=len(rows), enterprises=len(new_enterprises))

        affected = ({e.id for e in new_enterprises} | {e.id for e in changed_enterprises}
                    | {ids[uscc] for uscc, _, _ in new_records} | {c.enterprise_id for c, _ in corrections})
        if regrade and affected:
            from qcredit.grading.models import GradingRun  # read back what the receivers did

            before = GradingRun.objects.order_by("-id").values_list("id", flat=True).first() or 0
            archive_changed.send(sender=Record, enterprise_ids=sorted(affected), cause=f"导入（{via}）", actor=actor)
            for run in GradingRun.objects.filter(id__gt=before):
                report.regraded += run.enterprises
                report.grade_changes += run.changes
        # One event for the whole import (its content is in the archive, each version with its
        # channel and time); the counts say what it did.
        from qcredit.audit.services import audit_write

        # Records carry their own who/when/channel in the ledger; enterprise master data is
        # updated in place, so its before/after goes into the event.
        audit_write(actor=actor, action="archive.import", obj=("archive.import", via, f"导入（{via}）"),
                    before={"enterprises": enterprise_before} if enterprise_before else None,
                    after={"enterprises_created": report.enterprises_created,
                           "enterprises_updated": {e.uscc: enterprise_content(e) for e in changed_enterprises},
                           "records_created": report.records_created,
                           "records_corrected": report.records_corrected})
    return report


# --- export -----------------------------------------------------------------------------------------


def iter_export(enterprises: Iterable[Enterprise] | None = None) -> Iterator[tuple[dict, list[dict]]]:
    """The current archive as bundle items, enterprise by enterprise, in chunks (streaming)."""
    queryset = Enterprise.objects.order_by("id") if enterprises is None else enterprises
    if hasattr(queryset, "order_by"):
        queryset = queryset.order_by("id").iterator(chunk_size=1000)
    batch: list[Enterprise] = []
    for enterprise in queryset:
        batch.append(enterprise)
        if len(batch) == 1000:
            yield from _export_batch(batch)
            batch = []
    if batch:
        yield from _export_batch(batch)


def _export_batch(enterprises: list[Enterprise]) -> Iterator[tuple[dict, list[dict]]]:
    by_id: dict[int, list[dict]] = {e.id: [] for e in enterprises}
    usccs = {e.id: e.uscc for e in enterprises}
    for chunk in _chunks(list(by_id)):
        for record in Record.objects.current().filter(enterprise_id__in=chunk).order_by("enterprise_id", "date", "id"):
            by_id[record.enterprise_id].append(record_to_bundle(record, usccs[record.enterprise_id]))
    for e in enterprises:
        yield enterprise_to_bundle(e), by_id[e.id]


def export_bundle(*, enterprises: Iterable[Enterprise] | None = None) -> dict:
    doc: dict = {"format": FORMAT, "enterprises": [], "records": []}
    for enterprise, records in iter_export(enterprises):
        doc["enterprises"].append(enterprise)
        doc["records"].extend(records)
    return doc


def write_bundle(path: str | Path, items: Iterable[tuple[dict, list[dict]]]) -> tuple[int, int]:
    """Write bundle items as JSON Lines (``.jsonl``) or one JSON document; returns counts."""
    path = Path(path)
    n_enterprises = n_records = 0
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8") as out:
        if path.suffix == ".jsonl":
            out.write(json.dumps({"format": FORMAT}) + "\n")
            for enterprise, records in items:
                out.write(json.dumps({"enterprise": enterprise}, ensure_ascii=False) + "\n")
                n_enterprises += 1
                for record in records:
                    out.write(json.dumps({"record": record}, ensure_ascii=False) + "\n")
                    n_records += 1
        else:
            all_records: list[dict] = []
            enterprises: list[dict] = []
            for enterprise, records in items:
                enterprises.append(enterprise)
                all_records.extend(records)
            json.dump({"format": FORMAT, "enterprises": enterprises, "records": all_records}, out,
                      ensure_ascii=False, indent=1)
            out.write("\n")
            n_enterprises, n_records = len(enterprises), len(all_records)
    tmp.replace(path)  # never leave a half-written file under the requested name
    return n_enterprises, n_records


# --- CSV and XLSX -------------------------------------------------------------------------------------

ENTERPRISE_SHEETS = {"enterprises", "enterprise", "企业"}
_ENTERPRISE_HEADERS = {**{f.name: f for f in ENTERPRISE_FIELDS}, **{f.label: f for f in ENTERPRISE_FIELDS}}
_RECORD_FIELDS = {f.name: f for f in COMMON_FIELDS} | {f.name: f for k in KINDS.values() for f in k.fields}
_RECORD_HEADERS = {**_RECORD_FIELDS, **{f.label: f for f in COMMON_FIELDS},
                   **{f.label: f for k in KINDS.values() for f in k.fields}}
_KIND_BY_NAME = {code: code for code in KINDS} | {kind.label: code for code, kind in KINDS.items()}
_TRUE = {"true", "是", "1", "y", "yes", "t"}
_FALSE = {"false", "否", "0", "n", "no", "f"}


def rows_to_bundle(path: str | Path) -> LocatedDocument:
    """Read a CSV file or an XLSX workbook into a bundle document (to be validated).
    Raises BundleError when the file itself cannot be read as a table of the archive."""
    path = Path(path)
    doc = LocatedDocument({"format": FORMAT, "enterprises": [], "records": []})
    if path.suffix.lower() == ".csv":
        text = _read_csv_text(path)
        rows = list(csv.reader(io.StringIO(text)))
        _sheet_rows(doc, path.stem, rows, where=lambda n: f"第{n}行", problems_path=path.name)
    else:
        try:
            import openpyxl

            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # any unreadable workbook is a problem of the input
            raise BundleError([Problem(str(path), f"无法读取 Excel 工作簿：{exc}")]) from None
        try:
            for sheet in workbook.worksheets:
                rows = [list(r) for r in sheet.iter_rows(values_only=True)]
                title = sheet.title
                _sheet_rows(doc, title, rows, where=lambda n, t=title: f"工作表“{t}”第{n}行", problems_path=title)
        finally:
            workbook.close()
    return doc


def _read_csv_text(path: Path) -> str:
    """A CSV file as text: UTF-8 (with or without the BOM Excel writes), else GB18030 — what
    Chinese Excel writes when it saves "CSV (逗号分隔)"."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BundleError([Problem(str(path), f"无法读取 CSV 文件：{exc}")]) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BundleError([Problem(str(path), "CSV 文件既不是 UTF-8 也不是 GB18030 编码，请另存为“CSV UTF-8”后重试")])


def _sheet_rows(doc: LocatedDocument, name: str, rows: list[list], *, where, problems_path: str) -> None:
    if not rows or not any(c not in (None, "") for c in rows[0]):
        return
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    is_enterprise = name.strip().lower() in ENTERPRISE_SHEETS or any(
        _ENTERPRISE_HEADERS.get(h) is not None and _ENTERPRISE_HEADERS[h].name == "established_on" for h in header)
    headers = _ENTERPRISE_HEADERS if is_enterprise else _RECORD_HEADERS
    problems = []
    columns = []
    for col, h in enumerate(header, start=1):
        if not h:
            columns.append(None)
        elif h in headers:
            columns.append(headers[h])
        else:
            problems.append(Problem(f"{problems_path}!{_column_letter(col)}1", f"未知的列“{h}”"))
            columns.append(None)
    default_kind = None
    if not is_enterprise and not any(f and f.name == "kind" for f in columns):
        default_kind = _KIND_BY_NAME.get(name.strip().split(" ")[0]) or _KIND_BY_NAME.get(name.strip())
        if default_kind is None:
            problems.append(Problem(problems_path, "记录表应有 kind（记录类别）列，或以记录类别命名（如 sampling）"))
    if problems:
        raise BundleError(problems)
    key = "enterprises" if is_enterprise else "records"
    for n, row in enumerate(rows[1:], start=2):
        if not any(c not in (None, "") for c in row):
            continue
        item: dict = {"kind": default_kind} if default_kind else {}
        cells = [(f, cell) for f, cell in zip(columns, row, strict=False)
                 if f is not None and cell is not None and not (isinstance(cell, str) and not cell.strip())]
        if not is_enterprise:
            for f, cell in cells:
                if f.name == "kind":
                    item["kind"] = _KIND_BY_NAME.get(str(cell).strip(), str(cell).strip())
        # A header names a field; several kinds share a field name with different choices
        # (severity of a penalty, the finding of an inspection …), so each cell is read as the
        # field of its row's own kind.
        own = {f.name: f for f in KINDS[item["kind"]].fields} if item.get("kind") in KINDS else {}
        for f, cell in cells:
            if f.name != "kind":
                item[f.name] = _cell(own.get(f.name, f), cell)
        doc.locations[(key, len(doc[key]))] = where(n)
        doc[key].append(item)


def _column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(f, cell):
    """A spreadsheet cell as the bundle value of field ``f``; what cannot be converted is
    passed on unchanged, for the validator to report with its path."""
    if f.type == BOOL:
        if isinstance(cell, bool):
            return cell
        text = str(cell).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else cell
    if f.type == DATE:
        if isinstance(cell, datetime):
            return cell.date().isoformat()
        if isinstance(cell, date):
            return cell.isoformat()
        return str(cell).strip()
    if f.type == RATE:
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return cell
        text = str(cell).strip()
        try:
            return float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            return text
    if f.type == ENUM:
        text = str(cell).strip()
        reverse = {CHOICE_LABELS.get(c): c for c in f.choices}
        return reverse.get(text, text)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip() if not isinstance(cell, str) else cell.strip()


def write_template(path: str | Path) -> None:
    """An XLSX import template: a sheet of enterprises and one sheet per record kind, with
    field names as headers, the Chinese labels as comments and the enum values as lists."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheets = [("enterprises", ENTERPRISE_FIELDS)] + [(code, COMMON_FIELDS[:1] + COMMON_FIELDS[3:] + kind.fields)
                                                    for code, kind in KINDS.items()]
    # record sheets: id, date, source, ref, note, kind fields; uscc right after id
    for index, (title, fields) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        if title != "enterprises":
            fields = (fields[0], COMMON_FIELDS[1], *fields[1:])
        for col, f in enumerate(fields, start=1):
            cell = sheet.cell(row=1, column=col, value=f.name)
            cell.font = Font(bold=True)
            note = f.label + ("（必填）" if f.required else "（选填）")
            if f.type == ENUM:
                note += "：" + "、".join(f"{c}={CHOICE_LABELS.get(c, c)}" for c in f.choices)
            elif f.type == BOOL:
                note += "：true/false 或 是/否"
            elif f.type == DATE:
                note += "：YYYY-MM-DD"
            elif f.type == RATE:
                note += "：0–1 的小数或百分数"
            cell.comment = Comment(note, "qcredit")
            sheet.column_dimensions[_column_letter(col)].width = max(12, len(f.name) + 4)
            if f.type in (ENUM, BOOL):
                choices = f.choices if f.type == ENUM else ("true", "false")
                validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
                sheet.add_data_validation(validation)
                validation.add(f"{_column_letter(col)}2:{_column_letter(col)}10000")
    workbook.save(path)
