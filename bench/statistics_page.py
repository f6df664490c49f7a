"""The statistics page (/reporting/statistics/) at province scale: 1,000,000 graduates and their service entries.

    .venv/bin/python bench/statistics_page.py [--graduates 1000000] [--entries 3000000] [--repeat 10] [--obligations]

Its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gradservice_bench_statistics):
created, migrated and seeded when missing; graduates generated as bench/registry.py does (several cohorts, visits
included), service entries as bench/services.py does (--entries in all), then VACUUM (ANALYZE). With
--obligations the hourly refresh of the service plans runs once (services.plans.refresh_obligations), so the page
also reads plan compliance from the kept obligations as it does in production.

Prints, for the bureau (sheng, the province), a prefecture (xining) and a county (chengdong): p50/p95 server time
(Django's test Client in-process) of the page's frame (what the browser shows first), of each of its sections
(each loads its breakdown by its own request), their sum, and of the .xlsx of every breakdown, beside the floor
/healthz (a one-query page) of the same run and the ratio to it. No target: the ratio is what to compare between
runs (the machine is shared).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts this script's folder first on sys.path, where this file would shadow the standard library's
# `statistics` (which registry.py and services.py use): load the real one first, then add the folder back.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, str(BENCH))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice_bench_statistics")

import registry  # noqa: E402 - setup_django, prepare: the same data generation


def pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def timed(call, repeat: int) -> list[float]:
    call()  # warm: connection, caches
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def log_in(client, user) -> None:
    """Log CLIENT in as USER, the second factor included for those who need it (the bureau's admin): django-otp's
    own login() with the user's authenticator, as the verification page does (tests/conftest.py does the same)."""
    from django.http import HttpRequest
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.security.otp import requires_otp

    client.force_login(user)
    if not requires_otp(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    request = HttpRequest()
    request.session = client.session
    request.user = user
    otp_login(request, device)
    request.session.save()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graduates", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--obligations", action="store_true", help="run the plans' refresh once")
    args = parser.parse_args()

    registry.setup_django()
    registry.prepare(args.graduates, args.seed)
    # bench/services.py's add_entries (loaded by path: the name `services` is the Django app's).
    spec = importlib.util.spec_from_file_location("bench_services", Path(__file__).with_name("services.py"))
    services_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(services_bench)
    services_bench.add_entries(args.entries)

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from core.models import User
    from reporting.statistics import selectors

    if args.obligations:
        from services.plans import active_standard, refresh_obligations

        standard = active_standard()
        if standard is not None:
            started = time.perf_counter()
            refresh_obligations(standard=standard, as_of=timezone.localdate())
            print(f"plans refreshed in {time.perf_counter() - started:.0f} s")

    with connection.cursor() as cursor:
        cursor.execute("SELECT cohort, count(*) FROM graduates_graduate GROUP BY 1 ORDER BY 1")
        cohorts = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM services_serviceentry")
        entries = cursor.fetchone()[0]
    cohort = max(cohorts, key=lambda row: row[1])[0]
    print(f"graduates per cohort: {dict(cohorts)}; service entries: {entries:,}; timing cohort {cohort}")

    client = Client()
    floor = timed(lambda: client.get("/healthz"), args.repeat * 3)
    floor_p95 = pct(floor, 95)
    print(f"\n{'user':10} {'request':34} {'p50 ms':>9} {'p95 ms':>9} {'×floor':>8}")
    print(f"{'-':10} {'floor: /healthz':34} {pct(floor, 50):9.1f} {floor_p95:9.1f} {1:8.0f}")

    def line(username: str, label: str, url: str, repeat: int) -> float:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        timings = timed(lambda: client.get(url), repeat)
        p95 = pct(timings, 95)
        print(
            f"{username:10} {label:34} {pct(timings, 50):9.1f} {p95:9.1f} {p95 / floor_p95:8.0f}", flush=True
        )
        return pct(timings, 50)

    page = f"/reporting/statistics/?cohort={cohort}"
    for username in ("sheng", "xining", "chengdong"):
        log_in(client, User.objects.get(username=username))
        line(username, "page frame (first paint)", page, args.repeat)
        total = 0.0
        for key in selectors.BREAKDOWNS:
            total += line(
                username, f"  section {key}", f"{page}&breakdown={key}&part=1", max(3, args.repeat // 2)
            )
        print(f"{username:10} {'  all sections, one after another':34} {total:9.1f}")
        line(username, "xlsx (all breakdowns)", f"/reporting/statistics/statistics.xlsx?cohort={cohort}", 3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
