"""The monthly 汇总表 at province scale: 200,000 graduates of one cohort (issue 10's speed and memory targets).

    .venv/bin/python bench/monthly.py [--graduates 200000] [--repeat 3] [--explain]

Its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gradservice_bench_monthly): created,
migrated and seeded when missing, then graduates of cohort 2025 only generated up to --graduates by
graduates.demo_data.generate_graduates (set-based COPY; 60 % with follow-up visits, registered from July 2025 to
June 2026), then VACUUM (ANALYZE). Each measurement runs in a fresh child process (so its peak RSS is its own),
--repeat times, the median kept:

- floor: a bare XlsxWriter constant_memory write (write_string per cell, to a temporary file) of the same
  200,000 rows, already in memory as the strings the table holds — the time the issue's target is relative to;
- query: the table's query alone (selectors.summary_rows: the rows streamed from the server-side cursor);
- generate: the real reporting.actions.generate_monthly_snapshot for the whole province, June 2026 (query,
  cells, xlsx, stored snapshot), its time as a multiple of the floor (target ≤ 1.3×) and its peak RSS
  (ru_maxrss of the child; target ≤ 300 MB).
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice_bench_monthly")

import registry  # setup_django, ensure_database

COHORT = 2025
MONTH = datetime.date(2026, 6, 1)
RATIO_TARGET = 1.3
MEMORY_TARGET_MB = 300.0


def prepare(graduates: int) -> None:
    from django.core.management import call_command

    from core.demo import seed_demo_province
    from graduates.demo_data import generate_graduates
    from graduates.models import Graduate

    call_command("migrate", verbosity=0)
    seed_demo_province()
    existing = Graduate.objects.filter(cohort=COHORT).count()
    if existing >= graduates * 0.99:
        print(f"{existing:,} graduates of cohort {COHORT} in the database: nothing to generate")
        return
    print(f"{existing:,} graduates of cohort {COHORT}: generating {graduates - existing:,} ...", flush=True)
    result = generate_graduates(
        count=graduates - existing,
        cohorts=[COHORT],
        visit_share=0.6,
        now=datetime.datetime(2026, 6, 30, 12, tzinfo=datetime.UTC),
        progress=lambda p: print(f"  batch {p.batch}/{p.batches}: {p.graduates:,} rows", flush=True),
    )
    print(f"generated {result.graduates:,} graduates, {result.visits:,} visits in {result.seconds:.0f} s")


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM of /proc/self/status, which starts afresh at exec (ru_maxrss does
    not: a child forked from the parent after it generated the data would report the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: kB on Linux, bytes on macOS


def child_floor() -> dict:
    """The same rows as strings in memory, then a bare constant-memory write of them."""
    import xlsxwriter

    from reporting import selectors
    from reporting.cells import safe_text, summary_values

    as_of = selectors.check_window(cohort=COHORT, month=MONTH)
    rows = [
        [safe_text(value) for value in summary_values(seq, row)]
        for seq, row in enumerate(selectors.summary_rows(cohort=COHORT, as_of=as_of, office=None), start=1)
    ]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        started = time.perf_counter()
        workbook = xlsxwriter.Workbook(handle.name, {"constant_memory": True})
        sheet = workbook.add_worksheet("汇总表")
        write = sheet.write_string
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                write(r, c, value)
        workbook.close()
        seconds = time.perf_counter() - started
        size = os.path.getsize(handle.name)
    return {"seconds": seconds, "rows": len(rows), "bytes": size, "peak_mb": peak_mb()}


def child_query() -> dict:
    from reporting import selectors

    as_of = selectors.check_window(cohort=COHORT, month=MONTH)
    started = time.perf_counter()
    count = sum(1 for _ in selectors.summary_rows(cohort=COHORT, as_of=as_of, office=None))
    return {"seconds": time.perf_counter() - started, "rows": count, "peak_mb": peak_mb()}


def child_write() -> dict:
    """write_summary_file alone: the query, the cells and the workbook, into a temporary file (no snapshot)."""
    from django.utils import timezone

    from reporting import selectors
    from reporting.actions import write_summary_file

    as_of = selectors.check_window(cohort=COHORT, month=MONTH)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        rows = write_summary_file(
            Path(folder) / "table.xlsx", cohort=COHORT, as_of=as_of, office=None, user=None,
            generated_at=timezone.now(),
        )  # fmt: skip
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_mb()}


def child_generate() -> dict:
    from reporting.actions import generate_monthly_snapshot

    before = peak_mb()
    started = time.perf_counter()
    snapshot = generate_monthly_snapshot(cohort=COHORT, month=MONTH, office=None, user=None)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": snapshot.row_count,
        "bytes": len(snapshot.content),
        "peak_mb": peak_mb(),
        "start_mb": before,
    }


CHILDREN = {"floor": child_floor, "query": child_query, "write": child_write, "generate": child_generate}


def run_child(kind: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ,
    )
    if result.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def explain() -> None:
    """EXPLAIN ANALYZE of the table's query (DISTINCT ON join) and of the correlated subquery per row it replaced."""
    from django.db import connection

    from reporting import selectors

    as_of = selectors.check_window(cohort=COHORT, month=MONTH)
    queries = {
        "the table's query (DISTINCT ON join)": selectors.summary_rows_sql(
            cohort=COHORT, as_of=as_of, office=None
        ),
        "before: a correlated subquery per row": selectors.graduates_as_of(
            cohort=COHORT, as_of=as_of, office=None
        )
        .values_list(*selectors.ROW_FIELDS)
        .query.sql_with_params(),
    }
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print(f"--- {name}")
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graduates", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of the query"
    )
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    registry.setup_django()
    if args.child:
        print(json.dumps(CHILDREN[args.child]()))
        return 0
    prepare(args.graduates)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) graduates_graduate")
        cursor.execute("VACUUM (ANALYZE) graduates_followupvisit")
    if args.explain:
        explain()
    run_child("query")  # warm the database's cache once
    figures: dict[str, list[dict]] = {kind: [] for kind in ("floor", "generate", "write", "query")}
    for i in range(args.repeat):
        for kind in figures:
            figures[kind].append(run_child(kind))
            print(f"  run {i + 1} {kind}: {figures[kind][-1]}", flush=True)

    def median(kind: str, key: str) -> float:
        return statistics.median(f[key] for f in figures[kind])

    floor, query, generate = (
        median("floor", "seconds"),
        median("query", "seconds"),
        median("generate", "seconds"),
    )
    peak = max(f["peak_mb"] for f in figures["generate"])
    rows = figures["generate"][0]["rows"]
    # The ratio of each run (generate against the floor measured just before it), then the median of the runs:
    # on a machine whose load changes during the bench, medians of each kind taken apart mix different loads.
    ratio = statistics.median(
        g["seconds"] / f["seconds"] for g, f in zip(figures["generate"], figures["floor"], strict=True)
    )
    write_ratio = statistics.median(
        w["seconds"] / f["seconds"] for w, f in zip(figures["write"], figures["floor"], strict=True)
    )
    print()
    print(
        f"rows: {rows:,}   file: {figures['generate'][0]['bytes'] / 1e6:.1f} MB   runs: {args.repeat} (median)"
    )
    print(
        f"floor  bare xlsxwriter constant_memory write: {floor:6.2f} s  (peak RSS {median('floor', 'peak_mb'):.0f} MB)"
    )
    print(f"query  the table's query alone:               {query:6.2f} s  ({query / floor:.2f}× floor)")
    write = median("write", "seconds")
    print(f"write_summary_file (query, cells, xlsx):       {write:6.2f} s  ({write_ratio:.2f}× floor)")
    print(
        f"generate_monthly_snapshot (province):          {generate:6.2f} s  ({ratio:.2f}× floor per run, target ≤ "
        f"{RATIO_TARGET}×)  peak RSS {peak:.0f} MB (target ≤ {MEMORY_TARGET_MB:.0f} MB; "
        f"{median('generate', 'start_mb'):.0f} MB after Django setup)"
    )
    passed = ratio <= RATIO_TARGET and peak <= MEMORY_TARGET_MB
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
