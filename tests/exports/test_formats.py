"""The three formats carry the same content: CSV (UTF-8 with BOM) and XLSX (text cells) with
formula-like text neutralised by a leading apostrophe, JSON unchanged — and penalty rows are
streamed (a fixed number of queries, whatever the number of rows)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qcredit.exchange import exports
from qcredit.exchange.exports import FORMULA_TRIGGERS, export_open, export_write
from tests.portal import world as portal_world

from .conftest import FORMULA_DECISION, read_csv, read_json, read_xlsx


def written(dataset: str, fmt: str, **filters) -> bytes:
    out = io.BytesIO()
    export_write(export_open(actor=None, dataset=dataset, fmt=fmt, channel="test", **filters), out)
    return out.getvalue()


def as_spreadsheet(value: str) -> str:
    """What a spreadsheet cell must hold for a JSON value (the portal's rule, stated again)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@pytest.mark.parametrize("dataset", ["redlist", "published_a", "blacklist", "penalties"])
def test_csv_xlsx_and_json_have_the_same_content(penalties, dataset):
    document = read_json(written(dataset, "json"))
    expected = [document["fields"]] + [[as_spreadsheet(r[f]) for f in document["fields"]]
                                       for r in document["records"]]
    assert document["count"] == len(document["records"]) > 0
    assert read_csv(written(dataset, "csv")) == expected
    xlsx_rows, cells = read_xlsx(written(dataset, "xlsx"))
    assert xlsx_rows == expected
    # every XLSX cell is a text cell (openpyxl reads an empty inline string back as "inlineStr")
    assert {c.data_type for c in cells} <= {"s", "inlineStr"}


def test_formula_text_is_neutralised_in_spreadsheets_and_kept_in_json(penalties):
    black = read_json(written("blacklist", "json"))["records"]
    named = next(r for r in black if r["主体名称"] == portal_world.FORMULA_NAME)
    assert named["列入原因"] == portal_world.FORMULA_FACTS  # JSON: the value as it is
    csv_rows = read_csv(written("blacklist", "csv"))
    assert ["'" + portal_world.FORMULA_NAME, "'" + portal_world.FORMULA_FACTS] in [[r[0], r[3]] for r in csv_rows]
    xlsx_rows, cells = read_xlsx(written("penalties", "xlsx"))
    assert "'" + FORMULA_DECISION in [r[2] for r in xlsx_rows]
    for text in [c.value for c in cells if c.value] + [v for r in csv_rows for v in r]:
        assert not text.startswith(FORMULA_TRIGGERS), text


def test_csv_has_a_bom_and_crlf_lines(world):
    data = written("redlist", "csv")
    assert data.startswith(b"\xef\xbb\xbf\xe4\xb8\xbb\xe4\xbd\x93")  # BOM, then 主体
    assert data.count(b"\r\n") == 3  # header and the two public entries


def test_penalty_rows_are_streamed_in_a_fixed_number_of_queries(penalties, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)  # several fetches of the iterator, still one query

    def queries(**filters) -> int:
        with CaptureQueriesContext(connection) as ctx:
            written("penalties", "csv", **filters)
        return len([q for q in ctx.captured_queries if "audit" not in q["sql"]])

    few, many = queries(region="3702"), queries()
    assert few == many  # count, units, the records themselves: not one query per row


def test_csv_chunks_are_yielded_as_rows_come(penalties):
    export = export_open(actor=None, dataset="penalties", fmt="csv", channel="test")
    chunks = list(exports.csv_chunks(export.dataset.fields, export.rows(), batch=2))
    assert len(chunks) == 1 + 3  # the header, then 6 rows in batches of 2
    assert b"".join(chunks) == written("penalties", "csv")
