"""``qcredit partner-export DATASET …`` — the partner exports of :mod:`qcredit.exchange.exports`
from the command line (same code as the workspace page; the system acts, audited through the
channel ``cli``).

    qcredit partner-export redlist|published_a|blacklist|penalties
        [--format csv|xlsx|json] [--out FILE] [--region CODE] [--from YYYY-MM-DD] [--to YYYY-MM-DD]

Without ``--out`` CSV and JSON go to standard output; XLSX needs a file. The file is written
beside its destination and renamed when complete, so an export that fails leaves nothing.
``add_arguments`` builds the parser without Django; ``run`` is called after Django is set up.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


class InvalidArgument(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {r}" for p, r in problems))
        self.problems = problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DATASET",
                        help="redlist（红名单）、published_a（A级公示）、blacklist（黑名单）、penalties（行政处罚，双公示）")
    parser.add_argument("--format", help="csv、xlsx 或 json（缺省按 --out 的扩展名，否则 csv）")
    parser.add_argument("--out", help="输出文件；缺省输出到标准输出（XLSX 必须指定文件）")
    parser.add_argument("--region", default="", help="行政区划代码前缀（2、4 或 6 位），如 3701")
    parser.add_argument("--from", dest="date_from", help="起始日期 YYYY-MM-DD（列入日期/处罚决定日期，含）")
    parser.add_argument("--to", dest="date_to", help="截止日期 YYYY-MM-DD（含）")


def _format(args) -> str:
    if args.format:
        return args.format.lower()
    suffix = Path(args.out).suffix.lower().lstrip(".") if args.out else ""
    return suffix if suffix in ("csv", "xlsx", "json") else "csv"


def run(args) -> int:
    from .exports import ExportError, export_open, export_write

    dataset = args.dataset.replace("-", "_")
    fmt = _format(args)
    if fmt == "xlsx" and not args.out:
        raise InvalidArgument([("--out", "XLSX 是二进制文件，请用 --out 指定输出文件")])
    target = Path(args.out) if args.out else None
    if target is not None and not target.parent.is_dir():
        raise InvalidArgument([("--out", f"目录不存在：{target.parent}")])
    try:
        export = export_open(actor=None, dataset=dataset, fmt=fmt, region=args.region, date_from=args.date_from,
                             date_to=args.date_to, channel="cli")
    except ExportError as exc:
        options = {"dataset": "DATASET", "format": "--format", "region": "--region", "from": "--from", "to": "--to"}
        raise InvalidArgument([(options.get(path, path), reason) for path, reason in exc.problems]) from None
    if target is None:
        export_write(export, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        handle, temporary = tempfile.mkstemp(prefix=".partial-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                export_write(export, out)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    where = str(target) if target else "标准输出"
    print(f"已导出{export.dataset.label} {export.count} 行（{fmt.upper()}）到 {where}", file=sys.stderr)
    return 0
