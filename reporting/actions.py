"""Writes of the reporting app: it writes only its own snapshots."""

from __future__ import annotations

import binascii
import datetime
import hashlib
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from core.models import Office, Region, User
from core.spreadsheets import FORMULA_PREFIXES
from graduates.codes import HARDSHIP_NATIONAL_CODE, Ethnicity, Gender, Hardship, Intention, ServiceNeed
from reporting.cells import SUMMARY_HEADER, date_cn, safe_text

from . import selectors
from .models import MonthlySnapshot


def _header_block(*, office: Office | None, user: User | None, generated_at: datetime.datetime) -> list[str]:
    province = Region.objects.filter(code=f"{settings.PROVINCE_CODE}0000").first()
    unit = office or (user.office if user is not None else None)
    person = (user.full_name or user.get_username()) if user is not None else "系统生成"
    phone = (user.phone if user is not None else "") or (unit.phone if unit is not None else "")
    return [
        f"填报省份：{province.name if province else ''}",
        "",
        f"填报单位：{unit.name if unit is not None else ''}",
        "",
        f"填报时间：{date_cn(timezone.localtime(generated_at).date())}",
        "",
        f"填报人：{person}",
        "",
        f"联系电话：{phone}",
    ]


class _RowCells:
    """summary_values + safe_text for a whole table, each code list's order and labels looked up once (the
    per-row helpers rebuild them from the TextChoices every call: a third of the table's time at 200,000 rows).
    tests/reporting/test_monthly_table.py checks both give the same cells."""

    def __init__(self) -> None:
        self.gender = {code: str(label) for code, label in Gender.choices}
        self.ethnicity = {code: str(label) for code, label in Ethnicity.choices}
        self.joined: dict[tuple, str] = {}
        self.dates: dict[datetime.date, str] = {}
        self.orders = {
            choices: {value: i for i, value in enumerate(choices.values)}
            for choices in (Hardship, Intention, ServiceNeed)
        }

    def _join(self, codes, choices) -> str:
        key = (choices, *codes) if codes else (choices,)
        joined = self.joined.get(key)
        if joined is None:
            order = self.orders[choices]
            if choices is Hardship:
                codes = [HARDSHIP_NATIONAL_CODE.get(code, code) for code in codes]
            joined = "".join(sorted(set(codes), key=lambda c: order.get(c, len(order))))
            self.joined[key] = joined
        return joined

    def _date(self, day: datetime.date | None) -> str:
        if day is None:
            return ""
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = day.strftime("%Y%m%d")
        return text

    def row(self, seq: int, row: tuple) -> list[str]:
        (name, gender, ethnicity, id_number, university, graduated, education, major, origin, email, postcode,
         mobile, landline, hardship, location, intentions, needs, destination) = row  # fmt: skip
        values = [
            str(seq), name, self.gender.get(gender, gender), self.ethnicity.get(ethnicity, ethnicity), id_number,
            university, self._date(graduated), education, major, origin, email,
            postcode, mobile, landline, self._join(hardship or (), Hardship), location,
            self._join(intentions or (), Intention), self._join(needs or (), ServiceNeed), destination,
        ]  # fmt: skip
        # safe_text, inline: None as "", a formula-like text with a leading apostrophe.
        return [
            "" if value is None else (f"'{value}" if value[:1] in _FORMULA_START else value)
            for value in values
        ]


_FORMULA_START = frozenset(FORMULA_PREFIXES)
PROGRESS_EVERY = 2000


def write_summary_table(
    *,
    cohort: int,
    as_of: datetime.date,
    office: Office | None,
    user: User | None,
    generated_at: datetime.datetime,
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, int]:
    """The 汇总表 as .xlsx bytes and its row count (see write_summary_file)."""
    with tempfile.TemporaryDirectory(prefix="monthly-") as folder:
        path = Path(folder) / "table.xlsx"
        count = write_summary_file(
            path, cohort=cohort, as_of=as_of, office=office, user=user, generated_at=generated_at,
            progress=progress,
        )  # fmt: skip
        return path.read_bytes(), count


def write_summary_file(
    path: Path,
    *,
    cohort: int,
    as_of: datetime.date,
    office: Office | None,
    user: User | None,
    generated_at: datetime.datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the 汇总表 to PATH; its row count. Rows are streamed from the server-side cursor into an XlsxWriter
    constant-memory workbook (memory stays flat whatever the row count). Every cell is a text cell
    (write_string: never a formula, never a number). PROGRESS(rows written) every PROGRESS_EVERY rows."""
    person = (user.full_name or user.get_username()) if user is not None else "系统"
    header_block = _header_block(office=office, user=user, generated_at=generated_at)
    stamp = timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M")
    folder = str(path.parent)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": folder})
    workbook.set_properties({"author": person, "title": f"{cohort}届离校未就业高校毕业生信息汇总表"})
    text = workbook.add_format({"num_format": "@"})
    bold = workbook.add_format({"num_format": "@", "bold": True})
    sheet = workbook.add_worksheet("汇总表")
    for column, width in enumerate(_COLUMN_WIDTHS):
        sheet.set_column(column, column, width, text)
    sheet.write_string(0, 0, safe_text(f"{cohort}届离校未就业高校毕业生信息汇总表"),
                       workbook.add_format({"bold": True, "font_size": 14}))  # fmt: skip
    for column, value in enumerate(header_block):
        if value:
            sheet.write_string(1, column, safe_text(value), text)
    for column, value in enumerate(SUMMARY_HEADER):
        sheet.write_string(2, column, safe_text(value), bold)
    cells = _RowCells()
    write = sheet.write_string
    count = 0
    for count, row in enumerate(selectors.summary_rows(cohort=cohort, as_of=as_of, office=office), start=1):
        line = count + 2
        for column, value in enumerate(cells.row(count, row)):
            if value:
                write(line, column, value)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    footer = f"数据截至 {date_cn(as_of)}；由 {person} 于 {stamp} 生成（共 {count} 人）。"
    sheet.write_string(count + 4, 0, safe_text(footer))
    workbook.close()
    if progress is not None:
        progress(count)
    return count


_COLUMN_WIDTHS = (6, 10, 5, 6, 20, 22, 10, 5, 18, 10, 22, 8, 13, 13, 9, 10, 10, 12, 12)


def generate_monthly_snapshot(
    *,
    cohort: int,
    month: datetime.date,
    office: Office | None,
    user: User | None,
    progress: Callable[[int], None] | None = None,
) -> MonthlySnapshot:
    """Generate and store the table for (COHORT, MONTH, OFFICE or the province) as a new immutable version.
    USER None: the command or a scheduled task. Raises selectors.ReportingWindowError (month outside the
    reporting year) or PermissionDenied (USER may not report for OFFICE). The file is written first, outside
    any transaction; the snapshot row is created at the end in one short transaction, so a run killed midway
    leaves nothing behind. PROGRESS(rows written) as write_summary_table calls it."""
    if user is not None and not selectors.may_report_for(user, office):
        raise PermissionDenied("您无权生成该单位的汇总表。")
    month = selectors.month_start(month)
    as_of = selectors.check_window(cohort=cohort, month=month)
    generated_at = timezone.now()
    with tempfile.TemporaryDirectory(prefix="monthly-") as folder:
        path = Path(folder) / "table.xlsx"
        rows = write_summary_file(
            path, cohort=cohort, as_of=as_of, office=office, user=user, generated_at=generated_at,
            progress=progress,
        )  # fmt: skip
        return _store_snapshot(
            path, cohort=cohort, month=month, office=office, user=user, as_of=as_of, rows=rows,
            generated_at=generated_at,
        )  # fmt: skip


STORE_CHUNK = 4 * 1024 * 1024


def _store_snapshot(
    path: Path,
    *,
    cohort: int,
    month: datetime.date,
    office: Office | None,
    user: User | None,
    as_of: datetime.date,
    rows: int,
    generated_at: datetime.datetime,
) -> MonthlySnapshot:
    """The new version, in one transaction. The file goes to the server by COPY, in STORE_CHUNK parts as hex text
    read from disk one at a time (memory stays flat: one bytea parameter of 20 MB costs psycopg2 eight times its
    size), into a temporary table joined into the row's content by one UPDATE (appending part by part would
    rewrite the growing value each time); its SHA-256 is taken from the same reads."""
    code = office.region_id if office is not None else f"{settings.PROVINCE_CODE}0000"
    with transaction.atomic():
        # One writer per (cohort, month, office) at a time, so versions never collide.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reporting.monthly:{cohort}:{month}:{code}"]
            )
        office_filter = {"office__isnull": True} if office is None else {"office": office}
        latest = MonthlySnapshot.objects.filter(cohort=cohort, month=month, **office_filter).aggregate(
            v=Max("version")
        )["v"]
        version = (latest or 0) + 1
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE monthly_snapshot_parts (n integer, part bytea) ON COMMIT DROP")
            with path.open("rb") as handle:
                parts = _HexParts(handle)
                cursor.copy_expert("COPY monthly_snapshot_parts (n, part) FROM STDIN", parts, STORE_CHUNK)
            snapshot = MonthlySnapshot.objects.create(
                cohort=cohort,
                month=month,
                office=office,
                version=version,
                content=b"",
                filename=f"{cohort}届汇总表_{code}_{month:%Y%m}_v{version}.xlsx",
                sha256=parts.digest.hexdigest(),
                row_count=rows,
                as_of=as_of,
                generated_by=user,
                generated_at=generated_at,
            )
            cursor.execute(
                "UPDATE reporting_monthlysnapshot SET content = (SELECT coalesce(string_agg(part, ''::bytea "
                "ORDER BY n), ''::bytea) FROM monthly_snapshot_parts) WHERE id = %s",
                [snapshot.pk],
            )
            cursor.execute("DROP TABLE monthly_snapshot_parts")
    snapshot.content = path.read_bytes()  # the whole file, read once, for the caller
    return snapshot


class _HexParts:
    """A file as COPY text lines: the part number, a tab, the bytea in hex (\\x escaped for COPY), one STORE_CHUNK
    part per read(); DIGEST is the SHA-256 of the bytes read so far."""

    def __init__(self, handle):
        self.handle, self.n, self.digest = handle, 0, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self.handle.read(STORE_CHUNK)
        if not block:
            return b""
        self.n += 1
        self.digest.update(block)
        return b"%d\t\\\\x%s\n" % (self.n, binascii.hexlify(block))  # COPY text reads \\\\x as \\x

    readline = read


@dataclass(frozen=True)
class MonthlyStart:
    """What the 生成 button started: the new snapshot (small scope, made at once) or a worker's job id."""

    rows: int
    snapshot: MonthlySnapshot | None = None
    job_id: str | None = None


def start_monthly_generation(
    *, cohort: int, month: datetime.date, office: Office | None, user: User
) -> MonthlyStart:
    """Generate the table now when the scope holds at most settings.REPORT_ASYNC_ROWS rows; else enqueue
    `reporting.generate_monthly` (after commit; routed to the reports queue) and return its job id, a UUID the
    page polls (selectors.monthly_job). Refusals (window, permission) are raised here, before anything is
    enqueued."""
    if not selectors.may_report_for(user, office):
        raise PermissionDenied("您无权生成该单位的汇总表。")
    month = selectors.month_start(month)
    as_of = selectors.check_window(cohort=cohort, month=month)
    rows = selectors.summary_row_count(cohort=cohort, as_of=as_of, office=office)
    if rows <= selectors.async_threshold():
        snapshot = generate_monthly_snapshot(cohort=cohort, month=month, office=office, user=user)
        return MonthlyStart(rows=snapshot.row_count, snapshot=snapshot)
    from .monthly_tasks import generate_monthly_task

    job_id = str(uuid.uuid4())
    cache.set(
        selectors.job_key(job_id),
        {"user": user.pk, "cohort": cohort, "month": month.isoformat(),
         "office": office.pk if office is not None else None, "total": rows},
        timeout=selectors.JOB_TTL,
    )  # fmt: skip
    kwargs = {"cohort": cohort, "month": month.isoformat(), "user_id": user.pk,
              "office_id": office.pk if office is not None else None}  # fmt: skip
    transaction.on_commit(lambda: generate_monthly_task.apply_async(kwargs=kwargs, task_id=job_id))
    return MonthlyStart(rows=rows, job_id=job_id)
