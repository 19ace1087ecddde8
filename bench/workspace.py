"""Workspace benchmark: the dashboard aggregates and enterprise search on a large archive.

Loads N enterprises with bench/grading.py's loader (the database name must contain "bench": its
archive tables are emptied), grades them as of --as-of and then as of three later months (each regrade once), so
that the grade-change history has movements; then times, for a provincial reader (jurisdiction
37) and a city reader (3701), every query the dashboard and the search page run, and prints the
PostgreSQL plan of each (EXPLAIN ANALYZE) with --explain.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qcredit_wscore_bench \\
        .venv/bin/python bench/workspace.py --enterprises 100000 [--reuse] [--explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcredit.config.settings")

from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

import grading as grading_bench  # bench/grading.py: runs django.setup(); reset() and load()
from qcredit.archive.models import Enterprise
from qcredit.grading import services
from qcredit.grading.models import GradeChange, GradingRun
from qcredit.rules.dates import add_months
from qcredit.workspace import selectors


def timed(fn, repeat: int) -> tuple[float, int, list[str]]:
    """Median seconds of ``repeat`` runs, and the number and text of the queries of one run."""
    fn()  # warm
    with CaptureQueriesContext(connection) as ctx:
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def search_page(jurisdictions: list[str], on: date, page: int = 1, **filters):
    def run():
        found = Paginator(selectors.enterprise_search(jurisdictions=jurisdictions, today=on, **filters), 50).get_page(
            page)
        selectors.list_status_of(enterprise_ids=[e.pk for e in found], today=on)
        return found
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=100000)
    parser.add_argument("--as-of", default="2026-06-30")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep an archive already loaded and graded")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each query (PostgreSQL)")
    args = parser.parse_args()
    name = str(connection.settings_dict["NAME"])
    if "bench" not in os.path.basename(name):
        print(f"refusing to run: the database name {name!r} must contain 'bench' (its tables are emptied)",
              file=sys.stderr)
        return 2
    as_of = date.fromisoformat(args.as_of)
    later = [add_months(as_of, m) for m in (1, 2, 3)]
    call_command("migrate", verbosity=0)
    if not (args.reuse and Enterprise.objects.count() == args.enterprises):
        grading_bench.reset()
        t = time.perf_counter()
        n_records = grading_bench.load(args.enterprises, 20260630, as_of)
        print(f"loaded {args.enterprises:,} enterprises, {n_records:,} records in {time.perf_counter() - t:.1f} s")
    regraded = False
    for day in (as_of, *later):
        if GradingRun.objects.filter(kind=GradingRun.Kind.FULL, as_of=day, finished_at__isnull=False).exists():
            continue
        t = time.perf_counter()
        run = services.regrade_all(as_of=day, cause="workspace benchmark")
        print(f"regrade as of {day}: {run.changes:,} grade changes in {time.perf_counter() - t:.1f} s")
        regraded = True
    if regraded:
        with connection.cursor() as c:
            c.execute("ANALYZE")
    today = later[-1]
    print(f"database: {connection.vendor} {name}; {Enterprise.objects.count():,} enterprises, "
          f"{GradeChange.objects.count():,} grade changes; today = {today}")

    some = Enterprise.objects.order_by("id").values_list("uscc", "name").first()
    fragment = some[1][2:5]
    cases = []
    for label, jurisdictions in (("province 37", ["37"]), ("city 3701", ["3701"])):
        cases += [
            (f"{label}: distributions (area, industry)", lambda j=jurisdictions: selectors.grade_distributions(
                jurisdictions=j)),
            (f"{label}: movements, 12 months", lambda j=jurisdictions: selectors.grade_movements(
                jurisdictions=j, today=today)),
            (f"{label}: search, no filter, page 1", search_page(jurisdictions, today)),
            (f"{label}: search, no filter, page 200, by name", search_page(jurisdictions, today, sort="name",
                                                                           page=200)),
            (f"{label}: search, name fragment “{fragment}”", search_page(jurisdictions, today, query=fragment)),
            (f"{label}: search, USCC prefix", search_page(jurisdictions, today, query=some[0][:12])),
            (f"{label}: search, exact USCC", search_page(jurisdictions, today, query=some[0])),
            (f"{label}: search, county + C34 + grade C", search_page(jurisdictions, today, region="370102",
                                                                     industry="C34", grade="C")),
            (f"{label}: search, on the red list", search_page(jurisdictions, today, status="redlist")),
            (f"{label}: search, on no public list, page 1", search_page(jurisdictions, today, status="none")),
            (f"{label}: region options", lambda j=jurisdictions: selectors.region_options(jurisdictions=j)),
        ]
    print(f"{'query':62s} {'median':>9s} {'queries':>8s}")
    for label, fn in cases:
        seconds, n, sqls = timed(fn, args.repeat)
        print(f"{label:62s} {seconds * 1000:8.1f}ms {n:8d}")
        if args.explain and connection.vendor == "postgresql":
            with connection.cursor() as c:
                for sql in sqls:
                    c.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF) {sql}")
                    print("    " + "\n    ".join(row[0] for row in c.fetchall()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
