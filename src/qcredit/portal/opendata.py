"""Open-data files of the public lists (SPEC §7.2 field set): CSV, XLSX, JSON.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return) as a formula. Names and facts come from enterprises and
staff, so every such text cell is neutralised by a leading apostrophe in CSV and XLSX (the
OWASP "CSV injection" advice); XLSX cells are moreover written as strings, never formulas.
JSON carries the values unchanged: it is data, not a spreadsheet.
"""

from __future__ import annotations

import io
import json
from datetime import date

from qcredit.exchange.exports import (  # one writer for every spreadsheet the system makes
    csv_chunks,
    xlsx_write,
)


def to_csv(*, fields: tuple[str, ...], rows: list[dict]) -> bytes:
    """UTF-8 with a byte-order mark (so that spreadsheet programs read Chinese), CRLF lines."""
    return b"".join(csv_chunks(fields, ([row.get(f, "") for f in fields] for row in rows)))


def to_xlsx(*, fields: tuple[str, ...], rows: list[dict], title: str) -> bytes:
    """One sheet, every cell text (the same writer as the partner exports)."""
    buffer = io.BytesIO()
    xlsx_write(buffer, fields, ([row.get(f, "") for f in fields] for row in rows), title=title,
               widths={i: 40 if name in ("列入原因", "主体名称") else 22 for i, name in enumerate(fields)})
    return buffer.getvalue()


def to_json(*, fields: tuple[str, ...], rows: list[dict], dataset: str, category: str, generated_on: date) -> bytes:
    document = {"dataset": dataset, "名单类别": category, "generated_on": generated_on.isoformat(),
                "fields": list(fields), "count": len(rows), "records": [{f: row.get(f, "") for f in fields}
                                                                      for row in rows]}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
