"""``qcredit partner-export``: the same exports from the command line (as the system, audited
through the channel cli); exit 2 with ``path: reason`` on invalid input, and nothing written."""

from __future__ import annotations

import pytest

from qcredit.audit.models import AuditEvent
from qcredit.cli import main
from tests.lists.world import last_seq

from .conftest import read_csv, read_json, read_xlsx


def test_export_to_files_in_each_format(penalties, tmp_path, capsys):
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"penalties.{fmt}"
        assert main(["partner-export", "penalties", "--out", str(out), "--region", "3701", "--from", "2026-03-01"]) == 0
        assert f"已导出行政处罚（双公示） 3 行（{fmt.upper()}）到 {out}" in capsys.readouterr().err
    data = {fmt: (tmp_path / f"penalties.{fmt}").read_bytes() for fmt in ("csv", "xlsx", "json")}
    assert read_csv(data["csv"]) == read_xlsx(data["xlsx"])[0]
    assert [r["档案记录编号"] for r in read_json(data["json"])["records"]] == [r[-1] for r in read_csv(data["csv"])[1:]]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".partial")] == []


def test_csv_to_standard_output_and_the_audit_event(world, capsysbinary):
    seq = last_seq()
    assert main(["partner-export", "published-a", "--format", "csv"]) == 0
    rows = read_csv(capsysbinary.readouterr().out)
    assert rows[1][1] == world.public["published_a"].uscc and len(rows) == 2
    event = AuditEvent.objects.get(seq=seq + 1)
    assert (event.action, event.actor_name) == ("exchange.export.published_a", "系统")
    assert '"channel":"cli"' in event.after.replace(" ", "")


@pytest.mark.parametrize(("argv", "line"), [
    (["partner-export", "everything"], "DATASET: 没有“everything”这类导出"),
    (["partner-export", "penalties", "--region", "3701x"], "--region: 行政区划应为 2、4 或 6 位数字代码"),
    (["partner-export", "penalties", "--from", "2026-02-30"], "--from: 不是有效的日期（YYYY-MM-DD）：2026-02-30"),
    (["partner-export", "penalties", "--from", "2026-05-01", "--to", "2026-04-01"], "--to: 截止日期 2026-04-01 早于起始日期"),
    (["partner-export", "penalties", "--format", "pdf"], "--format: 不支持的格式“pdf”"),
    (["partner-export", "penalties", "--format", "xlsx"], "--out: XLSX 是二进制文件，请用 --out 指定输出文件"),
    (["partner-export", "penalties", "--out", "/nonexistent-dir/x.csv"], "--out: 目录不存在：/nonexistent-dir"),
])
def test_invalid_input_exits_2_with_path_and_reason_and_writes_nothing(penalties, capsys, argv, line):
    seq = last_seq()
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.splitlines()[0].startswith(line) and out == ""
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()
