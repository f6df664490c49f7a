"""Reads for the monthly 汇总表 (seed 001 §一(三)–(五), annex 2).

State as of a day: a graduate is in the table when registered (created_at) by the end of that day, in the scope's
subtree (by the record's responsible office today), for the cohort; 就业去向 is the destination of the latest
follow-up visit dated on or before that day. The other columns are the record's current values (the 登记表's
fields rarely change after registration; reconstructing each from graduates_graduatechange is left for later).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.crypto import decryptor
from core.models import Office, OfficeKind, User, region_prefix
from core.scope import scope_for
from graduates.models import FollowUpVisit, Graduate

from .models import MonthlySnapshot

ROW_FIELDS = (
    "name", "gender", "ethnicity", "id_number", "university_name", "graduation_date", "education", "major",
    "origin_region_id", "email", "postcode", "mobile", "landline", "hardship", "location_intention", "intentions",
    "service_needs", "destination_as_of",
)  # fmt: skip
ID_NUMBER = ROW_FIELDS.index("id_number")


class ReportingWindowError(ValueError):
    """The month is outside the cohort's reporting year, or has not begun."""


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def cohort_for_month(month: datetime.date) -> int | None:
    """The cohort whose reporting year (August N – June N+1) holds MONTH; July belongs to none."""
    if month.month >= 8:
        return month.year
    if month.month <= 6:
        return month.year - 1
    return None


def check_window(*, cohort: int, month: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """The day the table for (COHORT, MONTH) shows: the month's last day, or today for the month in progress.
    Raises ReportingWindowError with a Chinese message for a month outside August COHORT – June COHORT+1 or
    one that has not begun."""
    today = today or timezone.localdate()
    month = month_start(month)
    first, last = datetime.date(cohort, 8, 1), datetime.date(cohort + 1, 6, 1)
    if not first <= month <= last:
        raise ReportingWindowError(
            f"{cohort}届的汇总表按月报送期为 {cohort}年8月至{cohort + 1}年6月，"
            f"{month.year}年{month.month}月不在报送期内。"
        )
    if month > today:
        raise ReportingWindowError(f"{month.year}年{month.month}月尚未开始，不能生成该月汇总表。")
    return min(month_end(month), today)


def due_date(month: datetime.date) -> datetime.date:
    """The table for MONTH is due by the 5th of the next month."""
    end = month_end(month)
    return end + datetime.timedelta(days=5)


def employment_office_by_code(code: str) -> Office | None:
    office = Office.objects.employment_office_of(code)
    return office if office is not None and office.is_active else None


def graduates_in_table(*, cohort: int, as_of: datetime.date, office: Office | None) -> QuerySet[Graduate]:
    """The table's graduates (registered by the end of AS_OF, in the scope's subtree, of COHORT), unordered."""
    until = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
    queryset = Graduate.objects.filter(cohort=cohort, created_at__lte=until)
    if office is not None:
        queryset = queryset.filter(
            responsible_office__region__code__startswith=region_prefix(office.region_id)
        )
    return queryset.order_by()


def summary_row_count(*, cohort: int, as_of: datetime.date, office: Office | None) -> int:
    return graduates_in_table(cohort=cohort, as_of=as_of, office=office).count()


def graduates_as_of(*, cohort: int, as_of: datetime.date, office: Office | None) -> QuerySet[Graduate]:
    """The table's graduates, ordered by id, each annotated with destination_as_of (latest visit by AS_OF).
    A correlated subquery per row: fine for a page or a test; the table itself streams summary_rows."""
    latest_visit = (
        FollowUpVisit.objects.filter(graduate_id=OuterRef("pk"), visited_on__lte=as_of)
        .exclude(destination="")
        .order_by("-visited_on", "-created_at", "-id")
        .values("destination")[:1]
    )
    return (
        graduates_in_table(cohort=cohort, as_of=as_of, office=office)
        .annotate(destination_as_of=Subquery(latest_visit))
        .order_by("id")
    )


def summary_rows_sql(*, cohort: int, as_of: datetime.date, office: Office | None) -> tuple[str, list]:
    """The table's one query: the graduates in scope, left-joined to each one's latest visit with a destination
    by AS_OF, picked by DISTINCT ON among the visits of the graduates in scope (one sort of those visits and a
    merge join: at 200,000 rows a third of the time of a correlated subquery per row, and no JIT)."""
    scope = graduates_in_table(cohort=cohort, as_of=as_of, office=office)
    rows_sql, rows_params = scope.values_list("id", *ROW_FIELDS[:-1]).query.sql_with_params()
    ids_sql, ids_params = scope.values("id").query.sql_with_params()
    columns = ", ".join(f"g.{field}" for field in ROW_FIELDS[:-1])
    visit = FollowUpVisit._meta.db_table
    sql = f"""SELECT {columns}, v.destination FROM ({rows_sql}) g
        LEFT JOIN (SELECT DISTINCT ON (graduate_id) graduate_id, destination FROM {visit}
                   WHERE visited_on <= %s AND destination <> '' AND graduate_id IN ({ids_sql})
                   ORDER BY graduate_id, visited_on DESC, created_at DESC, id DESC) v ON v.graduate_id = g.id
        ORDER BY g.id"""  # noqa: S608 - names from the models, values as parameters
    return sql, [*rows_params, as_of, *ids_params]


def summary_rows(
    *, cohort: int, as_of: datetime.date, office: Office | None, chunk_size: int = 2000
) -> Iterator[tuple]:
    """Streamed (server-side cursor) value tuples in ROW_FIELDS order, by id; one query whatever the row count.
    The ID number is stored encrypted: decrypted here, per row."""
    sql, params = summary_rows_sql(cohort=cohort, as_of=as_of, office=office)
    decrypt = decryptor()
    with connection.chunked_cursor() as cursor:
        cursor.cursor.itersize = chunk_size  # the driver cursor: rows fetched per round trip
        cursor.execute(sql, params)
        for row in cursor:
            yield (*row[:ID_NUMBER], decrypt(row[ID_NUMBER]), *row[ID_NUMBER + 1 :])


JOB_TTL = 24 * 3600


def async_threshold() -> int:
    """Tables of more rows than this are built by a worker (settings.REPORT_ASYNC_ROWS, default 20,000)."""
    return settings.REPORT_ASYNC_ROWS


def job_key(job_id: str) -> str:
    return f"reporting:monthly:job:{job_id}"


def monthly_job(*, job_id: str, user: User) -> dict | None:
    """The state of a worker's table for the page's progress bar, or None when JOB_ID is unknown or not USER's.
    state: queued, running, done (snapshot set), refused (error set) or failed."""
    from celery.result import AsyncResult

    job = cache.get(job_key(job_id))
    if job is None or job.get("user") != user.pk:
        return None
    result = AsyncResult(job_id)
    status, info = result.state, result.info
    total, written, snapshot, error = job["total"], 0, None, ""
    if status == "PROGRESS" and isinstance(info, dict):
        state, total, written = "running", info.get("total", total), info.get("written", 0)
    elif status == "SUCCESS" and isinstance(info, dict) and info.get("snapshot"):
        state = "done"
        snapshot = snapshots_visible_to(user).filter(pk=info["snapshot"]).first()
        written = total = snapshot.row_count if snapshot is not None else info.get("rows", total)
    elif status == "SUCCESS" and isinstance(info, dict) and info.get("error"):
        state, error = "refused", str(info["error"])
    elif status in {"FAILURE", "REVOKED"}:
        state = "failed"
    else:
        state = "running" if status in {"STARTED", "RETRY"} else "queued"
    percent = 100 if state == "done" else (min(99, written * 100 // total) if total else 0)
    return {
        "id": job_id,
        "state": state,
        "written": written,
        "total": total,
        "percent": percent,
        "snapshot": snapshot,
        "error": error,
        "cohort": job["cohort"],
        "month": datetime.date.fromisoformat(job["month"]),
        "finished": state in {"done", "refused", "failed"},
    }


def may_report_for(user: User, office: Office | None) -> bool:
    """The bureau reports for the province and every office; an office for itself and its subtree."""
    scope = scope_for(user)
    if office is None:
        return scope.everything or (user.office is not None and user.office.kind == OfficeKind.BUREAU)
    return scope.covers_office(office.id)


def snapshots_visible_to(user: User) -> QuerySet[MonthlySnapshot]:
    scope = scope_for(user)
    snapshots = MonthlySnapshot.objects.select_related("office", "generated_by").defer("content")
    if scope.everything or (user.office is not None and user.office.kind == OfficeKind.BUREAU):
        return snapshots
    if scope.office_ids is not None:
        return snapshots.filter(office_id__in=sorted(scope.office_ids))
    return snapshots.none()


def latest_snapshot(*, cohort: int, month: datetime.date, office: Office | None) -> MonthlySnapshot | None:
    office_q = Q(office__isnull=True) if office is None else Q(office=office)
    return (
        MonthlySnapshot.objects.filter(office_q, cohort=cohort, month=month_start(month))
        .order_by("-version")
        .first()
    )


def _rows_by_id(snapshot: MonthlySnapshot) -> dict[str, tuple]:
    """Data rows of a stored table keyed by 公民身份号码 (序号 left out: it shifts when rows are added)."""
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(bytes(snapshot.content)), read_only=True)
    rows: dict[str, tuple] = {}
    for index, row in enumerate(workbook.active.iter_rows(values_only=True)):
        if index < 3:
            continue
        if not row or row[0] is None or len(row) < 19:
            break
        rows[str(row[4])] = tuple(row[1:19])
    workbook.close()
    return rows


def snapshot_difference(current: MonthlySnapshot, previous: MonthlySnapshot | None) -> dict[str, int]:
    """Rows new since PREVIOUS, changed (same ID number, another value), and left (no longer in the table)."""
    now = _rows_by_id(current)
    before = _rows_by_id(previous) if previous is not None else {}
    return {
        "new": sum(1 for key in now if key not in before),
        "changed": sum(1 for key, values in now.items() if key in before and before[key] != values),
        "left": sum(1 for key in before if key not in now),
    }


def previous_month(month: datetime.date) -> datetime.date:
    return month_start(month_start(month) - datetime.timedelta(days=1))


def submission_status(*, cohort: int, month: datetime.date, today: datetime.date | None = None) -> list[dict]:
    """Each prefecture's and county's submission for MONTH: on time (first version by the 5th of the next
    month), late, missing (due date passed, nothing), or not yet due. Two queries whatever the office count."""
    from django.db.models import Min

    today = today or timezone.localdate()
    month = month_start(month)
    due = due_date(month)
    first = dict(
        MonthlySnapshot.objects.filter(cohort=cohort, month=month, office__isnull=False)
        .values("office_id")
        .annotate(first=Min("generated_at"))
        .values_list("office_id", "first")
    )
    offices = (
        Office.objects.filter(kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY], is_active=True)
        .order_by("region_id")
        .only("id", "name", "kind", "region_id")
    )
    rows = []
    for office in offices:
        at = first.get(office.id)
        if at is not None:
            status = "on_time" if timezone.localtime(at).date() <= due else "late"
        else:
            status = "missing" if today > due else "pending"
        rows.append({"office": office, "first_at": at, "status": status})
    return rows


STATUS_LABELS = {"on_time": "按时报送", "late": "逾期报送", "missing": "逾期未报", "pending": "未到截止日"}
