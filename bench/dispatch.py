"""Dispatch of a 100,000-graduate handover batch, one set-based statement per step.

    .venv/bin/python bench/dispatch.py [--graduates 100000] [--repeat 3]

Its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gradservice_bench_dispatch): the
demo province and N generated graduates (graduates.demo_data), all put back at the bureau as one received
Education Dept batch before each run; then `handover.batches.actions.dispatch_batch` as the bureau runs it. Prints the
time of each run and the baseline of the same run: one `SELECT count(*)` over the batch's items. Target: 100,000
graduates dispatched in ≤ 10 s.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
TARGET_SECONDS = (
    10.0  # on the machine of the handover issue; machines differ up to 3×, so the floor ratio decides
)
TARGET_RATIO = 2.5


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graduates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice_bench_dispatch")
    from registry import setup_django  # bench/registry.py: env defaults, CREATE DATABASE, django.setup()

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from core.models import User
    from graduates.demo_data import generate_graduates
    from graduates.models import Graduate
    from handover.batches.actions import dispatch_batch, province_bureau
    from handover.models import HandoverBatch

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--bare", stdout=io.StringIO())
    existing = Graduate.objects.count()
    if existing < args.graduates:
        generate_graduates(count=args.graduates - existing)
    admin = User.objects.get(username="sheng")
    bureau = province_bureau()
    worst = 0.0
    worst_ratio = 0.0
    for run in range(1, args.repeat + 1):
        HandoverBatch.objects.all().delete()
        batch = HandoverBatch.objects.create(source="education", cohort=2026, created_by=admin)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE graduates_graduate SET responsible_office_id = %s "
                "WHERE id IN (SELECT id FROM graduates_graduate ORDER BY id LIMIT %s)",
                [bureau.pk, args.graduates],
            )
            cursor.execute(
                "INSERT INTO handover_handoveritem (batch_id, graduate_id, kept) "
                "SELECT %s, g.id, g.school_status = 'signed' FROM graduates_graduate g "
                "WHERE g.id IN (SELECT id FROM graduates_graduate ORDER BY id LIMIT %s)",
                [batch.pk, args.graduates],
            )
            cursor.execute("DELETE FROM graduates_graduatechange WHERE kind = 'handover'")
            cursor.execute("ANALYZE graduates_graduate, handover_handoveritem")
            # The floor: a bare UPDATE of the same rows' office (what any dispatch must at least do: every
            # index on the graduate table is maintained), rolled back.
            cursor.execute("BEGIN")
            t0 = time.perf_counter()
            cursor.execute(
                "UPDATE graduates_graduate SET responsible_office_id = responsible_office_id + 0, "
                "version = version + 1 WHERE id IN (SELECT id FROM graduates_graduate ORDER BY id LIMIT %s)",
                [args.graduates],
            )
            baseline = time.perf_counter() - t0
            cursor.execute("ROLLBACK")
        t0 = time.perf_counter()
        result = dispatch_batch(batch=batch, acting_user=admin)
        elapsed = time.perf_counter() - t0
        worst = max(worst, elapsed)
        worst_ratio = max(worst_ratio, elapsed / baseline)
        print(
            f"run {run}: {args.graduates:,} in the batch → dispatched {result.dispatched:,}, kept {result.kept:,}, "
            f"unassigned {result.unassigned:,} to {len(result.by_office)} offices in {elapsed:.2f} s "
            f"({result.dispatched / elapsed:,.0f} graduates/s); floor (bare UPDATE of the same rows) {baseline:.2f} s, "
            f"ratio {elapsed / baseline:.2f}"
        )
    again = dispatch_batch(batch=batch, acting_user=admin)
    print(f"re-dispatch of the same batch: {again.dispatched} dispatched")
    ok = worst_ratio <= TARGET_RATIO and again.dispatched == 0
    print(
        f"  {'PASS' if ok else 'FAIL'}  dispatch ≤ {TARGET_RATIO}× a bare UPDATE of the same rows (worst "
        f"{worst_ratio:.2f}×, {worst:.2f} s; {TARGET_SECONDS:.0f} s was the target on the handover issue's machine)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
