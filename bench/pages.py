"""Every staff page at province scale: p50/p95 server time and SQL query count, beside a same-run floor.

    .venv/bin/python bench/pages.py [--graduates 1000000] [--repeat 20] [--reuse]

Database: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gradservice_bench); created, migrated and seeded when
missing, graduates generated up to --graduates (bench/registry.py's `prepare`, i.e. generate_demo_data). Then,
unless handover rows already exist (or --reuse is given), handover batches and items, contact attempts and
transfers are added for a realistic share of the graduates with set-based INSERT ... SELECT (no app code).

Pages are requested in-process with Django's test Client (server time, no network) as the county clerk
(chengdong, 城东区), the prefecture clerk (xining, 西宁) and the bureau (sheng). Each line prints p50, p95, the
number of SQL queries of one request, and the ratio of its p95 to the floor (/healthz, a one-query page) of the
same run. Target: p95 ≤ 150 ms. The slowest SQL of every failing page is EXPLAINed (ANALYZE, BUFFERS) with
--explain. Exits 1 when a page misses the target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice_bench")

import registry  # setup_django, prepare: the same data generation

TARGET_MS = 150.0
USERS = ("chengdong", "xining", "sheng")

HANDOVER_SQL = [
    # One dispatched MOHRSS batch and one EDUCATION batch per cohort, created by the bureau.
    """
    INSERT INTO handover_handoverbatch (source, cohort, received_on, status, total, dispatched, unassigned,
        kept, created_at, dispatched_at, created_by_id)
    SELECT s.source, c.cohort, now()::date, 'dispatched', 0, 0, 0, 0, now(), now(), %(bureau_user)s
    FROM (SELECT DISTINCT cohort FROM graduates_graduate) c, (VALUES ('mohrss'), ('education')) s(source)
    """,
    # ~40 % of the graduates in a batch of their cohort; ~2 % of those not yet assigned (待分配, office NULL);
    # ~60 % of the assigned acknowledged (签收).
    """
    INSERT INTO handover_handoveritem (kept, dispatched_at, acknowledged_at, acknowledged_by_id, batch_id,
        graduate_id, office_id)
    SELECT false,
           CASE WHEN g.id %% 50 = 0 THEN NULL ELSE now() END,
           CASE WHEN g.id %% 50 <> 0 AND g.id %% 5 < 3 THEN now() END,
           NULL,
           b.id, g.id,
           CASE WHEN g.id %% 50 = 0 THEN NULL ELSE g.responsible_office_id END
    FROM graduates_graduate g
    JOIN handover_handoverbatch b
      ON b.cohort = g.cohort AND b.source = CASE WHEN g.id %% 2 = 0 THEN 'mohrss' ELSE 'education' END
    WHERE g.id %% 5 < 2
    """,
    """
    UPDATE handover_handoverbatch b SET total = s.n, dispatched = s.n - s.u, unassigned = s.u
    FROM (SELECT batch_id, count(*) n, count(*) FILTER (WHERE office_id IS NULL) u
          FROM handover_handoveritem GROUP BY batch_id) s
    WHERE s.batch_id = b.id
    """,
    # Contact attempts: 1 to 3 for ~30 % of the graduates.
    """
    INSERT INTO handover_contactattempt (at, method, outcome, note, graduate_id, office_id, staff_id)
    SELECT now() - make_interval(days => (g.id %% 90)::int, hours => n),
           (ARRAY['phone','home','online','data_match'])[1 + (g.id + n) %% 4],
           (ARRAY['no_answer','verified','unreachable','employed','elsewhere'])[1 + (g.id + n) %% 5],
           '', g.id, g.responsible_office_id, %(bureau_user)s
    FROM graduates_graduate g, generate_series(1, 3) n
    WHERE g.id %% 10 < 3 AND n <= 1 + g.id %% 3
    """,
    # Transfers: ~0.5 % of the graduates, to the next office, in every status.
    """
    INSERT INTO handover_transfer (reason, status, requested_at, decided_at, decision_note, decided_by_id,
        from_office_id, graduate_id, requested_by_id, to_office_id, to_region_id)
    SELECT '现居外地', (ARRAY['requested','accepted','rejected','cancelled'])[1 + g.id %% 4],
           now() - make_interval(days => (g.id %% 60)::int),
           CASE WHEN g.id %% 4 <> 0 THEN now() END, '', NULL,
           g.responsible_office_id, g.id, %(bureau_user)s,
           (SELECT o.id FROM core_office o WHERE o.id <> g.responsible_office_id
            ORDER BY (o.id + g.id) %% 97 LIMIT 1),
           NULL
    FROM graduates_graduate g
    WHERE g.id %% 200 = 7
    """,
]


def add_handover(reuse: bool) -> None:
    from django.db import connection, transaction

    from core.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM handover_handoveritem)")
        if cursor.fetchone()[0] or reuse:
            print("handover rows present: reused")
            return
        bureau = User.objects.get(username="sheng").pk
        started = time.perf_counter()
        with transaction.atomic():
            for sql in HANDOVER_SQL:
                cursor.execute(sql, {"bureau_user": bureau})
        # As autovacuum would after a bulk load: index-only scans need the visibility map.
        cursor.execute(
            "VACUUM (ANALYZE) handover_handoverbatch, handover_handoveritem, handover_contactattempt, "
            "handover_transfer"
        )
    print(f"handover rows added in {time.perf_counter() - started:.1f} s")


@dataclass
class Line:
    user: str
    name: str
    timings_ms: list[float] = field(default_factory=list)
    queries: int = 0
    error: str = ""
    slowest_sql: str = ""
    floor: bool = False

    def p(self, n: int) -> float:
        if len(self.timings_ms) == 1:
            return self.timings_ms[0]
        return statistics.quantiles(self.timings_ms, n=100, method="inclusive")[n - 1]


def measure(line: Line, client, url: str, repeat: int) -> Line:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
        line.queries = len(captured.captured_queries)
        selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        if selects:
            line.slowest_sql = max(selects, key=lambda q: float(q["time"]))["sql"]
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            line.timings_ms.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # a page that fails is reported, not measured
        line.error = f"{type(exc).__name__}: {exc}"[:160]
    return line


def deep_cursor(fetch_page, number: int) -> tuple[int, str]:
    """(page number, query string) of the 下一页 link that leads to page NUMBER (or to the last full page before
    the end, when the list is shorter): what a clerk clicking through reaches, a keyset seek."""
    first = fetch_page(1)
    pages = -(-first.count // first.per_page)  # exact, or from the estimate beyond the cap
    previous = fetch_page(max(1, min(number, pages - 1) - 1))
    return (previous.number or 0) + 1, previous.next_params


def pages(user) -> list[tuple[str, str]]:
    """(label, url) of every staff page USER can open."""
    from django.http import QueryDict

    from graduates import paging, selectors
    from graduates.models import Graduate
    from handover.batches.selectors import works_for_bureau
    from handover.contact.selectors import worklist_page

    def u(name, *args, **query):
        return registry.url_for(name, *args) + ("?" + urlencode(query) if query else "")

    visible = Graduate.objects.in_scope_of(user)
    cohort = Graduate.objects.order_by("-cohort").values_list("cohort", flat=True).first()
    some = visible.order_by("id").values_list("id", flat=True)[1000:1001]
    record_id = some[0] if some else visible.values_list("id", flat=True).first()

    def list_page(number: int):
        filterset, queryset = selectors.graduate_list(user=user, params=QueryDict())
        return paging.keyset_page(
            queryset,
            key=filterset.order_by[0],
            params={"page": str(number)},
            per_page=50,
            count_queryset=filterset.qs,
            boundary_queryset=selectors.graduates_visible_to(user),
        )

    list_number, list_query = deep_cursor(list_page, 500)
    work_number, work_query = deep_cursor(lambda n: worklist_page(user=user, params={"page": str(n)}), 500)
    out = [
        ("list", u("graduates:list")),
        ("list state=waiting", u("graduates:list", state="waiting")),
        (f"list cohort={cohort}", u("graduates:list", cohort=cohort)),
        ("list education=3 (本科)", u("graduates:list", education="3")),
        ("list category=fresh", u("graduates:list", category="fresh")),
        ("list hardship=2", u("graduates:list", hardship="2")),
        ("list intention=1", u("graduates:list", intention="1")),
        ("list destination=none", u("graduates:list", destination="none")),
        ("list info=incomplete", u("graduates:list", info="incomplete")),
        ("list staff=none", u("graduates:list", staff="none")),
        ("list major=计算机", u("graduates:list", major="计算机")),
        *[
            (f"list sort={s}", u("graduates:list", sort=s))
            for s in ("updated", "created", "name", "cohort", "graduation", "state")
        ],
        (f"list page {list_number} (下一页 link)", u("graduates:list") + "?" + list_query),
        ("list 末页 (page=last)", u("graduates:list", page="last")),
        ("list page 500 typed (offset)", u("graduates:list", page=500)),
        ("record", u("graduates:detail", record_id)),
        ("handover home", u("handover:home")),
        ("worklist", u("handover:worklist")),
        (f"worklist page {work_number} (下一页 link)", u("handover:worklist") + "?" + work_query),
        ("worklist 末页 (page=last)", u("handover:worklist", page="last")),
        *([("待分配 queue", u("handover:unassigned"))] if works_for_bureau(user) else []),
        ("transfers inbox+outbox", u("transfers:list")),
        ("handover progress", u("reporting:progress")),
        ("imports list", u("roster:list")),
        ("notifications", u("notifications")),
        ("home", "/"),
    ]
    return out


def run(repeat: int, only: str | None) -> list[Line]:
    from django.db import connection
    from django.test import Client

    from core.models import User

    lines: list[Line] = []
    select1 = Line("-", "floor: SELECT 1", floor=True, queries=1)
    with connection.cursor() as cursor:
        for _ in range(max(repeat, 50)):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            select1.timings_ms.append((time.perf_counter() - started) * 1000)
    lines.append(select1)
    anon = Client()
    lines.append(measure(Line("-", "floor: /healthz", floor=True), anon, "/healthz", repeat))
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, url in pages(user):
            if only and only not in label:
                continue
            lines.append(measure(Line(username, label), client, url, repeat))
            print(f"  {username:10} {label:32} done", file=sys.stderr, flush=True)
    return lines


def report(lines: list[Line], repeat: int, explain: bool) -> bool:
    from django.db import connection

    from graduates.models import Graduate
    from handover.models import ContactAttempt, HandoverItem, Transfer

    floor = next((x for x in lines if x.name == "floor: /healthz" and x.timings_ms), None)
    floor_p95 = floor.p(95) if floor else 1.0
    print()
    print(
        f"{Graduate.objects.count():,} graduates, {HandoverItem.objects.count():,} handover items, "
        f"{ContactAttempt.objects.count():,} contact attempts, {Transfer.objects.count():,} transfers; "
        f"{os.cpu_count()} CPU cores; {repeat} requests per line after one warm-up; target p95 ≤ {TARGET_MS:.0f} ms"
    )
    print()
    print(
        f"| {'user':10} | {'page':32} | {'p50 ms':>8} | {'p95 ms':>8} | {'queries':>7} | {'×floor':>7} | verdict |"
    )
    print(f"|{'-' * 12}|{'-' * 34}|{'-' * 10}|{'-' * 10}|{'-' * 9}|{'-' * 9}|---------|")
    ok = True
    failing: list[Line] = []
    for x in lines:
        if x.error:
            print(
                f"| {x.user:10} | {x.name:32} | {'—':>8} | {'—':>8} | {'—':>7} | {'—':>7} | FAIL: {x.error}"
            )
            ok = False
            continue
        passed = x.p(95) <= TARGET_MS
        verdict = "floor" if x.floor else ("PASS" if passed else "FAIL")
        print(
            f"| {x.user:10} | {x.name:32} | {x.p(50):8.1f} | {x.p(95):8.1f} | {x.queries:7} | "
            f"{x.p(95) / floor_p95:7.1f} | {verdict:7} |"
        )
        if not x.floor and not passed:
            ok = False
            failing.append(x)
    if explain:
        with connection.cursor() as cursor:
            for x in failing:
                if not x.slowest_sql:
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + x.slowest_sql)
                print(f"\n--- {x.user} {x.name}\n{x.slowest_sql}")
                print("\n".join(r[0] for r in cursor.fetchall()))
    print("\nALL PASS" if ok else "\nSOME PAGES FAIL")
    return ok


def refresh_progress() -> None:
    """Count the progress page's snapshot, as Celery beat does every 5 minutes (handover.refresh_progress)."""
    from reporting.progress.snapshot import refresh_snapshot

    started = time.perf_counter()
    rows = refresh_snapshot()
    print(
        f"progress snapshot counted in {time.perf_counter() - started:.1f} s ({rows} rows; beat: every 5 min)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graduates", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="use the data as it is: generate nothing")
    parser.add_argument("--only", help="only pages whose label contains this text")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) failing pages")
    args = parser.parse_args()
    registry.setup_django()
    if args.reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the code may have moved on since the data was loaded
    else:
        registry.prepare(args.graduates, args.seed)
    add_handover(args.reuse)
    refresh_progress()
    return 0 if report(run(args.repeat, args.only), args.repeat, args.explain) else 1


if __name__ == "__main__":
    sys.exit(main())
