"""The progress page's snapshot (reporting.progress.models.ProgressSnapshot): the live figures of
reporting.progress.progress counted once for every region-code prefix and cohort, refreshed set-based every 5
minutes by Celery beat (reporting.refresh_progress) and on demand (the page's 刷新 button).

Why the figures stay those of the live query: one row per graduate and prefix is formed first (province 2,
prefecture 4, county 6 digits of the holding office's region code; per cohort and over every cohort), so a
graduate held by two offices of a subtree is still counted once at each level, exactly as the live query's
GROUPING SETS count them; then plain counts of those rows. The page reads the rows of one level (a few dozen);
a snapshot older than STALE_AFTER (beat stopped) is not shown: the page counts live instead.

A refresh replaces every row in one transaction (readers see the old rows until it commits); concurrent
refreshes do not queue: a refresh finding another one running returns at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

STALE_AFTER = datetime.timedelta(minutes=20)
LOCK = "reporting.refresh_progress"

# Items → one row per (county key, cohort, graduate) with the graduate's state and contacted flag → one row per
# (prefix, cohort or every cohort, graduate) → counts per (prefix, cohort or every cohort).
REFRESH_SQL = """
INSERT INTO reporting_progresssnapshot (key, cohort, received, acknowledged, contacted, verified, not_seeking,
                                       unreachable, employed, studying, transferred, oldest_waiting,
                                       first_dispatch, computed_at)
WITH items AS (
    SELECT substr(o.region_id, 1, 6) AS k6, b.cohort, i.graduate_id,
           bool_or(i.acknowledged_at IS NOT NULL) AS acknowledged,
           min(i.dispatched_at) FILTER (WHERE i.acknowledged_at IS NULL) AS oldest_waiting,
           min(i.dispatched_at) AS first_dispatch
    FROM handover_handoveritem i
    JOIN core_office o ON o.id = i.office_id
    JOIN handover_handoverbatch b ON b.id = i.batch_id
    WHERE i.dispatched_at IS NOT NULL
    GROUP BY 1, 2, 3
), flagged AS (
    SELECT items.*, g.state,
           g.state <> 'waiting' OR EXISTS (
               SELECT 1 FROM handover_contactattempt c WHERE c.graduate_id = items.graduate_id
           ) AS contacted
    FROM items JOIN graduates_graduate g ON g.id = items.graduate_id
), per AS (
    SELECT k.key, f.cohort, GROUPING(f.cohort) = 1 AS every_cohort, f.graduate_id, f.state, f.contacted,
           bool_or(f.acknowledged) AS acknowledged,
           min(f.oldest_waiting) AS oldest_waiting,
           min(f.first_dispatch) AS first_dispatch
    FROM flagged f
    CROSS JOIN LATERAL (VALUES (f.k6), (substr(f.k6, 1, 4)), (substr(f.k6, 1, 2))) AS k(key)
    GROUP BY GROUPING SETS (
        (k.key, f.cohort, f.graduate_id, f.state, f.contacted), (k.key, f.graduate_id, f.state, f.contacted)
    )
)
SELECT key, CASE WHEN every_cohort THEN NULL ELSE cohort END,
       count(*),
       count(*) FILTER (WHERE acknowledged),
       count(*) FILTER (WHERE contacted),
       count(*) FILTER (WHERE state IN ('verified', 'not_seeking')),
       count(*) FILTER (WHERE state = 'not_seeking'),
       count(*) FILTER (WHERE state = 'unreachable'),
       count(*) FILTER (WHERE state = 'employed'),
       count(*) FILTER (WHERE state = 'studying'),
       count(*) FILTER (WHERE state = 'transferred'),
       min(oldest_waiting),
       min(first_dispatch),
       %(now)s
FROM per
GROUP BY key, every_cohort, cohort
UNION ALL
SELECT '', NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, %(now)s
"""

READ_SQL = """
SELECT key, received, acknowledged, contacted, verified, not_seeking, unreachable, employed, studying,
       transferred, oldest_waiting, first_dispatch, computed_at
FROM reporting_progresssnapshot
WHERE key = '' OR (cohort IS NOT DISTINCT FROM %(cohort)s AND key LIKE %(prefix)s
                   AND length(key) IN (%(key_length)s, %(prefix_length)s))
"""


def refresh_snapshot(*, min_age: datetime.timedelta | None = None) -> int | None:
    """Recount the snapshot; the number of rows written, or None when skipped: another refresh is running, or
    the snapshot is younger than MIN_AGE."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [LOCK])
        if not cursor.fetchone()[0]:
            return None
        if min_age is not None:
            cursor.execute("SELECT max(computed_at) FROM reporting_progresssnapshot WHERE key = ''")
            last = cursor.fetchone()[0]
            if last is not None and now - last < min_age:
                return None
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DELETE FROM reporting_progresssnapshot")
        cursor.execute(REFRESH_SQL, {"now": now})
        return cursor.rowcount


@dataclass(frozen=True)
class Snapshot:
    by_key: dict[str, dict]
    totals: dict
    computed_at: datetime.datetime


def read_snapshot(*, prefix: str, key_length: int, cohort: int | None = None) -> Snapshot | None:
    """One query: the figures per prefix of length KEY_LENGTH under PREFIX and over the whole of PREFIX, as
    reporting.progress.progress.figures gives them live; None when there is no snapshot or it is stale."""
    with connection.cursor() as cursor:
        cursor.execute(
            READ_SQL,
            {
                "prefix": f"{prefix}%",
                "cohort": cohort,
                "key_length": int(key_length),
                "prefix_length": len(prefix),
            },
        )
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    marker = next((row for row in rows if row["key"] == ""), None)
    if marker is None or timezone.now() - marker["computed_at"] > STALE_AFTER:
        return None
    computed_at = marker["computed_at"]
    by_key: dict[str, dict] = {}
    totals: dict = {}
    for row in rows:
        key = row.pop("key")
        row.pop("computed_at")
        if key == "":
            continue
        if len(key) == key_length:
            by_key[key] = row
        if key == prefix:
            totals = dict(row)
    return Snapshot(by_key=by_key, totals=totals, computed_at=computed_at)
