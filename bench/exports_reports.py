"""Exports and reports benchmark (issue 5 items 2 and 6; figures in docs/exports.md, docs/reports.md).

Loads N enterprises with bench/grading.py's loader (the database name must contain "bench": its
archive tables are emptied), grades them as of --as-of and three later month ends (a grade-change
history), optionally adds --extra-penalties synthetic current penalty records (COPY, no
regrade: this measures the export's read and write, not grading), then in the same run:

  * the floor: reading every current penalty row through a server-side cursor, writing nothing;
  * the 双公示 penalty export as CSV, JSON and XLSX (rows per second, output size), and its
    memory: the peak of Python allocations (tracemalloc) while streaming, for the whole archive
    and for one city — a streaming export's peak does not grow with the number of rows;
  * the report selectors for a provincial (37) and a city (3701) reader, each one query or a
    few, with the number of queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qcredit_exrep_bench \\
        .venv/bin/python bench/exports_reports.py --enterprises 100000 --extra-penalties 500000 [--reuse]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcredit.config.settings")

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import grading as grading_bench  # bench/grading.py: runs django.setup(); reset() and load()
from qcredit.archive.models import Enterprise, Record
from qcredit.exchange import exports
from qcredit.grading import services
from qcredit.grading.models import GradeChange, GradingRun
from qcredit.reports import selectors
from qcredit.reports.selectors import Scope
from qcredit.rules.dates import add_months

BENCH_PREFIX = "BENCH-P-"


def add_penalties(n: int, as_of: date, seed: int = 7) -> int:
    """``n`` current penalty records spread over the enterprises, dated in the three years to
    ``as_of`` (COPY; idempotent: earlier bench rows are replaced)."""
    with connection.cursor() as c:
        c.execute("ALTER TABLE archive_record DISABLE TRIGGER USER")  # the append-only guard (bench data only)
        c.execute("DELETE FROM archive_record WHERE record_id LIKE %s", [BENCH_PREFIX + "%"])
        c.execute("ALTER TABLE archive_record ENABLE TRIGGER USER")
    if not n:
        return 0
    ids = list(Enterprise.objects.values_list("id", flat=True))
    rng = random.Random(seed)
    now = timezone.now()
    sources = ("山东省市场监督管理局", "济南市市场监督管理局", "青岛市市场监督管理局", "淄博市市场监督管理局")
    columns = ("enterprise_id", "record_id", "source", "kind", "date", "ref", "note", "scope", "severity", "decision_no",
               "version", "withdrawn", "reason", "recorded_at", "recorded_via", "finding", "result", "resolution", "harm",
               "number", "licence_type", "status", "honour_type", "level", "issued_by", "justification", "provider",
               "rating")
    raw = connection.connection
    with transaction.atomic(), raw.cursor() as cur:
        with cur.copy(f"COPY archive_record ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(n):
                day = as_of - timedelta(days=rng.randint(0, 3 * 365))
                copy.write_row((rng.choice(ids), f"{BENCH_PREFIX}{i:07d}", rng.choice(sources), "penalty", day, "", "",
                                rng.choice(("quality", "metrology", "other")), "ordinary",
                                f"鲁市监罚〔{day.year}〕{i % 997 + 1}号", 1, False, "", now, "bench",
                                "", "", "", "", "", "", "", "", "", "", "", "", ""))
    with connection.cursor() as c:
        c.execute("ANALYZE archive_record")
    return n


def floor(regions: tuple[str, ...]) -> int:
    """Read every current penalty row of ``regions`` (server-side cursor), write nothing."""
    rows = 0
    for _ in exports._penalties(regions=regions, start=None, end=None).order_by("date", "source", "record_id") \
            .values_list("enterprise__name", "enterprise__uscc", "decision_no", "ref", "scope", "date", "source",
                         "record_id").iterator(chunk_size=exports.CHUNK):
        rows += 1
    return rows


def run_export(fmt: str, region: str = "") -> tuple[int, int]:
    export = exports.export_open(actor=None, dataset="penalties", fmt=fmt, region=region, channel="bench")
    with tempfile.TemporaryFile() as out:
        exports.export_write(export, out)
        return export.count, out.tell()


def peak_memory(fn) -> float:
    """The peak of Python allocations (MB) while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def timed(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=100000)
    parser.add_argument("--as-of", default="2026-06-30")
    parser.add_argument("--extra-penalties", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep an archive already loaded and graded")
    args = parser.parse_args()
    name = str(connection.settings_dict["NAME"])
    if "bench" not in os.path.basename(name):
        print(f"refusing to run: the database name {name!r} must contain 'bench' (its tables are emptied)",
              file=sys.stderr)
        return 2
    if connection.vendor != "postgresql":
        print("the loader and the extra penalties use COPY: run on PostgreSQL", file=sys.stderr)
        return 2
    as_of = date.fromisoformat(args.as_of)
    later = [add_months(as_of, m) for m in (1, 2, 3)]
    call_command("migrate", verbosity=0)
    if not (args.reuse and Enterprise.objects.count() == args.enterprises):
        grading_bench.reset()
        t = time.perf_counter()
        n_records = grading_bench.load(args.enterprises, 20260630, as_of)
        print(f"loaded {args.enterprises:,} enterprises, {n_records:,} records in {time.perf_counter() - t:.1f} s")
    for day in (as_of, *later):
        if not GradingRun.objects.filter(kind=GradingRun.Kind.FULL, as_of=day, finished_at__isnull=False).exists():
            t = time.perf_counter()
            run = services.regrade_all(as_of=day, cause="exports/reports benchmark")
            print(f"regrade as of {day}: {run.changes:,} grade changes in {time.perf_counter() - t:.1f} s")
    extra = Record.objects.filter(record_id__startswith=BENCH_PREFIX).count()
    if extra != args.extra_penalties:
        t = time.perf_counter()
        add_penalties(args.extra_penalties, as_of)
        print(f"added {args.extra_penalties:,} synthetic penalty records in {time.perf_counter() - t:.1f} s")
    today = later[-1]
    penalties = Record.objects.current().filter(kind="penalty").count()
    print(f"database: {connection.vendor} {name}; {Enterprise.objects.count():,} enterprises, "
          f"{Record.objects.count():,} record versions, {penalties:,} current penalty records, "
          f"{GradeChange.objects.count():,} grade changes; today = {today}")

    print("\n-- penalty export (双公示) --")
    print(f"{'case':44s} {'median':>9s} {'rows':>9s} {'rows/s':>9s} {'output':>10s}")
    for label, region in (("province (everything)", ""), ("city 3701", "3701")):
        seconds, rows = timed(lambda r=region: floor((r,) if r else ()), args.repeat)
        print(f"{'floor: read rows only, ' + label:44s} {seconds:8.2f}s {rows:9,d} {rows / seconds:9,.0f} {'-':>10s}")
        for fmt in ("csv", "json", "xlsx"):
            seconds, (rows, size) = timed(lambda f=fmt, r=region: run_export(f, r), args.repeat)
            print(f"{fmt + ', ' + label:44s} {seconds:8.2f}s {rows:9,d} {rows / seconds:9,.0f} {size / 1e6:8.1f}MB")
    print("\n-- peak Python memory while streaming (tracemalloc; slower, so timed separately) --")
    for fmt in ("csv", "xlsx"):
        small = peak_memory(lambda f=fmt: run_export(f, "370102"))
        large = peak_memory(lambda f=fmt: run_export(f, ""))
        print(f"{fmt}: county 370102 {small:6.1f} MB, whole archive {large:6.1f} MB")

    print("\n-- reports --")
    start = add_months(today.replace(day=1), -11)
    print(f"{'report':52s} {'median':>9s} {'queries':>8s}")
    for label, jurisdictions in (("province 37", ("37",)), ("city 3701", ("3701",))):
        scope = Scope(jurisdictions)
        cases = [
            ("grades by area", lambda s=scope: selectors.grades_by_area(s)),
            ("grades by industry (sections + divisions)", lambda s=scope: selectors.grades_by_industry(s)),
            ("movements + month ends, 12 months", lambda s=scope: selectors.grade_movements(
                s, start=start, end=today, today=today)),
            ("list statistics, 12 months", lambda s=scope: selectors.list_statistics(
                s, start=start, end=today, today=today)),
            ("deadlines", lambda s=scope: selectors.deadlines(s, today=today)),
        ]
        for case, fn in cases:
            with CaptureQueriesContext(connection) as ctx:
                fn()
            seconds, _ = timed(fn, args.repeat)
            print(f"{label + ': ' + case:52s} {seconds * 1000:8.1f}ms {len(ctx.captured_queries):8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
