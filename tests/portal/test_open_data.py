"""Open data (SPEC §7.2 field set): CSV, XLSX and JSON of each public list hold exactly the
public entries; a spreadsheet never runs a cell as a formula (= + - @ neutralised)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qcredit.exchange.exports import neutralise
from qcredit.portal.selectors import OPEN_DATA_FIELDS

from . import world as w

pytestmark = pytest.mark.django_db

MEMBERS = {"redlist": {"redlisted", "qingdao_red"}, "a-list": {"published_a"}, "blacklist": {"blacklisted", "xss"}}
CATEGORIES = {"redlist": "守信红名单", "a-list": "质量信用A级（守信）企业", "blacklist": "失信黑名单"}


def download(client, slug: str, fmt: str):
    response = client.get(reverse("portal:open-data-file", args=[slug, fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="qcredit-{slug}-')
    return response


def csv_rows(client, slug: str) -> list[dict]:
    body = download(client, slug, "csv").content
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(client, slug: str) -> list[dict]:
    sheet = load_workbook(io.BytesIO(download(client, slug, "xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert tuple(rows[0]) == OPEN_DATA_FIELDS
    for cells in sheet.iter_rows(min_row=2):
        assert all(c.data_type == "s" for c in cells if c.value is not None)  # strings, never formulas
    return [dict(zip(OPEN_DATA_FIELDS, (v or "" for v in r), strict=True)) for r in rows[1:]]


def json_rows(client, slug: str) -> list[dict]:
    document = json.loads(download(client, slug, "json").content)
    assert document["fields"] == list(OPEN_DATA_FIELDS) and document["count"] == len(document["records"])
    return document["records"]


def test_each_file_holds_exactly_the_public_entries_of_its_list_in_the_partner_field_set(client, world):
    for slug in MEMBERS:
        for read in (csv_rows, xlsx_rows, json_rows):
            rows = read(client, slug)
            assert all(list(r) == list(OPEN_DATA_FIELDS) for r in rows)
            by_uscc = {r["统一社会信用代码"]: r for r in rows}
            assert set(by_uscc) == {world.all[k].uscc for k in MEMBERS[slug]}, (slug, read.__name__)
            assert {r["名单类别"] for r in rows} == {CATEGORIES[slug]}
            assert all(r["认定部门"] == "山东省市场监督管理局" and r["数据来源单位统一社会信用代码"] for r in rows)
            assert all(r["列入日期"] == w.TODAY.isoformat() for r in rows)
            if slug == "blacklist":
                assert all(r["有效期至"] == "" for r in rows)  # no fixed end (SPEC §5.3)
            else:
                assert all(r["有效期至"] > r["列入日期"] for r in rows)


def test_formula_cells_are_neutralised_in_csv_and_xlsx_but_json_keeps_the_data(client, world):
    uscc = world.public["blacklisted"].uscc
    for read in (csv_rows, xlsx_rows):
        row = next(r for r in read(client, "blacklist") if r["统一社会信用代码"] == uscc)
        assert row["主体名称"] == "'" + w.FORMULA_NAME
        assert row["列入原因"] == "'" + w.FORMULA_FACTS
    row = next(r for r in json_rows(client, "blacklist") if r["统一社会信用代码"] == uscc)
    assert row["主体名称"] == w.FORMULA_NAME and row["列入原因"] == w.FORMULA_FACTS
    xss = next(r for r in csv_rows(client, "blacklist") if r["统一社会信用代码"] == world.public["xss"].uscc)
    assert xss["主体名称"] == w.XSS_NAME  # data, not markup: served as text/csv, as an attachment


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+86 531", "'+86 531"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("济南=1", "济南=1"), ("", ""), (None, ""), ("2026-06-15", "2026-06-15"),
])
def test_a_cell_beginning_like_a_formula_gets_a_leading_apostrophe(value, expected):
    assert neutralise(value) == expected


def test_the_open_data_page_links_every_file_and_names_the_fields(client, world):
    page = client.get(reverse("portal:open-data")).content.decode()
    for slug in MEMBERS:
        for fmt in ("csv", "xlsx", "json"):
            assert f'href="/open-data/{slug}.{fmt}"' in page
    assert "、".join(OPEN_DATA_FIELDS) in page
    assert client.get("/open-data/internal.csv").status_code == 404
    assert client.get("/open-data/redlist.xml").status_code == 404


def test_content_types(client, world):
    assert download(client, "redlist", "csv")["Content-Type"] == "text/csv; charset=utf-8"
    assert download(client, "redlist", "json")["Content-Type"] == "application/json; charset=utf-8"
    assert download(client, "redlist", "xlsx")["Content-Type"].startswith("application/vnd.openxmlformats")
