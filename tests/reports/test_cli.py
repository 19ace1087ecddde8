"""``qcredit reports``: the same tables on the command line (as the system, every jurisdiction
unless --region; grade tables audited through the channel cli); exit 2 with ``path: reason``."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from qcredit.audit.models import AuditEvent
from qcredit.cli import main
from qcredit.reports import selectors
from qcredit.reports.selectors import Scope
from tests.lists.world import last_seq


def test_list_names_every_table(history, capsys):
    assert main(["reports", "list"]) == 0
    out = capsys.readouterr().out
    assert all(key in out for key in selectors.TABLE_SECTION)


def test_a_table_on_the_terminal_and_its_audit_event(history, capsys):
    seq = last_seq()
    assert main(["reports", "grades-area", "--region", "3701"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "等级分布（按县（市、区））" and "济南市历下区" in out and "青岛" not in out
    event = AuditEvent.objects.get(seq=seq + 1)
    assert (event.action, event.actor_name) == ("reports.grades.download", "系统")
    assert '"channel":"cli"' in event.after.replace(" ", "")


def test_files_in_each_format_hold_the_table(history, tmp_path, capsys):
    table = selectors.report_table("movements", Scope(()), start=date(2026, 1, 1), end=date(2026, 6, 1),
                                   today=history.today)
    expected = [table.columns, *table.all_rows()]
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"m.{fmt}"
        assert main(["reports", "movements", "--from", "2026-01", "--to", "2026-06", "--out", str(out)]) == 0
    text = (tmp_path / "m.csv").read_bytes().decode("utf-8-sig")
    assert [[int(v) if v.isdigit() else v for v in r] for r in csv.reader(io.StringIO(text))] == expected
    sheet = load_workbook(tmp_path / "m.xlsx").worksheets[0]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == expected
    document = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert [document["columns"], *document["rows"], document["total"]] == expected


@pytest.mark.parametrize(("argv", "line"), [
    (["reports", "everything"], "TABLE: 没有名为“everything”的报表"),
    (["reports", "grades-area", "--region", "37x"], "--region: 行政区划应为 2、4 或 6 位数字代码"),
    (["reports", "grades-area", "--industry", "c34"], "--industry: 行业应为 GB/T 4754 门类字母或代码前缀"),
    (["reports", "movements", "--from", "2026-13"], "--from: 月份应为 YYYY-MM"),
    (["reports", "movements", "--from", "2026-06", "--to", "2026-01"], "--to: 截止月份早于起始月份"),
    (["reports", "movements", "--from", "2020-01", "--to", "2026-01"], "--from: 时间段最长 60 个月"),
    (["reports", "deadlines", "--format", "pdf"], "--format: 不支持的格式“pdf”"),
    (["reports", "deadlines", "--format", "xlsx"], "--out: XLSX 是二进制文件"),
])
def test_invalid_input_exits_2_with_path_and_reason(history, capsys, argv, line):
    seq = last_seq()
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.splitlines()[0].startswith(line) and out == ""
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()
