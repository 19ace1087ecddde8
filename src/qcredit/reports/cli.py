"""``qcredit reports TABLE …`` — the report tables of :mod:`qcredit.reports.selectors` from the
command line (the system acts, over every jurisdiction unless ``--region``; grade tables are
access events through the channel ``cli``).

    qcredit reports list
    qcredit reports TABLE [--region CODE] [--industry CODE] [--from YYYY-MM] [--to YYYY-MM]
                          [--format table|csv|xlsx|json] [--out FILE]

``add_arguments`` builds the parser without Django; ``run`` is called after Django is set up.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

INDUSTRY = re.compile(r"^[A-T](\d{2,4})?$")
REGION = re.compile(r"^(\d{2}|\d{4}|\d{6})$")


class InvalidArgument(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {r}" for p, r in problems))
        self.problems = problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", metavar="TABLE", help="报表名；qcredit reports list 列出全部")
    parser.add_argument("--region", default="", help="行政区划代码前缀（2、4 或 6 位），如 3701")
    parser.add_argument("--industry", default="", help="行业（GB/T 4754）门类或代码前缀，如 C 或 C34")
    parser.add_argument("--from", dest="start", help="起始月份 YYYY-MM（等级变动、名单统计；缺省为 11 个月前）")
    parser.add_argument("--to", dest="end", help="截止月份 YYYY-MM（缺省为本月）")
    parser.add_argument("--format", default="", help="table（缺省）、csv、xlsx 或 json")
    parser.add_argument("--out", help="输出文件（XLSX 必须指定）")


def run(args, *, print_table) -> int:
    from qcredit.audit.services import audit_access
    from qcredit.exchange.exports import csv_chunks, xlsx_write
    from qcredit.grading.services import today as grading_today

    from .forms import DEFAULT_MONTHS, parse_month
    from .selectors import (
        GRADE_SECTIONS,
        MAX_MONTHS,
        SECTION_TABLES,
        SECTION_TITLES,
        TABLE_SECTION,
        Scope,
        report_table,
    )

    if args.table == "list":
        print_table(("报表", "页面"), [(key, SECTION_TITLES[section]) for section, keys in SECTION_TABLES.items()
                                       for key in keys])
        return 0
    problems = []
    if args.table not in TABLE_SECTION:
        problems.append(("TABLE", f"没有名为“{args.table}”的报表；可选：{'、'.join(TABLE_SECTION)}"))
    if args.region and not REGION.match(args.region):
        problems.append(("--region", f"行政区划应为 2、4 或 6 位数字代码（GB/T 2260），而不是“{args.region}”"))
    if args.industry and not INDUSTRY.match(args.industry):
        problems.append(("--industry", f"行业应为 GB/T 4754 门类字母或代码前缀（如 C、C34），而不是“{args.industry}”"))
    fmt = (args.format or (Path(args.out).suffix.lstrip(".") if args.out else "") or "table").lower()
    if fmt not in ("table", "csv", "xlsx", "json"):
        problems.append(("--format", f"不支持的格式“{fmt}”；可选：table、csv、xlsx、json"))
    if fmt == "xlsx" and not args.out:
        problems.append(("--out", "XLSX 是二进制文件，请用 --out 指定输出文件"))
    if args.out and not Path(args.out).parent.is_dir():
        problems.append(("--out", f"目录不存在：{Path(args.out).parent}"))
    today = grading_today()
    months = {}
    for option, value in (("--from", args.start), ("--to", args.end)):
        if value:
            try:
                months[option] = parse_month(value)
            except ValueError as exc:
                problems.append((option, str(exc)))
    from qcredit.rules.dates import add_months

    end = months.get("--to", today.replace(day=1))
    start = months.get("--from", add_months(end, -(DEFAULT_MONTHS - 1)))
    if start > end:
        problems.append(("--to", "截止月份早于起始月份"))
    elif (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
        problems.append(("--from", f"时间段最长 {MAX_MONTHS} 个月"))
    if problems:
        raise InvalidArgument(problems)

    scope = Scope((), args.region, args.industry)
    table = report_table(args.table, scope, start=start, end=end, today=today)
    section = TABLE_SECTION[args.table]
    if section in GRADE_SECTIONS:
        audit_access(actor=None, action=f"reports.{section}.download",
                     obj=("reports.report", section, f"统计报表：{SECTION_TITLES[section]}"),
                     detail={"filters": {"region": args.region, "industry": args.industry,
                                         "start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"},
                             "table": args.table, "channel": "cli"})
    rows = table.all_rows()
    if fmt == "table":
        print(table.title)
        print_table(table.columns, rows)
        if table.note:
            print(table.note)
        return 0
    out = open(args.out, "wb") if args.out else sys.stdout.buffer
    try:
        if fmt == "csv":
            for chunk in csv_chunks(table.columns, rows):
                out.write(chunk)
        elif fmt == "json":
            out.write(json.dumps({"table": table.key, "title": table.title, "columns": table.columns,
                                  "rows": table.rows, "total": table.total, "note": table.note},
                                 ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
        else:
            xlsx_write(out, table.columns, rows, title=table.title, text_only=False, widths={0: 30})
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"已导出 {table.title}（{len(table.rows)} 行）到 {args.out}", file=sys.stderr)
    return 0
