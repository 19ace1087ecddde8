"""Grading benchmark (issue: "Benchmark bench/grading.py"); figures in docs/performance.md.

Generates an archive of N enterprises × about 20 records in the configured database
(DATABASE_URL; the database name must contain "bench", since the tables are emptied),
then, in the same run:
  * the floor: one bare aggregate that reads every record once
    (SELECT uscc, count(*) … GROUP BY uscc, joined to the enterprise that holds the USCC);
  * the grading query alone, the first full regrade of a freshly loaded archive (every
    enterprise gets its first snapshot) and the steady-state full regrade (the daily run:
    snapshots only where a result changed);
  * incremental regrades: one new record for a random enterprise, then its regrade.
Prints enterprises per second, the ratio regrade/floor and the incremental median.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qcredit_bench .venv/bin/python bench/grading.py --enterprises 100000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcredit.config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from qcredit.archive.demo import iter_archive  # noqa: E402
from qcredit.archive.models import Enterprise, Record  # noqa: E402
from qcredit.grading import batch, services  # noqa: E402
from qcredit.grading.models import GradeState  # noqa: E402
from qcredit.rules.evaluate import RecordData  # noqa: E402
from qcredit.rules.kinds import RECORD_FIELD_NAMES  # noqa: E402

ENTERPRISE_COLUMNS = ("id", "uscc", "name", "established_on", "region", "industry", "licence_required",
                      "mandatory_testing", "exporter", "status", "created_at", "updated_at")
RECORD_COLUMNS = ("enterprise_id", "record_id", "source", "kind", "date", "ref", "note", *RECORD_FIELD_NAMES,
                  "version", "withdrawn", "reason", "recorded_at", "recorded_via")
NULLABLE = {"own_fault", "pass_rate", "serious_nonconformity", "shipped_uninspected", "rate", "verified", "illegal",
            "valid_from", "valid_to", "rectify_by", "major"}


def reset() -> None:
    tables = ["grading_gradechange", "grading_gradestate", "grading_evaluation", "grading_gradingrun",
              "archive_record", "archive_enterprise"]
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            # CASCADE: tables of other apps that refer to the enterprises are emptied too.
            c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for t in tables:
                c.execute(f"DELETE FROM {t}")


def rows(n: int, seed: int, as_of: date):
    now = timezone.now()
    for index, (ent, records) in enumerate(iter_archive(enterprises=n, seed=seed, as_of=as_of), start=1):
        yield "e", (index, ent["uscc"], ent["name"], ent["established_on"], ent["region"], ent.get("industry") or "",
                    ent["licence_required"], ent["mandatory_testing"], ent["exporter"], ent["status"], now, now)
        for item in records:
            rd = RecordData.from_bundle(item)
            values = []
            for name in RECORD_FIELD_NAMES:
                v = getattr(rd, name)
                values.append(v if (v is not None or name in NULLABLE) else "")
            yield "r", (index, rd.record_id, rd.source, rd.kind, rd.date, item.get("ref", ""), item.get("note", ""),
                        *values, 1, False, "", now, "bench")


def load(n: int, seed: int, as_of: date) -> int:
    count = 0
    if connection.vendor == "postgresql":
        # Two streaming passes over the deterministic generator: enterprises, then records.
        raw = connection.connection  # psycopg 3
        with transaction.atomic(), raw.cursor() as cur:
            with cur.copy(f"COPY archive_enterprise ({', '.join(ENTERPRISE_COLUMNS)}) FROM STDIN") as copy:
                for tag, row in rows(n, seed, as_of):
                    if tag == "e":
                        copy.write_row(row)
            with cur.copy(f"COPY archive_record ({', '.join(RECORD_COLUMNS)}) FROM STDIN") as copy:
                for tag, row in rows(n, seed, as_of):
                    if tag == "r":
                        copy.write_row(row)
                        count += 1
            cur.execute("SELECT setval('archive_enterprise_id_seq', (SELECT max(id) FROM archive_enterprise))")
    else:
        with transaction.atomic(), connection.cursor() as c:
            batch_e, batch_r = [], []
            for tag, row in rows(n, seed, as_of):
                (batch_e if tag == "e" else batch_r).append(row)
            c.executemany(f"INSERT INTO archive_enterprise ({', '.join(ENTERPRISE_COLUMNS)}) VALUES "
                          f"({', '.join(['%s'] * len(ENTERPRISE_COLUMNS))})", batch_e)
            c.executemany(f"INSERT INTO archive_record ({', '.join(RECORD_COLUMNS)}) VALUES "
                          f"({', '.join(['%s'] * len(RECORD_COLUMNS))})", batch_r)
            count = len(batch_r)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return count


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


# The floor of the issue: "one bare aggregate query that reads every record once
# (SELECT uscc, count(*) … GROUP BY uscc)". The USCC is on the enterprise, so the literal query
# joins it. Two variants are printed for comparison: grouping by the foreign key with the heap
# read, and the same answered from the (enterprise_id, kind, date) index alone after VACUUM,
# which reads no record at all.
FLOOR_SQL = ("SELECT e.uscc, count(*) FROM archive_record r JOIN archive_enterprise e ON e.id = r.enterprise_id "
             "GROUP BY e.uscc")
FLOOR_VARIANTS = {
    "GROUP BY enterprise_id, reading every record": (
        "SELECT enterprise_id, count(*) FROM archive_record GROUP BY enterprise_id",
        ("enable_indexonlyscan", "enable_indexscan", "enable_bitmapscan")),
    "GROUP BY enterprise_id, planner's choice (index-only after VACUUM)": (
        "SELECT enterprise_id, count(*) FROM archive_record GROUP BY enterprise_id", ()),
}


def floor_query(sql: str = FLOOR_SQL, disabled: tuple[str, ...] = ()) -> None:
    with transaction.atomic(), connection.cursor() as c:
        for setting in disabled:
            c.execute(f"SET LOCAL {setting} = off")
        c.execute(sql)
        c.fetchall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20260630)
    parser.add_argument("--as-of", default="2026-06-30")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--incremental", type=int, default=50, help="incremental regrades to time")
    parser.add_argument("--reuse", action="store_true", help="keep an archive already loaded by a previous run")
    args = parser.parse_args()
    name = str(connection.settings_dict["NAME"])
    if "bench" not in os.path.basename(name):
        print(f"refusing to run: the database name {name!r} must contain 'bench' (its tables are emptied)",
              file=sys.stderr)
        return 2
    as_of = date.fromisoformat(args.as_of)
    call_command("migrate", verbosity=0)

    have = Enterprise.objects.count()
    if not (args.reuse and have == args.enterprises):
        reset()
        t = time.perf_counter()
        n_records = load(args.enterprises, args.seed, as_of)
        print(f"loaded {args.enterprises:,} enterprises, {n_records:,} records in {time.perf_counter() - t:.1f} s")
    n_records = Record.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
          f"{args.enterprises:,} enterprises, {n_records:,} records; as_of {as_of}")

    floor_query()  # warm the cache for both
    floor = timed(floor_query, args.repeat)
    f_med = statistics.median(floor)
    print(f"floor (SELECT uscc, count(*) … GROUP BY uscc): median {f_med:.3f} s  {[f'{x:.3f}' for x in floor]}")
    for label, (sql, disabled) in FLOOR_VARIANTS.items():
        variant = statistics.median(timed(lambda sql=sql, disabled=disabled: floor_query(sql, disabled), args.repeat))
        print(f"  floor variant, {label}: median {variant:.3f} s")
    ruleset = services.ruleset_on(as_of)
    select_sql, select_params = batch.compile_select(ruleset, as_of, connection.vendor)

    def query_only(sql: str, params: dict, columns: str) -> None:
        with transaction.atomic(), connection.cursor() as c:
            if connection.vendor == "postgresql":
                c.execute("SET LOCAL jit = off")
                c.execute("SET LOCAL work_mem = '128MB'")
            c.execute(f"SELECT count(*), {columns} FROM ({sql}) g", params)
            c.fetchall()

    sel = timed(lambda: query_only(select_sql, select_params, "sum(length(grade || holds || evidence))"), args.repeat)
    s_med = statistics.median(sel)
    print(f"grading query alone (every criterion, grade, evidence text; phase 2, SQLite; no writes): median {s_med:.3f} s  "
          f"ratio {s_med / f_med:.2f}")
    if batch.checkable(ruleset, as_of, connection.vendor):
        check_sql, check_params = batch.compile_check(ruleset, as_of, connection.vendor)
        chk = timed(lambda: query_only(check_sql, check_params, "sum(length(grade || holds)), bit_xor(checksum)"),
                    args.repeat)
        c_med = statistics.median(chk)
        print(f"check query alone (phase 1: every criterion, grade, evidence checksum; no writes): median "
              f"{c_med:.3f} s  ratio {c_med / f_med:.2f}")
    if not GradeState.objects.exists():
        # Timed up to the commit, and the commit itself with the receivers of grades_changed it
        # runs (other apps' work on 100,000 grade changes) separately.
        t = time.perf_counter()
        with transaction.atomic():
            services.regrade_all(as_of=as_of, cause="benchmark")
            first = time.perf_counter() - t
        hooks = time.perf_counter() - t - first
        print(f"first full regrade (a snapshot, a grade change and a current grade for every enterprise): "
              f"{first:.3f} s  ratio {first / f_med:.2f}; then commit and receivers of grades_changed {hooks:.3f} s")
    runs = []

    def regrade() -> None:
        runs.append(services.regrade_all(as_of=as_of, cause="benchmark"))

    full = timed(regrade, args.repeat)
    r_med = statistics.median(full)
    print(f"full regrade (steady state: snapshots only where a result changed): median {r_med:.3f} s  "
          f"{[f'{x:.3f}' for x in full]}; snapshots written {[run.snapshots for run in runs]}")
    print(f"  {args.enterprises / r_med:,.0f} enterprises/s; ratio regrade/floor = {r_med / f_med:.2f}")
    # The machine may be shared: the floor and the regrade, measured one right after the other,
    # pair by pair, so that both see the same load.
    pairs = [(timed(floor_query, 1)[0], timed(regrade, 1)[0]) for _ in range(args.repeat)]
    pf, pr = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    print(f"paired (floor, then full regrade, {args.repeat} times): floor median {pf:.3f} s, regrade median "
          f"{pr:.3f} s, ratio of medians {pr / pf:.2f}, median of ratios "
          f"{statistics.median(r / f for f, r in pairs):.2f}  {[f'{f:.3f}/{r:.3f}' for f, r in pairs]}")

    rng = random.Random(args.seed)
    ids = list(Enterprise.objects.values_list("id", flat=True))
    times = []
    now = timezone.now()
    stamp = int(time.time())
    for i in range(args.incremental):
        eid = rng.choice(ids)
        t = time.perf_counter()
        with transaction.atomic():
            Record.objects.create(enterprise_id=eid, record_id=f"BENCH-{stamp}-{i}", source="benchmark", kind="sampling",
                                  date=as_of - timedelta(days=rng.randint(0, 300)), scope="quality",
                                  result=rng.choice(["pass", "fail"]), own_fault=True, recorded_at=now)
            services.regrade_enterprises(enterprise_ids=[eid], as_of=as_of, cause="benchmark")
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"incremental (insert one record + regrade its enterprise): median {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms over {len(times)}")
    dist = dict(Enterprise.objects.values_list("grade_state__grade").annotate(n=django.db.models.Count("id")))
    print(f"grade distribution: {dict(sorted(dist.items(), key=lambda kv: str(kv[0])))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
