"""Imports from the workspace (SPEC §3.1, §7.2): upload, a dry run that writes nothing and
reports every problem by row and column, then an all-or-nothing, idempotent import through
the archive's import path, bound to the person who uploaded the file."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest

from qcredit.accounts.models import Role
from qcredit.archive.models import Enterprise, Record
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradeState
from qcredit.workspace import tabular, uploads

from .. import factories
from .conftest import RECENT, enterprise_data

pytestmark = pytest.mark.django_db

HEADER = [f.label for f in tabular.template_fields("sampling")]  # 记录编号, 统一社会信用代码, 日期, …


def sampling_row(record_id: str, uscc: str, *, date=RECENT, result="不合格", scope="质量") -> list[str]:
    values = {"id": record_id, "uscc": uscc, "date": date, "source": "历下区市场监督管理局", "ref": "",
              "scope": scope, "result": result, "own_fault": "是", "note": ""}
    return [values[f.name] for f in tabular.template_fields("sampling")]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def upload(client, name: str, content: bytes, kind: str = ""):
    file = io.BytesIO(content)
    file.name = name
    return client.post("/workspace/imports/upload/", {"file": file, "kind": kind})


def token_of(response) -> str:
    assert response.status_code == 302, response
    match = re.fullmatch(r"/workspace/imports/([\w-]{32})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def preview(client, token):
    return client.get(f"/workspace/imports/{token}/")


def confirm(client, token):
    return client.post(f"/workspace/imports/{token}/confirm/")


@pytest.fixture
def clerk(client, county_clerk):
    client.force_login(county_clerk)
    return client


def test_a_file_with_errors_writes_nothing_and_reports_row_and_column(clerk, lixia):
    content = csv_bytes([
        sampling_row("S-1", lixia.uscc),
        sampling_row("S-2", lixia.uscc, date="2026-02-30"),  # row 3: not a real date
        sampling_row("S-3", lixia.uscc, result="待定"),  # row 4: not a result
    ])
    token = token_of(upload(clerk, "抽查.csv", content, kind="sampling"))
    response = preview(clerk, token)
    problems = response.context["p"].problems
    assert {(p.row, p.column) for p in problems} == {(3, "日期"), (4, "结果")}
    page = response.content.decode()
    assert "不能导入" in page and "confirm-form" not in page and "没有写入任何数据" in page
    statuses = dict(response.context["p"].statuses)
    assert statuses == {tabular.STATUS_LABELS["new"]: 1, tabular.STATUS_LABELS["problem"]: 2}

    assert confirm(clerk, token).status_code == 302  # refused: back to the preview
    assert not Record.objects.exists()

    report = clerk.get(f"/workspace/imports/{token}/errors.csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == tabular.ERROR_REPORT_HEADER
    assert {(r[1], r[2]) for r in rows[1:]} == {("3", "日期"), ("4", "结果")}
    assert any("不是有效的日期" in r[4] for r in rows[1:])


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_gb18030_or_utf8_imports(clerk, lixia, encoding):
    content = csv_bytes([sampling_row("S-1", lixia.uscc)], encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")  # really not UTF-8
    token = token_of(upload(clerk, "data.csv", content, kind="sampling"))
    result = preview(clerk, token).context["p"]
    assert result.ok and result.report.records_created == 1
    assert confirm(clerk, token).status_code == 200
    record = Record.objects.get()
    assert (record.kind, record.scope, record.result, record.own_fault) == ("sampling", "quality", "fail", True)


def test_the_kind_of_a_csv_comes_from_the_form_or_the_file_name(clerk, lixia):
    content = csv_bytes([sampling_row("S-1", lixia.uscc)])
    assert preview(clerk, token_of(upload(clerk, "2026-sampling.csv", content))).context["p"].ok
    result = preview(clerk, token_of(upload(clerk, "数据.csv", content))).context["p"]
    assert not result.ok and "kind" in result.problems[0].reason


def test_confirm_writes_regrades_and_is_idempotent(clerk, lixia, county_clerk):
    assert GradeState.objects.get(enterprise=lixia).grade == "A"
    content = csv_bytes([sampling_row("S-1", lixia.uscc), sampling_row("S-2", lixia.uscc, result="合格")])
    token = token_of(upload(clerk, "sampling.csv", content))
    page = preview(clerk, token).content.decode()
    assert "记录新增 2" in page and "confirm-form" in page
    assert not Record.objects.exists()  # the preview wrote nothing

    response = confirm(clerk, token)
    assert response.status_code == 200 and response.context["report"].records_created == 2
    assert Record.objects.count() == 2 and set(Record.objects.values_list("recorded_via", flat=True)) == {"web"}
    assert Record.objects.filter(recorded_by=county_clerk).count() == 2
    assert GradeState.objects.get(enterprise=lixia).grade == "C"  # regraded by the import
    assert response.context["report"].grade_changes == 1
    assert AuditEvent.objects.filter(action="archive.import", actor_name=county_clerk.username).count() == 1

    # The same file again: already imported, nothing new is written.
    token = token_of(upload(clerk, "sampling.csv", content))
    result = preview(clerk, token).context["p"]
    assert dict(result.statuses) == {tabular.STATUS_LABELS["unchanged"]: 2}
    response = confirm(clerk, token)
    assert response.context["report"].records_unchanged == 2 and Record.objects.count() == 2

    # One row changed: a correction (a new version), the other unchanged.
    changed = csv_bytes([sampling_row("S-1", lixia.uscc, result="合格"), sampling_row("S-2", lixia.uscc, result="合格")])
    token = token_of(upload(clerk, "sampling.csv", changed))
    assert preview(clerk, token).context["p"].report.records_corrected == 1
    confirm(clerk, token)
    assert Record.objects.count() == 3 and Record.objects.current().filter(result="fail").count() == 0
    assert GradeState.objects.get(enterprise=lixia).grade == "A"


def test_a_token_can_be_confirmed_once(clerk, lixia):
    token = token_of(upload(clerk, "sampling.csv", csv_bytes([sampling_row("S-1", lixia.uscc)])))
    assert confirm(clerk, token).status_code == 200
    assert confirm(clerk, token).status_code == 404  # consumed
    assert preview(clerk, token).status_code == 404
    assert AuditEvent.objects.filter(action="archive.import").count() == 1


def test_another_users_token_is_refused(clerk, client, lixia):
    token = token_of(upload(clerk, "sampling.csv", csv_bytes([sampling_row("S-1", lixia.uscc)])))
    other = factories.staff(Role.DIVISION, "370102", username="colleague")
    client.force_login(other)
    assert preview(client, token).status_code == 404
    assert client.get(f"/workspace/imports/{token}/errors.csv").status_code == 404
    assert confirm(client, token).status_code == 404
    assert not Record.objects.exists()
    client.force_login(factories.staff(Role.DIVISION, "370102", username="again"))
    assert preview(client, "../../etc/passwd").status_code == 404


def test_an_upload_expires(clerk, lixia, monkeypatch):
    token = token_of(upload(clerk, "sampling.csv", csv_bytes([sampling_row("S-1", lixia.uscc)])))
    monkeypatch.setattr(uploads, "UPLOAD_TTL_SECONDS", -1)  # two hours later
    response = confirm(clerk, token)
    assert response.status_code == 404 and "有效期" in response.content.decode()
    assert not Record.objects.exists() and not (uploads.upload_root() / token).exists()


def test_rows_outside_the_jurisdiction_are_row_errors(clerk, lixia, qingdao):
    content = csv_bytes([sampling_row("S-1", lixia.uscc), sampling_row("S-2", qingdao.uscc)])
    token = token_of(upload(clerk, "sampling.csv", content))
    result = preview(clerk, token).context["p"]
    assert [(p.row, p.column) for p in result.problems] == [(3, "统一社会信用代码")]
    assert "不在您的管辖范围内" in result.problems[0].reason and "370202" in result.problems[0].reason
    assert confirm(clerk, token).status_code == 302 and not Record.objects.exists()


def test_a_province_clerk_imports_both(client, province_clerk, lixia, qingdao):
    client.force_login(province_clerk)
    content = csv_bytes([sampling_row("S-1", lixia.uscc), sampling_row("S-2", qingdao.uscc)])
    token = token_of(upload(client, "sampling.csv", content))
    assert preview(client, token).context["p"].ok
    confirm(client, token)
    assert Record.objects.count() == 2


def test_the_example_row_of_a_template_is_refused(clerk, lixia):
    template = tabular.template_csv("sampling")
    token = token_of(upload(clerk, "sampling.csv", template))
    result = preview(clerk, token).context["p"]
    assert any("示例行" in p.reason and p.row == 2 for p in result.problems)


def test_a_filled_xlsx_template_imports_and_problems_name_the_sheet(clerk, lixia):
    workbook = openpyxl.load_workbook(io.BytesIO(tabular.template_xlsx("penalty")))
    sheet = workbook.worksheets[0]
    names = [f.name for f in tabular.template_fields("penalty")]
    values = {"id": "P-1", "uscc": lixia.uscc, "date": RECENT, "source": "历下区市场监督管理局",
              "scope": "其他", "severity": "一般", "decision_no": "历市监罚〔2026〕1号"}
    for col, name in enumerate(names, start=1):
        sheet.cell(row=2, column=col, value=values.get(name))
    sheet.cell(row=3, column=1, value="P-2")
    sheet.cell(row=3, column=2, value=lixia.uscc)
    sheet.cell(row=3, column=3, value=RECENT)
    sheet.cell(row=3, column=4, value="历下区市场监督管理局")  # row 3 lacks scope and severity
    out = io.BytesIO()
    workbook.save(out)

    token = token_of(upload(clerk, "处罚.xlsx", out.getvalue()))
    problems = preview(clerk, token).context["p"].problems
    assert {(p.row, p.column) for p in problems} == {(3, "领域"), (3, "程度")}
    assert all(p.where.startswith("工作表“penalty") for p in problems)

    sheet.delete_rows(3)
    out = io.BytesIO()
    workbook.save(out)
    token = token_of(upload(clerk, "处罚.xlsx", out.getvalue()))
    assert preview(clerk, token).context["p"].ok
    confirm(clerk, token)
    record = Record.objects.get()
    assert (record.kind, record.scope, record.severity) == ("penalty", "other", "ordinary")


def test_a_bundle_registers_enterprises_with_their_records(clerk):
    new = enterprise_data(5)
    bundle = {"format": "qcredit-archive/1", "enterprises": [new],
              "records": [{"id": "A-1", "uscc": new["uscc"], "kind": "accident", "date": RECENT,
                           "source": "历下区市场监督管理局", "severity": "major"}]}
    token = token_of(upload(clerk, "bundle.json", json.dumps(bundle, ensure_ascii=False).encode()))
    result = preview(clerk, token).context["p"]
    assert result.ok and (result.report.enterprises_created, result.report.records_created) == (1, 1)
    assert not Enterprise.objects.filter(uscc=new["uscc"]).exists()
    confirm(clerk, token)
    assert GradeState.objects.get(enterprise__uscc=new["uscc"]).grade == "D"  # a major accident: QCO 三(四)


def test_a_bundle_outside_the_jurisdiction_is_refused_by_row(clerk):
    new = enterprise_data(6, region="370202")
    bundle = {"format": "qcredit-archive/1", "enterprises": [new], "records": []}
    token = token_of(upload(clerk, "bundle.json", json.dumps(bundle).encode()))
    problems = preview(clerk, token).context["p"].problems
    assert [(p.where, p.column) for p in problems] == [("第1条企业", "行政区划代码")]
    assert not Enterprise.objects.filter(uscc=new["uscc"]).exists()


def test_limits_and_file_types(clerk, lixia, monkeypatch):
    response = upload(clerk, "old.xls", b"\xd0\xcf\x11\xe0")
    assert response.status_code == 302 and response["Location"] == "/workspace/imports/"
    assert ".xlsx" in clerk.get("/workspace/imports/").content.decode()

    for name, garbage in (("broken.xlsx", b"not a workbook"), ("bundle.json", "{}".encode("utf-16"))):
        result = preview(clerk, token_of(upload(clerk, name, garbage))).context["p"]
        assert not result.ok and result.problems[0].where == "文件"

    kept = len(list(uploads.upload_root().iterdir()))
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    response = upload(clerk, "sampling.csv", csv_bytes([sampling_row(f"S-{i}", lixia.uscc) for i in range(40)]))
    assert response["Location"] == "/workspace/imports/"
    assert "超过上限" in clerk.get("/workspace/imports/").content.decode()
    assert len(list(uploads.upload_root().iterdir())) == kept  # nothing of it was stored

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    token = token_of(upload(clerk, "sampling.csv", csv_bytes([sampling_row(f"S-{i}", lixia.uscc) for i in range(4)])))
    result = preview(clerk, token).context["p"]
    assert not result.ok and "超过单次导入上限" in result.problems[0].reason


def test_only_a_division_may_upload(client, reviewer, lixia):
    client.force_login(reviewer)
    assert "需要“提报处室/直属单位”角色" in client.get("/workspace/imports/").content.decode()
    response = upload(client, "sampling.csv", csv_bytes([sampling_row("S-1", lixia.uscc)]))
    assert response.status_code == 403 and not uploads.upload_root().exists()


def test_the_pick_form_leads_to_the_entry_form(clerk, lixia, qingdao):
    response = clerk.get("/workspace/imports/", {"uscc": lixia.uscc.lower(), "kind": "penalty"})
    assert response["Location"] == f"/workspace/enterprises/{lixia.uscc}/records/add/?kind=penalty"
    page = clerk.get("/workspace/imports/", {"uscc": qingdao.uscc, "kind": "penalty"}).content.decode()
    assert "不在您的管辖范围内" in page
