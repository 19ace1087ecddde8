"""Open-data files of the public lists (SPEC §7.2 field set): CSV, XLSX, JSON.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return) as a formula. Names and facts come from enterprises and
staff, so every such text cell is neutralised by a leading apostrophe in CSV and XLSX (the
OWASP "CSV injection" advice); XLSX cells are moreover written as strings, never formulas.
JSON carries the values unchanged: it is data, not a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from qcredit.exchange.exports import neutralise  # one rule for every spreadsheet the system writes


def to_csv(*, fields: tuple[str, ...], rows: list[dict]) -> bytes:
    """UTF-8 with a byte-order mark (so that spreadsheet programs read Chinese), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([neutralise(row.get(f, "")) for f in fields])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(*, fields: tuple[str, ...], rows: list[dict], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(fields))
    for row in rows:
        sheet.append([neutralise(row.get(f, "")) for f in fields])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.data_type = TYPE_STRING
    for column, name in zip(sheet.columns, fields, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = 40 if name in ("列入原因", "主体名称") else 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(*, fields: tuple[str, ...], rows: list[dict], dataset: str, category: str, generated_on: date) -> bytes:
    document = {"dataset": dataset, "名单类别": category, "generated_on": generated_on.isoformat(),
                "fields": list(fields), "count": len(rows), "records": [{f: row.get(f, "") for f in fields}
                                                                      for row in rows]}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
