"""Services at scale: 1,000,000 graduates and 10,000,000 service entries (issue 9's speed targets).

    .venv/bin/python bench/services.py [--graduates 1000000] [--entries 10000000] [--repeat 20] [--reuse]

Its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gradservice_bench_services, so the
shared page benchmark's data stays as it is): created, migrated and seeded when missing, graduates generated as
bench/registry.py does, handover items for 40 % of them as bench/pages.py does (anchors from a dispatch), then
service entries by set-based INSERT … SELECT (10 per graduate by default, types and dates spread, 1 % voided),
then VACUUM (ANALYZE). Figures, each beside a same-run floor:

- the office's overdue list (/services/plans/, the worklist page) as 城东区, 西宁 and the bureau: p50/p95 server time
  (Django's test Client in-process) against the floor /healthz (a one-query page); target p95 ≤ 150 ms;
- the hourly refresh of every obligation (services.plans.refresh_obligations: the plan query into
  services_obligation), once per day of data unless --refresh;
- the province compliance summary (services.plans.compliance_from_snapshot, the one query of /services/compliance/
  once a snapshot exists): target ≤ 5 s; floor: a bare count of the kept obligations; with --live also the same
  summary computed live by the plan query (services.plans.compliance), checked equal;
- logging one service (services.actions.log_service): p50/p95, target ≤ 50 ms; floor: /healthz;
- loading a 10,000-row ledger (services.ledger.import_ledger: read, check, log): target ≤ 10 s; floor: a COPY of
  the same 10,000 rows into a temporary table shaped like the service log.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice_bench_services")

import registry  # setup_django, prepare: the same data generation

PAGE_TARGET_MS = 150.0
COMPLIANCE_TARGET_S = 5.0
LOG_TARGET_MS = 50.0
LEDGER_TARGET_S = 10.0
LEDGER_ROWS = 10_000


def add_handover() -> None:
    import pages
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM handover_handoveritem)")
        if cursor.fetchone()[0]:
            return
    pages.add_handover(False)


def add_entries(total: int) -> None:
    """Service entries by `services.demo_data` (the code behind `generate_demo_data --services`)."""
    from django.db import connection

    from core.models import User
    from services.demo_data import generate_service_entries

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM services_serviceentry")
        existing = cursor.fetchone()[0]
        if existing >= total * 0.95:
            print(f"{existing:,} service entries in the database: nothing to add")
            return
        cursor.execute("SELECT count(*) FROM graduates_graduate")
        graduates = cursor.fetchone()[0]
    per = max(1, round((total - existing) / graduates))
    print(f"adding {per} service entries per graduate (about {per * graduates:,}) ...", flush=True)
    result = generate_service_entries(
        per_graduate=per,
        acting_user=User.objects.get(username="sheng"),
        progress=lambda written, seconds: print(f"  {written:,} entries: {seconds:.0f} s", flush=True),
    )
    with connection.cursor() as cursor:
        connection.connection.autocommit = True
        cursor.execute("VACUUM (ANALYZE) services_serviceentry")
        cursor.execute("ANALYZE")
    print(f"{result.entries:,} service entries loaded in {result.seconds:.0f} s")


def pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def timed_get(client, url: str, repeat: int) -> list[float]:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def ledger_file(office, rows: int, tag: str) -> tuple[bytes, list[tuple]]:
    """An .xlsx ledger of ROWS services for graduates of OFFICE's subtree (TAG makes its content new each run)."""
    from django.utils import timezone
    from openpyxl import Workbook

    from core.models import Office, region_prefix
    from graduates.models import Graduate

    offices = Office.objects.employment_offices().filter(
        region__code__startswith=region_prefix(office.region_id)
    )
    numbers = list(
        Graduate.objects.filter(responsible_office__in=offices).values_list("id_number", flat=True)[:rows]
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["公民身份号码", "服务类型", "服务日期", "服务内容", "经办人"])
    today = timezone.localdate() - datetime.timedelta(days=1)
    copied = []
    for n in range(rows):
        number = numbers[n % len(numbers)]
        content = f"台账{tag}-{n}"
        sheet.append([number, "职业介绍", today.isoformat(), content, "演示·西宁市经办员"])
        copied.append((number, "job_referral", today, content))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), copied


def copy_floor(rows: list[tuple]) -> float:
    """Seconds to COPY ROWS into a temporary table shaped like the log's columns (the load's floor)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE ledger_floor (id_number text, service_type text, date date, content text) "
            "ON COMMIT DROP"
        )
        data = io.StringIO("".join(f"{a}\t{b}\t{c}\t{d}\n" for a, b, c, d in rows))
        started = time.perf_counter()
        cursor.copy_expert("COPY ledger_floor FROM STDIN", data)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graduates", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="use the data as it is: generate nothing")
    parser.add_argument(
        "--refresh", action="store_true", help="recompute every obligation even if done today"
    )
    parser.add_argument("--live", action="store_true", help="also time the province summary computed live")
    args = parser.parse_args()
    registry.setup_django()
    from django.core.management import call_command

    if args.reuse:
        call_command("migrate", verbosity=0)
    else:
        registry.prepare(args.graduates, args.seed)
        add_handover()
        add_entries(args.entries)

    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from core.models import Office, User
    from graduates.models import Graduate
    from services import actions
    from services.ledger import import_ledger
    from services.models import PlanSnapshot
    from services.plans import (
        PlanScope,
        active_standard,
        compliance,
        compliance_from_snapshot,
        refresh_obligations,
    )

    standard = active_standard()
    if (
        args.refresh
        or not PlanSnapshot.objects.filter(standard=standard, as_of=timezone.localdate()).exists()
    ):
        print("computing every graduate's obligations (the hourly task) ...", flush=True)
        refresh_obligations()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) services_obligation")
    snapshot = PlanSnapshot.objects.get(standard=standard)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM graduates_graduate), (SELECT count(*) FROM services_serviceentry)"
        )
        graduates, entries = cursor.fetchone()
    print(f"\n{graduates:,} graduates, {entries:,} service entries; {args.repeat} timed runs per line\n")
    print(
        f"{'hourly refresh of every obligation':<44} {snapshot.seconds:7.1f} s  ({snapshot.rows:,} rows, "
        f"computed {snapshot.refreshed_at:%Y-%m-%d %H:%M})"
    )
    ok = True
    anonymous = Client()
    floor = timed_get(anonymous, "/healthz", args.repeat)
    print(f"{'floor: /healthz':<44} p50 {pct(floor, 50):8.1f} ms  p95 {pct(floor, 95):8.1f} ms")
    for username in ("chengdong", "xining", "sheng"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        timings = timed_get(client, "/services/plans/", args.repeat)
        p95 = pct(timings, 95)
        ok &= p95 <= PAGE_TARGET_MS
        print(
            f"{'overdue list /services/plans/ as ' + username:<44} p50 {pct(timings, 50):8.1f} ms  p95 {p95:8.1f} ms"
            f"  ×{p95 / pct(floor, 95):.0f} floor  target ≤ {PAGE_TARGET_MS:.0f} ms {'ok' if p95 <= PAGE_TARGET_MS else 'MISS'}"
        )  # fmt: skip

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("SELECT count(*) FROM services_obligation")
        count_floor = time.perf_counter() - started
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        rows = compliance_from_snapshot(
            standard=standard, as_of=timezone.localdate(), scope=PlanScope(), group_by="prefecture"
        )
        runs.append(time.perf_counter() - started)
    best = min(runs)
    total = next(r for r in rows if r.key is None and r.rule_id is None)
    ok &= best <= COMPLIANCE_TARGET_S
    print(
        f"{'province compliance summary (one query)':<44} best {best:7.2f} s  of 3 ({', '.join(f'{r:.2f}' for r in runs)})"
        f"  floor count(*) of the rows {count_floor:.2f} s  ×{best / count_floor:.1f}  target ≤ {COMPLIANCE_TARGET_S:.0f} s "
        f"{'ok' if best <= COMPLIANCE_TARGET_S else 'MISS'}  ({total.total:,} obligations: {total.counts})"
    )  # fmt: skip
    if args.live:
        started = time.perf_counter()
        live = compliance(
            standard=standard, as_of=timezone.localdate(), scope=PlanScope(), group_by="prefecture"
        )
        seconds = time.perf_counter() - started
        same = {(r.key, r.rule_id): r.counts for r in live} == {(r.key, r.rule_id): r.counts for r in rows}
        print(
            f"{'  the same computed live (plan query)':<44} {seconds:7.2f} s  {'same counts' if same else 'DIFFERENT'}"
        )

    clerk = User.objects.get(username="xining")
    graduate_ids = list(Graduate.objects.in_scope_of(clerk).values_list("id", flat=True)[: args.repeat * 2])
    timings = []
    with transaction.atomic():
        for pk in graduate_ids:
            graduate = Graduate.objects.get(pk=pk)
            started = time.perf_counter()
            actions.log_service(
                graduate=graduate, service_type="policy", date=timezone.localdate(), channel="phone",
                content="基准测试", acting_user=clerk,
            )  # fmt: skip
            timings.append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)  # leave the data as it was
    p95 = pct(timings, 95)
    ok &= p95 <= LOG_TARGET_MS
    print(
        f"{'log one service (log_service)':<44} p50 {pct(timings, 50):8.1f} ms  p95 {p95:8.1f} ms"
        f"  ×{p95 / pct(floor, 95):.0f} floor  target ≤ {LOG_TARGET_MS:.0f} ms {'ok' if p95 <= LOG_TARGET_MS else 'MISS'}"
    )  # fmt: skip

    office = Office.objects.get(pk=clerk.office_id)
    content, copied = ledger_file(office, LEDGER_ROWS, tag=str(int(time.time())))
    floor_s = copy_floor(copied)
    with transaction.atomic():
        started = time.perf_counter()
        report = import_ledger(content=content, office=office, acting_user=clerk)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    ok &= seconds <= LEDGER_TARGET_S and report.logged == LEDGER_ROWS
    print(
        f"{'ledger of 10,000 rows (import_ledger)':<44} {seconds:7.2f} s  logged {report.logged:,}, invalid {report.invalid}"
        f"  floor COPY {floor_s:.3f} s  ×{seconds / floor_s:.0f}  target ≤ {LEDGER_TARGET_S:.0f} s "
        f"{'ok' if seconds <= LEDGER_TARGET_S else 'MISS'}"
    )  # fmt: skip
    print("\nALL PASS" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
