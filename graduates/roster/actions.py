"""Writes of the roster import: create an upload, check it (staging its rows), commit it in one transaction,
cancel it. Pages, admin, `manage.py import_roster` and the Celery tasks all call these."""

from __future__ import annotations

import contextlib
import datetime
import gc
import hashlib
import io
import json
import logging
import operator
import threading
import traceback
from pathlib import Path
from queue import Queue

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import crypto
from core.audit import record_audit
from core.models import Office, OfficeKind, Role, User

from .. import checks
from ..codes import ROSTER_CHANNEL, RosterSource
from ..models import STAGED_COLUMNS, Graduate, RosterRow, RosterUpload
from ..signals import roster_committed
from . import engine
from .reader import FIELD_LABELS, RosterFileError, open_roster_bytes

logger = logging.getLogger(__name__)

# Which sources each role may load (the Education Dept hands over province-run universities' graduates; the bureau
# also loads MOHRSS's list of natives at out-of-province universities; offices load their walk-in lists).
SOURCES_BY_ROLE: dict[str, list[str]] = {
    Role.UNIVERSITY_STAFF: [RosterSource.UNIVERSITY],
    Role.EDUCATION_STAFF: [RosterSource.EDUCATION, RosterSource.UNIVERSITY],
    Role.PROVINCE_ADMIN: [
        RosterSource.EDUCATION,
        RosterSource.MOHRSS,
        RosterSource.UNIVERSITY,
        RosterSource.OFFICE,
    ],
    Role.PREFECTURE_STAFF: [RosterSource.OFFICE],
    Role.COUNTY_STAFF: [RosterSource.OFFICE],
}


def can_commit(user: User, upload: RosterUpload) -> bool:
    """Only the office that uploaded a roster confirms it (the uploader or a colleague of the same office)."""
    return user.is_active and user.office_id is not None and upload.office_id == user.office_id


def can_cancel(user: User, upload: RosterUpload) -> bool:
    """The uploading office cancels its own roster; the provincial admin (the bureau) may cancel any pending one,
    to clear an upload its office left waiting. Nobody else, even if the upload is visible to them."""
    return can_commit(user, upload) or (
        user.is_active and (user.is_superuser or user.role == Role.PROVINCE_ADMIN)
    )


class StaleCheck(Exception):
    """Records changed after the check: the upload must be checked again before it can be committed."""


MSG_NOT_YOURS_TO_COMMIT = "只有上传单位可以确认导入该名单。"


def sources_for(user: User) -> list[str]:
    return list(SOURCES_BY_ROLE.get(user.role, []))


def max_upload_bytes() -> int:
    return settings.ROSTER_MAX_UPLOAD_MB * 1024 * 1024


@transaction.atomic
def create_upload(
    *,
    content: bytes,
    filename: str,
    source: str,
    cohort: int,
    acting_user: User,
    university: Office | None = None,
) -> RosterUpload:
    """Store an uploaded file (in the database: any worker host can read it) after the first refusals."""
    if source not in sources_for(acting_user) and not acting_user.is_superuser:
        raise PermissionDenied("您所在机构不能导入这类名单。")
    office = acting_user.office
    if office is None:
        raise PermissionDenied("您的账号没有所属机构，不能导入名单。")
    if acting_user.role == Role.UNIVERSITY_STAFF:
        university = acting_user.office  # a university loads only its own roster
    if source == RosterSource.UNIVERSITY and university is None:
        raise ValidationError({"university": "院校名单须指明院校。"})
    if university is not None and university.kind != OfficeKind.UNIVERSITY:
        raise ValidationError({"university": "所选机构不是院校。"})
    try:
        checks.check_cohort(cohort)
    except ValidationError as exc:
        raise ValidationError({"cohort": exc.messages}) from None
    if len(content) > max_upload_bytes():
        raise ValidationError(
            {
                "file": f"文件大小 {len(content) / 1048576:.1f} MB，超过上限 {settings.ROSTER_MAX_UPLOAD_MB} MB。"
            }
        )
    upload = RosterUpload.objects.create(
        uploaded_by=acting_user,
        office=office,
        source=source,
        university=university,
        cohort=cohort,
        filename=_clean_filename(filename),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=crypto.encrypt_bytes(content),  # the file holds ID numbers: encrypted at rest (SM4-GCM)
    )
    record_audit(action="roster.uploaded", actor=acting_user, obj=upload, data={"size": len(content)})
    return upload


def _clean_filename(filename: str) -> str:
    """The file's own name, as shown on the pages: no folders, no control characters (PostgreSQL refuses a NUL
    byte in text), at most 200 characters."""
    name = "".join(c for c in Path(filename.replace("\\", "/")).name if c.isprintable() or c == " ").strip()
    return name[:200] or "名单.xlsx"


# The Celery tasks (graduates/tasks.py) call these actions; the actions send them by name, so the import graph
# stays one-way (tasks → actions) and this module never imports the tasks module.
CHECK_TASK = "graduates.check_roster"
COMMIT_TASK = "graduates.commit_roster"


def _enqueue(task_name: str, *args) -> None:
    current_app.send_task(task_name, args=list(args))


def is_large(upload: RosterUpload) -> bool:
    """Large files are checked and written by a Celery worker; the page shows the progress."""
    return upload.size > settings.ROSTER_SYNC_MAX_BYTES


def start_check(upload: RosterUpload) -> RosterUpload:
    """Check now, or hand a large file to a worker (after the upload's row is committed)."""
    if not is_large(upload):
        return check_upload(upload)
    transaction.on_commit(lambda: _enqueue(CHECK_TASK, upload.pk))
    return upload


def start_commit(*, upload: RosterUpload, acting_user: User) -> RosterUpload:
    """Commit now, or mark the upload 导入中 and hand it to a worker."""
    if not can_commit(acting_user, upload):
        raise PermissionDenied(MSG_NOT_YOURS_TO_COMMIT)
    if not is_large(upload):
        return commit_upload(upload=upload, acting_user=acting_user)
    with transaction.atomic():
        locked = RosterUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != RosterUpload.Status.CHECKED:
            raise ValidationError(f"该名单当前状态为“{locked.get_status_display()}”，不能导入。")
        _set(locked, status=RosterUpload.Status.COMMITTING, rows_total=locked.new + locked.updated)
        transaction.on_commit(lambda: _enqueue(COMMIT_TASK, upload.pk, acting_user.pk))
    return locked


def receive_upload(*, cleaned_data: dict, acting_user: User) -> RosterUpload:
    """The upload form's data (page or admin) → a stored upload whose check has started."""
    upload_file = cleaned_data["file"]
    upload = create_upload(
        content=upload_file.read(),
        filename=upload_file.name,
        source=cleaned_data["source"],
        cohort=cleaned_data["cohort"],
        university=cleaned_data.get("university"),
        acting_user=acting_user,
    )
    return start_check(upload)


def _set(upload: RosterUpload, **fields) -> None:
    """Progress and status, committed at once (outside any transaction) so the page sees them while it runs."""
    for name, value in fields.items():
        setattr(upload, name, value)
    RosterUpload.objects.filter(pk=upload.pk).update(**fields)


class _Cancelled(Exception):
    """The upload was cancelled (from another connection) while its check ran."""


# A check starts from a new upload, a redelivered task's (still 检查中), or a recheck after StaleCheck (待确认); never
# from a cancelled, committed or failed upload.
CHECK_STARTS_FROM = (RosterUpload.Status.UPLOADED, RosterUpload.Status.CHECKING, RosterUpload.Status.CHECKED)
CHECK_CHUNK_ROWS = 5_000  # rows checked, compared with the registry and staged at a time
MSG_CHECK_FAILED = "检查时出错，名单未导入：请重新上传；如仍出错请联系管理员。"


def _set_while_checking(upload: RosterUpload, **fields) -> bool:
    """Like _set, but only while the upload is still 检查中: a cancel from another connection wins. False when the
    upload is no longer being checked."""
    if not RosterUpload.objects.filter(pk=upload.pk, status=RosterUpload.Status.CHECKING).update(**fields):
        return False
    for name, value in fields.items():
        setattr(upload, name, value)
    return True


def log_failure(step: str, upload_id: int, exc: Exception) -> None:
    """Log a crash with its type and code path only: an exception's text may quote a cell (a name, an ID number).
    The tasks do not re-raise either (Celery would log the text); the upload's status tells the user."""
    logger.error(
        "roster upload %s: the %s failed with %s (message withheld: may hold personal data)\n%s",
        upload_id,
        step,
        f"{type(exc).__module__}.{type(exc).__qualname__}",
        "".join(traceback.format_tb(exc.__traceback__)),
    )


def check_upload(upload: RosterUpload) -> RosterUpload:
    """Read and check every row, staging the checked rows chunk by chunk (memory stays flat). The file is
    refused whole if it can't be read. Staged rows are invisible until the status says 待确认.

    Every status change is conditional on 检查中, so a cancel made while the check runs sticks: staging stops at
    the next chunk and nothing is left staged. A crash marks the upload 导入失败 with a Chinese reason (the
    exception's text, which may quote a cell, is neither shown nor logged)."""
    fields = {
        "status": RosterUpload.Status.CHECKING,
        "message": "",
        "rows_read": 0,
        "rows_checked": 0,
        "errors": [],
        "warnings": [],
    }
    if not RosterUpload.objects.filter(pk=upload.pk, status__in=CHECK_STARTS_FROM).update(**fields):
        upload.refresh_from_db()
        return upload
    for name, value in fields.items():
        setattr(upload, name, value)
    RosterRow.objects.filter(upload=upload).delete()
    # Inside a caller's transaction a failed statement would poison it: check in a savepoint, so the failure can
    # still be recorded. Outside one each status change commits at once (the page and a cancel see them).
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard:
            _check(upload)
    except _Cancelled:
        pass
    except Exception as exc:
        log_failure("check", upload.pk, exc)
        _set_while_checking(upload, status=RosterUpload.Status.FAILED, message=MSG_CHECK_FAILED)
    if upload.status != RosterUpload.Status.CHECKED:  # cancelled, refused or failed: nothing stays staged
        RosterRow.objects.filter(upload=upload).delete()
    upload.refresh_from_db()
    return upload


def _check(upload: RosterUpload) -> None:
    totals = engine.CheckTotals()
    try:
        with open_roster_bytes(
            crypto.decrypt_bytes(bytes(upload.content)), max_bytes=max_upload_bytes()
        ) as sheet:
            if not _set_while_checking(upload, rows_total=sheet.total_rows, columns=sheet.columns):
                raise _Cancelled()
            ctx = engine.build_context(
                source=upload.source, cohort=upload.cohort, university=upload.university, office=upload.office
            )
            # The check allocates millions of short-lived, acyclic objects: the cycle collector would only
            # rescan them.
            gc.disable()
            try:
                with StagingWriter(upload) as staging:
                    for chunk in engine.check_sheet(sheet, ctx, totals, chunk_size=CHECK_CHUNK_ROWS):
                        # Between chunks: the progress, and whether the upload is still being checked. A cancel
                        # stops the staging here; the rows staged so far are deleted.
                        staged = totals.rows - len(chunk) - staging.pending_rows
                        if not _set_while_checking(upload, rows_read=totals.rows, rows_checked=staged):
                            raise _Cancelled()
                        staging.put(chunk)
            finally:
                gc.enable()
    except RosterFileError as exc:  # the file can't be read (at opening or, if damaged, while reading)
        _set_while_checking(upload, status=RosterUpload.Status.REFUSED, message=exc.message)
        return
    if totals.rows == 0 and totals.errors:  # no header to work with: the file is refused whole
        _set_while_checking(upload, status=RosterUpload.Status.REFUSED, message=totals.errors[0].message)
        return
    _set_while_checking(
        upload,
        status=RosterUpload.Status.CHECKED,
        rows_total=totals.rows,
        rows_read=totals.rows,
        rows_checked=totals.rows,
        new=totals.new,
        updated=totals.update,
        unchanged=totals.unchanged,
        invalid=totals.invalid,
        conflicts=totals.conflict_rows,
        errors=engine.iter_errors(totals.errors),
        warnings=engine.iter_errors(totals.warnings),
        conflict_list=totals.conflicts,
        checked_at=timezone.now(),
        message="",
    )


class StagingWriter:
    """Stages checked chunks from a second thread: PostgreSQL ingests one chunk (on the other core) while Python
    checks the next. The thread has its own connection (autocommit); the staged rows stay invisible until the
    upload's status says 待确认. Inside a transaction (a caller's atomic block, or a test) the rows must be
    written on the caller's connection, so it stages in the calling thread instead."""

    def __init__(self, upload: RosterUpload):
        self.upload = upload
        self.threaded = not connection.in_atomic_block
        self.queue: Queue = Queue(maxsize=2)  # bounded: memory stays flat if PostgreSQL is slower
        self.pending_rows = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"roster-staging-{upload.pk}", daemon=True)

    def __enter__(self) -> StagingWriter:
        if self.threaded:
            self.thread.start()
        return self

    def put(self, chunk: list[engine.CheckedRow]) -> None:
        if not self.threaded:
            _stage_rows(self.upload, chunk)
            return
        if self.error is not None:
            raise self.error
        self.pending_rows += len(chunk)
        self.queue.put(chunk)

    def _run(self) -> None:
        try:
            while (chunk := self.queue.get()) is not None:
                if self.error is None:
                    _stage_rows(self.upload, chunk)
                self.pending_rows -= len(chunk)
        except BaseException as exc:  # handed to the checking thread, which raises it
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.threaded:
            return
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc is None:
            raise self.error


STAGING_COLUMNS = ["upload_id", "row_number", "action", "graduate_id", "graduate_version", "data", "changes",
                   *STAGED_COLUMNS]  # fmt: skip
NULL = "\\N"
# The typed columns of a row that is not new: nulls for dates and ids, empty arrays, empty strings.
EMPTY_RECORD = [
    NULL if c in ("birth_date", "university_id", "graduation_date")
    else "{}" if c in ("hardship", "intentions", "service_needs")
    else ""
    for c in STAGED_COLUMNS
]  # fmt: skip


def _stage_rows(upload: RosterUpload, rows: list[engine.CheckedRow]) -> None:
    """COPY a chunk of checked rows into the staging table; new records get their ids from the sequence now."""
    new_rows = [row for row in rows if row.action == "new"]
    if new_rows:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('graduates_graduate', 'id')) FROM generate_series(1, %s)",
                [len(new_rows)],
            )
            for row, (graduate_id,) in zip(new_rows, cursor.fetchall(), strict=True):
                row.graduate_id = graduate_id
    lines = []
    for row in rows:
        data = row.raw if row.action == "invalid" else row.data
        record = [_copy_value(v) for v in _staged_values(row.record)] if row.record else EMPTY_RECORD
        lines.append("\t".join([
            str(upload.pk),
            str(row.row_number),
            row.action,
            NULL if row.graduate_id is None else str(row.graduate_id),
            NULL if row.graduate_version is None else str(row.graduate_version),
            _copy_text(json.dumps(data, ensure_ascii=False)) if data else "{}",
            _copy_text(json.dumps(row.changes, ensure_ascii=False)) if row.changes else "{}",
            *record,
        ]))  # fmt: skip
    buffer = io.StringIO("\n".join(lines) + "\n")
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {RosterRow._meta.db_table} ({', '.join(STAGING_COLUMNS)}) FROM STDIN", buffer
        )


_staged_values = operator.itemgetter(*STAGED_COLUMNS)  # a record's STAGED_COLUMNS values, in one call


def _copy_value(value) -> str:
    """One value in COPY's text format (arrays as {a,b}; codes never contain commas or braces)."""
    if value.__class__ is str:  # most values: checked first
        return _copy_text(value)
    if value is None:
        return NULL
    if isinstance(value, list):
        return "{" + ",".join(value) + "}"
    if isinstance(value, (int, datetime.date)):
        return str(value)
    return _copy_text(value)


def _copy_text(value: str) -> str:
    if value.isprintable() and "\\" not in value:  # nothing to escape (tab, newline and CR are not printable)
        return value
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# The columns of a new record that are the same for the whole upload, with their SQL value.
UPLOAD_COLUMNS = {
    "cohort": "%(cohort)s",
    "category": "'fresh'",
    "sources": "ARRAY[%(channel)s]::varchar[]",
    "state_changed_at": "%(now)s",
    "responsible_office_id": "%(responsible)s",
    "staff_id": "NULL",
    "unemployment_cert_no": "''",
    "unemployment_cert_date": "NULL",
    "created_at": "%(now)s",
    "updated_at": "%(now)s",
    "version": "1",
    "hand_edited": "'{}'::varchar[]",
}
UPDATABLE_COLUMNS = [*engine.COMPARED, "sources"]


@transaction.atomic
def commit_upload(*, upload: RosterUpload, acting_user: User) -> RosterUpload:
    """Write the checked rows: all of them land, or none do. Set-based SQL from the staging table.

    A record changed since the check stops the commit (StaleCheck: check again). One changed while the commit
    runs (an office's edit committed between that test and the UPDATE) is never overwritten: the UPDATE only
    touches records still at the version the check read, and such a row is listed as a conflict."""
    upload = RosterUpload.objects.select_for_update().get(pk=upload.pk)
    if not can_commit(acting_user, upload):
        raise PermissionDenied(MSG_NOT_YOURS_TO_COMMIT)
    if upload.status not in (RosterUpload.Status.CHECKED, RosterUpload.Status.COMMITTING):
        raise ValidationError(f"该名单当前状态为“{upload.get_status_display()}”，不能导入。")
    table, rows = "graduates_graduate", RosterRow._meta.db_table
    params = {"upload": upload.pk, "actor": acting_user.pk, "office": acting_user.office_id}
    channel = ROSTER_CHANNEL[upload.source]
    reference = _reference(upload)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {rows} s JOIN {table} g ON g.id = s.graduate_id "
            "WHERE s.upload_id = %(upload)s AND s.action = 'update' AND g.version <> s.graduate_version",
            params,
        )
        if cursor.fetchone()[0]:
            raise StaleCheck()
        now = timezone.now()  # one clock for every row this commit writes (records, history, sources)
        columns = ", ".join(["id", *STAGED_COLUMNS, *UPLOAD_COLUMNS])
        values = ", ".join(["s.graduate_id", *(f"s.{c}" for c in STAGED_COLUMNS), *UPLOAD_COLUMNS.values()])
        try:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {values} FROM {rows} s "
                "WHERE s.upload_id = %(upload)s AND s.action = 'new'",
                {
                    **params,
                    "cohort": upload.cohort,
                    "channel": channel,
                    "now": now,
                    "responsible": engine.responsible_office_id(source=upload.source, office=upload.office),
                },
            )
        except IntegrityError as exc:
            # Someone registered one of the new graduates since the check: check again (the row becomes an
            # update or a conflict). The whole commit is rolled back.
            if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") == UNIQUE_GRADUATE:
                raise StaleCheck() from None
            raise
        assignments = ", ".join(
            f"{c} = CASE WHEN s.data ? '{c}' THEN r.{c} ELSE g.{c} END" for c in UPDATABLE_COLUMNS
        )
        # One statement: the UPDATE (only records still at the checked version: a concurrent edit waits for the
        # row lock, then fails this test and is skipped), the history of the rows it wrote, and the rows it
        # skipped.
        cursor.execute(
            f"WITH written AS (UPDATE {table} g SET {assignments}, version = g.version + 1, updated_at = %(now)s "
            f"FROM {rows} s, jsonb_populate_record(NULL::{table}, s.data) r "
            "WHERE s.upload_id = %(upload)s AND s.action = 'update' AND g.id = s.graduate_id "
            "AND g.version = s.graduate_version RETURNING g.id), "
            "history AS (INSERT INTO graduates_graduatechange (graduate_id, at, kind, actor_id, office_id, changes, "
            "note) SELECT s.graduate_id, %(now)s, 'updated', %(actor)s, %(office)s, s.changes, %(note)s "
            f"FROM {rows} s JOIN written w ON w.id = s.graduate_id "
            "WHERE s.upload_id = %(upload)s AND s.action = 'update') "
            f"SELECT s.row_number, s.graduate_id, s.changes FROM {rows} s "
            "WHERE s.upload_id = %(upload)s AND s.action = 'update' "
            "AND s.graduate_id NOT IN (SELECT id FROM written) ORDER BY s.row_number",
            {
                **params,
                "now": now,
                "note": f"名单导入：{upload.get_source_display()}（{upload.filename}）"[:200],
            },
        )
        skipped = [
            (row_number, graduate_id, json.loads(changes) if isinstance(changes, str) else changes)
            for row_number, graduate_id, changes in cursor.fetchall()
        ]
        # A new record's registration is its source row (shown on the timeline); a skipped one got nothing.
        cursor.execute(
            "INSERT INTO graduates_graduatesource (graduate_id, channel, reference, received_at, office_id, "
            "created_by_id) SELECT s.graduate_id, %(channel)s, %(reference)s, %(now)s, %(office)s, %(actor)s "
            f"FROM {rows} s WHERE s.upload_id = %(upload)s AND s.action IN ('new', 'update', 'unchanged') "
            "AND NOT (s.graduate_id = ANY(%(skipped)s)) "
            "ON CONFLICT (graduate_id, channel, reference) DO NOTHING",
            {
                **params,
                "now": now,
                "channel": channel,
                "reference": reference,
                "skipped": [g for _, g, _ in skipped],
            },
        )
    late = _late_conflicts(upload, skipped)
    roster_committed.send(sender=RosterUpload, upload=upload, acting_user=acting_user)
    # The invalid rows stay, for the download of the rows to fix.
    RosterRow.objects.filter(upload=upload).exclude(action=RosterRow.Action.INVALID).delete()
    updated = upload.updated - len(skipped)
    known_rows = {c["row"] for c in upload.conflict_list}
    RosterUpload.objects.filter(pk=upload.pk).update(
        status=RosterUpload.Status.COMMITTED,
        updated=updated,
        conflicts=upload.conflicts + len({row for row, _, _ in skipped} - known_rows),
        conflict_list=[*upload.conflict_list, *late],
        rows_written=upload.new + updated,
        committed_at=timezone.now(),
        committed_by=acting_user,
    )
    record_audit(
        action="roster.committed",
        actor=acting_user,
        obj=upload,
        data={"new": upload.new, "updated": updated, "unchanged": upload.unchanged, "skipped": len(skipped)},
    )
    upload.refresh_from_db()
    # For the page's message: how many rows an office changed while this commit ran (kept as conflicts).
    setattr(upload, "changed_during_commit", len(skipped))  # noqa: B010 - a result, not a model field
    return upload


UNIQUE_GRADUATE = "graduate_one_per_id_and_cohort"


def _late_conflicts(upload: RosterUpload, skipped: list[tuple]) -> list[dict]:
    """The rows whose record an office changed while the commit ran, as conflicts: the office's value stays."""
    if not skipped:
        return []
    fields = {name for _, _, changes in skipped for name in changes}
    current = {
        g["id"]: g for g in Graduate.objects.filter(pk__in=[g for _, g, _ in skipped]).values("id", *fields)
    }
    conflicts = []
    for row_number, graduate_id, changes in skipped:
        for name, (_old, new) in changes.items():
            source_field = engine.source_field(name)
            conflicts.append({
                "row": row_number,
                "graduate": graduate_id,
                "column": upload.columns.get(source_field) or FIELD_LABELS.get(source_field, "来源渠道"),
                "office_value": engine.jsonable(current[graduate_id][name]),
                "file_value": new,
            })  # fmt: skip
    return conflicts


def _reference(upload: RosterUpload) -> str:
    """The provenance kept on each record: who sent which cohort's list (the same list again adds nothing)."""
    who = upload.university.school_code if upload.university else upload.office.region_id
    return f"{upload.source}:{who}:{upload.cohort}"


@transaction.atomic
def cancel_upload(*, upload: RosterUpload, acting_user: User) -> RosterUpload:
    upload = RosterUpload.objects.select_for_update().get(pk=upload.pk)
    if not can_cancel(acting_user, upload):
        raise PermissionDenied("只有上传单位（或省级管理员）可以取消该名单。")
    if upload.status == RosterUpload.Status.COMMITTED:
        raise ValidationError("该名单已经导入，不能取消。")
    RosterRow.objects.filter(upload=upload).delete()
    upload.status = RosterUpload.Status.CANCELLED
    upload.save(update_fields=["status"])
    record_audit(action="roster.cancelled", actor=acting_user, obj=upload)
    return upload
