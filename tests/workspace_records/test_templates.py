"""Import templates per kind (SPEC §7.2): Chinese header, the field keys and rules beside
them, enum drop-downs, one example row; and a filled template reads back through the same
reader as ``qcredit import FILE.xlsx|FILE.csv``."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from qcredit.archive.imports import rows_to_bundle
from qcredit.rules.kinds import CHOICE_LABELS, ENUM, KINDS
from qcredit.workspace import tabular

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_client(client, county_clerk):
    client.force_login(county_clerk)
    return client


@pytest.mark.parametrize("code", tabular.TEMPLATE_KINDS)
def test_the_xlsx_template_has_chinese_headers_keys_dropdowns_and_an_example(clerk_client, code):
    response = clerk_client.get(f"/workspace/imports/templates/{code}.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    fields = tabular.template_fields(code)
    assert [c.value for c in sheet[1]] == [f.label for f in fields]
    for cell, f in zip(sheet[1], fields, strict=True):
        assert f"字段 {f.name}" in cell.comment.text
    lists = {str(v.sqref).split(":")[0][:-1]: v.formula1 for v in sheet.data_validations.dataValidation}
    for col, f in enumerate(fields):
        if f.type == ENUM:
            letter = openpyxl.utils.get_column_letter(col + 1)
            assert lists[letter] == '"' + ",".join(CHOICE_LABELS[c] for c in f.choices) + '"'
    example = [c.value for c in sheet[2]]
    assert tabular.EXAMPLE_ID in example or tabular.EXAMPLE_NAME in example
    guide = workbook["填写说明"]
    assert all(c.value is None for c in guide[1])  # so that importers skip the sheet
    assert {row[1] for row in guide.iter_rows(values_only=True)} >= {f.name for f in fields}


@pytest.mark.parametrize("code", tabular.TEMPLATE_KINDS)
def test_the_csv_template_is_utf8_with_bom_and_reads_back_like_the_xlsx(clerk_client, code, tmp_path):
    response = clerk_client.get(f"/workspace/imports/templates/{code}.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [f.label for f in tabular.template_fields(code)] and len(rows) == 2
    name = "enterprises" if code == tabular.ENTERPRISE else code
    (tmp_path / f"{name}.csv").write_bytes(response.content)
    (tmp_path / "t.xlsx").write_bytes(tabular.template_xlsx(code))
    from_csv = tabular._enum_labels_of_kind(rows_to_bundle(tmp_path / f"{name}.csv"))
    from_xlsx = tabular._enum_labels_of_kind(rows_to_bundle(tmp_path / "t.xlsx"))
    key = "enterprises" if code == tabular.ENTERPRISE else "records"
    assert from_csv[key] == from_xlsx[key] and len(from_xlsx[key]) == 1
    if code != tabular.ENTERPRISE:
        item = from_xlsx[key][0]
        assert item["kind"] == code  # the kind comes from the sheet's (or the file's) name
        for f in KINDS[code].fields:
            if f.type == ENUM:
                assert item[f.name] in f.choices  # Chinese labels read as codes


def test_unknown_templates_do_not_exist(clerk_client):
    assert clerk_client.get("/workspace/imports/templates/nothing.xlsx").status_code == 404
    assert clerk_client.get("/workspace/imports/templates/sampling.pdf").status_code == 404
