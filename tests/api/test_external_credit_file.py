"""External credit by file, end to end (SPEC §3, §7.2 "external credit ratings by file or API"):
a CSV as Chinese Excel saves it (GB18030) and an XLSX with Chinese headers and labels go through
`qcredit import` (the archive's one import path); the grade does not change (QCO 三(五)); the
ratings appear beside the grade on the workspace enterprise page, on the enterprise's own
self-service page and in the internal API answer."""

from __future__ import annotations

import openpyxl
import pytest
from django.test import Client

from qcredit import cli
from qcredit.accounts.models import Role
from qcredit.archive.models import Record

from .. import factories
from ..portal.world import account, enterprise, grade_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def subjects(today):
    return enterprise("济南外部信用甲有限公司"), enterprise("济南外部信用乙有限公司", region="370105")


def _csv(path, rows: list[tuple]) -> None:
    header = "id,uscc,date,source,provider,rating\n"
    path.write_bytes((header + "".join(",".join(r) + "\n" for r in rows)).encode("gb18030"))


def _xlsx(path, rows: list[tuple]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "external_credit"
    sheet.append(["记录编号", "统一社会信用代码", "日期", "记录单位", "提供部门", "信用评级"])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)


def test_external_credit_files_are_imported_shown_beside_the_grade_and_never_change_it(subjects, tmp_path,
                                                                                        make_client, capsys):
    first, second = subjects
    grades = (grade_of(first), grade_of(second))
    _csv(tmp_path / "external_credit.csv", [("TAX-1", first.uscc, "2026-05-01", "国家税务总局济南市税务局", "tax", "D")])
    _xlsx(tmp_path / "银行评级.xlsx", [("BANK-1", second.uscc, "2026-05-02", "人民银行济南分行征信中心", "银行", "BBB")])
    assert cli.main(["import", str(tmp_path / "external_credit.csv")]) == 0
    assert cli.main(["import", str(tmp_path / "银行评级.xlsx")]) == 0
    assert "记录新增 1" in capsys.readouterr().out
    stored = {r.record_id: (r.provider, r.rating, r.recorded_via) for r in Record.objects.filter(kind="external_credit")}
    assert stored == {"TAX-1": ("tax", "D", "cli"), "BANK-1": ("bank", "BBB", "cli")}
    assert (grade_of(first), grade_of(second)) == grades  # QCO 三(五): the grade comes from the quality archive

    staff = Client()
    staff.force_login(factories.staff(Role.DIVISION, "3701"))
    page = staff.get(f"/workspace/enterprises/{first.uscc}/").content.decode()
    assert "外部信用信息" in page and "国家税务总局济南市税务局" in page and "信用评级：D" in page

    own = Client()
    own.force_login(account(second))
    page = own.get("/self-service/").content.decode()
    assert "外部信用信息" in page and "信用评级：BBB" in page

    internal = make_client("internal-grade").get(f"/api/v1/enterprises/{first.uscc}/grade/").json()
    assert internal["grade"] == grades[0] and internal["external_credit"][0]["rating"] == "D"


def test_an_invalid_external_credit_file_writes_nothing(subjects, tmp_path, capsys):
    first, _ = subjects
    _csv(tmp_path / "external_credit.csv", [("TAX-2", first.uscc, "2026-05-01", "国家税务总局济南市税务局", "insurer", "A"),
                                            ("TAX-3", first.uscc, "2026-13-01", "国家税务总局济南市税务局", "tax", "A")])
    assert cli.main(["import", str(tmp_path / "external_credit.csv")]) == 2
    problems = capsys.readouterr().err
    assert "records[0].provider" in problems and "records[1].date" in problems
    assert not Record.objects.filter(kind="external_credit").exists()
