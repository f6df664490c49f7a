"""The registry's pages at 1,000,000 graduates: p50/p95/max server time and the plan of each page's main query.

    .venv/bin/python bench/registry.py [--graduates 1000000] [--repeat 50]

Runs against its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gradservice_bench):
creates it if missing, migrates, seeds the demo province and generates graduates up to --graduates. Then it
requests each page in-process with Django's test Client (no network, no web server: the server's own time),
as the demo user `xining` (the 西宁 prefecture office), a different existing record on every repeat, and prints
the figures against the target (p95 ≤ 150 ms), plus EXPLAIN (ANALYZE, BUFFERS) of the slowest query on
graduates_graduate of each page. Exits 1 when a page misses the target or does not exist.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150.0
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gradservice_bench"
USERNAME = "xining"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("HTTPS", "0")
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
    os.environ["ALLOWED_HOSTS"] = ",".join(dict.fromkeys([*hosts, "testserver"]))
    ensure_database(os.environ["DATABASE_URL"])
    import django
    from django.conf import settings

    django.setup()
    # Static URLs from the finders, as in the tests: no collectstatic manifest needed for a benchmark.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def ensure_database(url: str) -> None:
    """CREATE DATABASE when the URL's database does not exist yet (connecting to the server's 'postgres')."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password,
    }
    try:
        psycopg2.connect(dbname=name, **params).close()
        return
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    print(f"created database {name}")


def prepare(graduates: int, seed: int) -> None:
    from django.core.management import call_command

    from core.demo import seed_demo_province
    from graduates.demo_data import generate_graduates
    from graduates.models import Graduate

    call_command("migrate", verbosity=0)
    seed_demo_province()
    existing = Graduate.objects.count()
    if existing >= graduates:
        print(f"{existing:,} graduates in the database (≥ {graduates:,}): nothing to generate")
        return
    print(f"{existing:,} graduates in the database: generating {graduates - existing:,} ...")

    def progress(p) -> None:
        print(
            f"  batch {p.batch}/{p.batches}: {p.graduates:,} rows, {p.rows_per_second:,.0f} rows/s",
            flush=True,
        )

    result = generate_graduates(count=graduates - existing, seed=seed, progress=progress)
    print(
        f"generated {result.graduates:,} graduates, {result.sources:,} sources, {result.visits:,} visits "
        f"in {result.seconds:.1f} s ({result.rows_per_second:,.0f} graduates/s)"
    )


@dataclass
class Line:
    name: str
    timings_ms: list[float] = field(default_factory=list)
    error: str = ""
    queries: int = 0
    explain: str = ""
    explained_sql: str = ""
    baseline: bool = False

    def percentile(self, p: int) -> float:
        if len(self.timings_ms) == 1:
            return self.timings_ms[0]
        return statistics.quantiles(self.timings_ms, n=100, method="inclusive")[p - 1]

    @property
    def passed(self) -> bool:
        return not self.error and bool(self.timings_ms) and self.percentile(95) <= TARGET_MS


def samples(user, repeat: int, seed: int) -> list[dict]:
    """REPEAT different existing records in USER's scope, spread over the table (one index probe each)."""
    from django.db.models import Max, Min

    from graduates.models import Graduate

    visible = Graduate.objects.in_scope_of(user).exclude(mobile="")
    bounds = Graduate.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        raise SystemExit("no graduates in the database")
    rng = random.Random(seed)
    picked: dict[int, dict] = {}
    for _ in range(repeat * 20):
        start = rng.randint(bounds["low"], bounds["high"])
        row = (
            visible.filter(id__gte=start)
            .order_by("id")
            .values("id", "id_number", "name", "mobile", "cohort")
            .first()
        )
        if row is not None:
            picked[row["id"]] = row
        if len(picked) >= repeat:
            break
    if not picked:
        raise SystemExit(f"no graduate in {user}'s scope")
    rows = list(picked.values())
    rng.shuffle(rows)
    return rows


def url_for(name: str, *args) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        raise LookupError(f"URL name {name!r} does not exist (page not built yet?)") from None


def measure(
    line: Line,
    client,
    make_url: Callable[[int], str],
    repeat: int,
    expect: Callable[[int], str] | None = None,
) -> None:
    """Warm up once, then REPEAT timed GETs; every response must be 200 (and contain EXPECT(i) if given)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        first = make_url(0)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(first)
        check(response, first, expect(0) if expect else None)
        line.queries = len(captured.captured_queries)
        explain(line, captured.captured_queries)
        for i in range(repeat):
            url = make_url(i)
            started = time.perf_counter()
            response = client.get(url)
            line.timings_ms.append((time.perf_counter() - started) * 1000)
            check(response, url, expect(i) if expect else None)
    except (LookupError, AssertionError) as exc:
        line.error = str(exc)
        line.timings_ms.clear()
    except Exception as exc:  # a page that crashes is reported, not measured
        line.error = f"{type(exc).__name__}: {exc}"
        line.timings_ms.clear()


def check(response, url: str, needle: str | None) -> None:
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}, not 200")
    if needle and needle not in response.content.decode():
        raise AssertionError(f"GET {url}: the page does not show {needle!r} (search found nothing?)")


def explain(line: Line, queries: list[dict]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) the slowest SELECT on graduates_graduate the page ran."""
    from django.db import connection

    candidates = [
        q
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT") and '"graduates_graduate"' in q["sql"]
    ]
    if not candidates:
        line.explain = "(no SELECT on graduates_graduate)"
        return
    slowest = max(candidates, key=lambda q: float(q["time"]))
    line.explained_sql = slowest["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        line.explain = "\n".join(row[0] for row in cursor.fetchall())


INDEX_NODE = re.compile(r"(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)")


def index_verdict(plan: str) -> str:
    """Which of the registry's indexes the plan uses, or the sequential scan it falls back to."""
    if "Seq Scan on graduates_graduate" in plan:
        return "SEQUENTIAL SCAN of graduates_graduate (no index used)"
    used = sorted(
        {f"{name} ({node})" for node, name in INDEX_NODE.findall(plan) if name.startswith("graduate")}
    )
    return "index used: " + ", ".join(used) if used else "no index of graduates_graduate in the plan"


def run(repeat: int, seed: int) -> list[Line]:
    from django.db import connection
    from django.test import Client

    from core.models import User
    from graduates.models import Graduate

    user = User.objects.get(username=USERNAME)
    client = Client()
    client.force_login(user)
    rows = samples(user, repeat, seed)
    cohort = Graduate.objects.order_by("-cohort").values_list("cohort", flat=True).first()

    def pick(i: int) -> dict:
        return rows[i % len(rows)]

    lines = []

    select1 = Line("baseline: SELECT 1 round-trip", baseline=True)
    with connection.cursor() as cursor:
        for _ in range(max(repeat, 50)):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            select1.timings_ms.append((time.perf_counter() - started) * 1000)
    lines.append(select1)

    home = Line("baseline: home page /", baseline=True)
    measure(home, client, lambda i: "/", repeat)
    lines.append(home)

    def list_url(extra: dict) -> str:
        return url_for("graduates:list") + "?" + urlencode(extra)

    page = Line(f"list: 西宁, state=waiting, cohort={cohort}")
    measure(page, client, lambda i: list_url({"state": "waiting", "cohort": cohort}), repeat)
    lines.append(page)

    by_id = Line("search: full ID number")
    measure(by_id, client, lambda i: list_url({"q": pick(i)["id_number"]}), repeat, lambda i: pick(i)["name"])
    lines.append(by_id)

    by_name = Line("search: name (prefix)")
    measure(by_name, client, lambda i: list_url({"q": pick(i)["name"]}), repeat, lambda i: pick(i)["name"])
    lines.append(by_name)

    by_phone = Line("search: mobile number")
    measure(by_phone, client, lambda i: list_url({"q": pick(i)["mobile"]}), repeat, lambda i: pick(i)["name"])
    lines.append(by_phone)

    record = Line("record page /graduates/<pk>/")
    measure(
        record,
        client,
        lambda i: url_for("graduates:detail", pick(i)["id"]),
        repeat,
        lambda i: pick(i)["name"],
    )
    lines.append(record)
    return lines


def report(lines: list[Line], repeat: int) -> bool:
    from django.db import connection

    from graduates.models import FollowUpVisit, Graduate, GraduateSource

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print()
    print(
        f"PostgreSQL {version}, {os.cpu_count()} CPU cores; {Graduate.objects.count():,} graduates, "
        f"{GraduateSource.objects.count():,} source records, {FollowUpVisit.objects.count():,} visits; "
        f"user {USERNAME}; {repeat} requests per line, each after one warm-up request"
    )
    print(f"target: p95 ≤ {TARGET_MS:.0f} ms server time per page")
    print()
    print(f"{'':44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}  verdict")
    ok = True
    for line in lines:
        if line.error:
            print(f"{line.name:44} {'—':>8} {'—':>8} {'—':>8} {'—':>8}  FAIL: {line.error}")
            ok = ok and line.baseline
            continue
        verdict = "(context)" if line.baseline else ("PASS" if line.passed else "FAIL")
        queries = str(line.queries) if line.queries else ""
        print(
            f"{line.name:44} {line.percentile(50):8.1f} {line.percentile(95):8.1f} "
            f"{max(line.timings_ms):8.1f} {queries:>8}  {verdict}"
        )
        ok = ok and (line.baseline or line.passed)
    for line in lines:
        if line.baseline or not line.explain:
            continue
        print()
        print(f"--- {line.name}: {index_verdict(line.explain)}")
        print(line.explained_sql)
        print(line.explain)
    print()
    print("ALL PASS" if ok else "SOME LINES FAIL")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--graduates", type=int, default=1_000_000, help="graduates to have (default 1,000,000)"
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per line (default 50)")
    parser.add_argument("--seed", type=int, default=2026, help="seed for generation and the picked records")
    args = parser.parse_args()
    setup_django()
    prepare(args.graduates, args.seed)
    lines = run(args.repeat, args.seed)
    return 0 if report(lines, args.repeat) else 1


if __name__ == "__main__":
    sys.exit(main())
