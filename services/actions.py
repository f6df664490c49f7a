"""Writes of the service log. Views, the ledger upload and the `import_services` command call these.

Entries are never edited: `void_service` keeps a mistaken entry (struck through on the timeline) and a correction
is a new entry. Every entry and every void has its audit row, written in the same transaction.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.audit import record_audit
from core.models import AuditEvent, Office, Role, User, region_prefix
from core.scope import scope_for
from graduates.models import Graduate

from .codes import (
    CONTENT_MAX,
    HARDSHIP_CODES,
    OUTCOME_MAX,
    POSTING_REF_MAX,
    STAFF_NAME_MAX,
    VOID_REASON_MAX,
    Channel,
    Origin,
    ServiceType,
)
from .models import JobPosting, OneOnOne, RecruitmentEvent, ServiceEntry
from .plans import refresh_obligations

STAFF_ROLES = (Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF)
MAX_BULK = 5000  # graduates logged in one step (an event's attendance list, a posting's recipients)
EARLIEST_DATE = datetime.date(2000, 1, 1)

MSG_NOT_STAFF = "只有就业服务机构（省局、市州、县区）的工作人员可以记录服务。"
# The same words whether the graduate is elsewhere or was never registered: a clerk learns nothing about records
# outside their scope by trying ID numbers.
MSG_OUT_OF_SCOPE = "该毕业生不在本单位的服务范围内，不能记录服务。"
MSG_BULK_OUT_OF_SCOPE = "所选毕业生中有 {count} 名不在本单位的服务范围内，未记录任何服务；请去掉后重试。"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def clean_text(value: object, *, label: str, max_length: int, required: bool = False) -> str:
    """Free text a user typed: invisible characters dropped, blank runs made one space, trimmed; bounded, no
    control characters (a NUL would break PostgreSQL), refused in Chinese."""
    text = "" if value is None else str(value)
    if _CONTROL.search(text):
        raise ValidationError(f"“{label}”含有不可见的控制字符，请删除后重新填写。")
    text = " ".join(_INVISIBLE.sub("", text).split())
    if required and not text:
        raise ValidationError(f"请填写“{label}”。")
    if len(text) > max_length:
        raise ValidationError(f"“{label}”最多 {max_length} 个字，现有 {len(text)} 个字。")
    return text


def check_service_date(value: datetime.date | None) -> datetime.date:
    """A service day: given, not before 2000, not after today in Beijing time."""
    if value is None:
        raise ValidationError("请填写服务日期。")
    if isinstance(value, datetime.datetime):
        value = value.date()
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            f"服务日期 {value:%Y-%m-%d} 晚于今天（{today:%Y-%m-%d}），不能记录尚未发生的服务。"
        )
    if value < EARLIEST_DATE:
        raise ValidationError(f"服务日期 {value:%Y-%m-%d} 过早，请检查年份。")
    return value


def check_staff(user: User) -> Office:
    """The acting user's office, if they may log services (employment office staff); PermissionDenied if not."""
    office = getattr(user, "office", None)
    if (
        user is None
        or not user.is_active
        or office is None
        or not office.is_active
        or not office.is_employment_office
        or user.role not in STAFF_ROLES
    ):
        raise PermissionDenied(MSG_NOT_STAFF)
    return office


@dataclass(frozen=True)
class ServiceFields:
    service_type: str
    date: datetime.date
    channel: str
    content: str
    outcome: str


def clean_service_fields(
    *, service_type: str, date: datetime.date | None, channel: str, content: str, outcome: str
) -> ServiceFields:
    """Every check of one service's fields; errors collected per field, in Chinese."""
    errors: dict[str, list[str]] = {}
    checked: dict[str, object] = {}

    def run(name, check):
        try:
            checked[name] = check()
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)

    def service_type_check():
        if service_type not in ServiceType.values:
            raise ValidationError("请选择服务类型。")
        return service_type

    def channel_check():
        if channel not in Channel.values:
            raise ValidationError("请选择服务方式。")
        return channel

    run("service_type", service_type_check)
    run("date", lambda: check_service_date(date))
    run("channel", channel_check)
    run("content", lambda: clean_text(content, label="服务内容", max_length=CONTENT_MAX))
    run("outcome", lambda: clean_text(outcome, label="服务结果", max_length=OUTCOME_MAX))
    if errors:
        raise ValidationError(errors)
    return ServiceFields(**checked)  # type: ignore[arg-type]


@transaction.atomic
def log_service(
    *,
    graduate: Graduate,
    service_type: str,
    date: datetime.date,
    channel: str,
    content: str = "",
    outcome: str = "",
    acting_user: User,
    posting: JobPosting | None = None,
    event: RecruitmentEvent | None = None,
) -> ServiceEntry:
    """Log one service the acting user's office gave GRADUATE (who must be in the acting user's scope),
    optionally about a job posting or a recruitment event."""
    office = check_staff(acting_user)
    fields = clean_service_fields(
        service_type=service_type, date=date, channel=channel, content=content, outcome=outcome
    )
    if not Graduate.objects.in_scope_of(acting_user).filter(pk=graduate.pk).exists():
        raise ValidationError(MSG_OUT_OF_SCOPE)
    entry = ServiceEntry.objects.create(
        graduate_id=graduate.pk,
        service_type=fields.service_type,
        date=fields.date,
        office=office,
        staff=acting_user,
        channel=fields.channel,
        content=fields.content,
        outcome=fields.outcome,
        origin=Origin.RECORD,
        created_by=acting_user,
        posting=posting,
        event=event,
        posting_ref=str(posting.pk) if posting is not None else "",
    )
    record_audit(
        action="services.logged",
        actor=acting_user,
        obj=entry,
        data={"graduate": graduate.pk, "type": fields.service_type},
    )
    refresh_obligations(graduate_ids=[graduate.pk])
    return entry


@dataclass(frozen=True)
class BulkResult:
    logged: int
    entry_ids: list[int] = field(default_factory=list)


_ENTRY_COLUMNS = (
    "graduate_id, service_type, date, office_id, staff_id, staff_name, channel, content, outcome, posting_ref,"
    " origin, created_at, created_by_id, voided_at, voided_by_id, void_reason"
)


def _audit_insert(source: str) -> str:
    """An INSERT of one audit row per entry the CTE `ins` returned (set-based, in the same statement)."""
    return (
        f"INSERT INTO {AuditEvent._meta.db_table} (at, actor_id, office_id, action, object_type, object_id, data) "  # noqa: S608 - table names from _meta, values as parameters
        f"SELECT %(now)s, %(actor)s, %(actor_office)s, 'services.logged', 'services.serviceentry', ins.id::text, "
        f"jsonb_build_object('graduate', ins.graduate_id, 'type', ins.service_type, 'origin', '{source}') "
        "FROM ins RETURNING object_id"
    )


def _scope_condition(user: User, params: dict) -> str:
    scope = scope_for(user)
    if scope.everything:
        return "TRUE"
    params["scope_offices"] = sorted(scope.office_ids or [])
    return "g.responsible_office_id = ANY(%(scope_offices)s)"


@transaction.atomic
def log_service_bulk(
    *,
    graduate_ids: Iterable[int],
    service_type: str,
    date: datetime.date,
    channel: str,
    content: str = "",
    outcome: str = "",
    acting_user: User,
    event: RecruitmentEvent | None = None,
) -> BulkResult:
    """Log the same service for many graduates (everyone who attended an event: EVENT links each entry to it) in
    one INSERT … SELECT.

    All or nothing: when any of them is outside the acting user's scope (or does not exist: the message does not
    tell the two apart) nothing is logged."""
    office = check_staff(acting_user)
    fields = clean_service_fields(
        service_type=service_type, date=date, channel=channel, content=content, outcome=outcome
    )
    ids = sorted({int(i) for i in graduate_ids})
    if not ids:
        raise ValidationError("请至少选择一名毕业生。")
    if len(ids) > MAX_BULK:
        raise ValidationError(f"一次最多为 {MAX_BULK} 名毕业生记录服务，现有 {len(ids)} 名：请分批记录。")
    params: dict = {
        "ids": ids,
        "type": fields.service_type,
        "date": fields.date,
        "office": office.pk,
        "staff": acting_user.pk,
        "channel": fields.channel,
        "content": fields.content,
        "outcome": fields.outcome,
        "origin": Origin.BULK.value,
        "now": timezone.now(),
        "actor": acting_user.pk,
        "actor_office": office.pk,
        "event": event.pk if event is not None else None,
    }
    condition = _scope_condition(acting_user, params)
    sql = (
        f"WITH ins AS (INSERT INTO {ServiceEntry._meta.db_table} ({_ENTRY_COLUMNS}, event_id) "  # noqa: S608 - table names from _meta, values as parameters
        "SELECT g.id, %(type)s, %(date)s, %(office)s, %(staff)s, '', %(channel)s, %(content)s, %(outcome)s, '', "
        "%(origin)s, %(now)s, %(actor)s, NULL, NULL, '', %(event)s "
        f"FROM {Graduate._meta.db_table} g WHERE g.id = ANY(%(ids)s) AND {condition} ORDER BY g.id "
        "RETURNING id, graduate_id, service_type) " + _audit_insert(Origin.BULK.value)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        entry_ids = sorted(int(row[0]) for row in cursor.fetchall())
    missing = len(ids) - len(entry_ids)
    if missing:
        raise ValidationError(MSG_BULK_OUT_OF_SCOPE.format(count=missing))  # the transaction rolls back
    refresh_obligations(graduate_ids=sorted(ids))
    return BulkResult(logged=len(entry_ids), entry_ids=entry_ids)


@transaction.atomic
def void_service(*, entry: ServiceEntry, reason: str, acting_user: User) -> ServiceEntry:
    """Void a mistaken entry: it stays (struck through on the timeline) with who, when and why; it no longer
    counts. Only staff whose scope covers the office that logged it may void it, once."""
    check_staff(acting_user)
    reason = clean_text(reason, label="作废原因", max_length=VOID_REASON_MAX, required=True)
    locked = ServiceEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or not scope_for(acting_user).covers_office(locked.office_id):
        raise ValidationError("没有找到该服务记录。")
    if locked.voided_at is not None:
        raise ValidationError(
            f"该服务记录已于 {timezone.localtime(locked.voided_at):%Y-%m-%d %H:%M} 作废，不能再次作废。"
        )
    locked.voided_at = timezone.now()
    locked.voided_by = acting_user
    locked.void_reason = reason
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record_audit(
        action="services.voided",
        actor=acting_user,
        obj=locked,
        data={"graduate": locked.graduate_id, "type": locked.service_type},
    )
    refresh_obligations(graduate_ids=[locked.graduate_id])
    return locked


# --- the office's ledger ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    """One checked ledger row, ready to log."""

    row: int  # the spreadsheet's row number
    graduate_id: int
    service_type: str
    date: datetime.date
    content: str
    staff_id: int | None
    staff_name: str
    posting_ref: str


@dataclass(frozen=True)
class LedgerWrite:
    logged: int
    duplicate_rows: list[int]


def offices_served_by(office: Office) -> list[int]:
    """The employment offices in OFFICE's region subtree (whose graduates OFFICE may serve)."""
    prefix = region_prefix(office.region_id)
    return list(
        Office.objects.employment_offices()
        .filter(region__code__startswith=prefix)
        .values_list("id", flat=True)
    )


def check_ledger_office(*, office: Office, acting_user: User) -> None:
    """The acting user may load a ledger for OFFICE: staff whose scope covers it (the bureau: any office)."""
    check_staff(acting_user)
    if not office.is_employment_office or not office.is_active:
        raise PermissionDenied("台账只能导入到就业服务机构。")
    if not scope_for(acting_user).covers_office(office.pk):
        raise PermissionDenied("您不能为该机构导入台账。")


# Ledgers of one office are loaded one at a time, so two loads of the same file cannot both miss the other's rows.
_LEDGER_LOCK_NAMESPACE = 7309


@transaction.atomic
def log_ledger_rows(
    *, office: Office, rows: Sequence[LedgerRow], acting_user: User, dry_run: bool = False
) -> LedgerWrite:
    """Log checked ledger rows for OFFICE in one statement: rows identical to a logged service (same graduate,
    type, date, office and content; voided ones too) or to an earlier row of the file are duplicates, reported
    and not logged again. With DRY_RUN nothing is written."""
    check_ledger_office(office=office, acting_user=acting_user)
    seen: set[tuple] = set()
    unique: list[LedgerRow] = []
    duplicate_rows: list[int] = []
    for row in rows:
        key = (row.graduate_id, row.service_type, row.date, row.content)
        if key in seen:
            duplicate_rows.append(row.row)
        else:
            seen.add(key)
            unique.append(row)
    params: dict = {
        "row": [r.row for r in unique],
        "graduate": [r.graduate_id for r in unique],
        "type": [r.service_type for r in unique],
        "date": [r.date for r in unique],
        "content": [r.content for r in unique],
        "staff": [r.staff_id for r in unique],
        "staff_name": [r.staff_name[:STAFF_NAME_MAX] for r in unique],
        "posting_ref": [r.posting_ref[:POSTING_REF_MAX] for r in unique],
        "office": office.pk,
        "origin": Origin.LEDGER.value,
        "now": timezone.now(),
        "actor": acting_user.pk,
        "actor_office": acting_user.office_id,
    }
    table = ServiceEntry._meta.db_table
    staged = (
        "staged AS (SELECT * FROM unnest(%(row)s::int[], %(graduate)s::bigint[], %(type)s::text[], "  # noqa: S608 - table names from _meta, values as parameters
        "%(date)s::date[], %(content)s::text[], %(staff)s::bigint[], %(staff_name)s::text[], "
        "%(posting_ref)s::text[]) AS s(row_no, graduate_id, service_type, date, content, staff_id, staff_name, "
        "posting_ref)), "
        "dup AS (SELECT s.row_no FROM staged s WHERE EXISTS (SELECT 1 FROM "
        f"{table} e WHERE e.graduate_id = s.graduate_id AND e.service_type = s.service_type "
        "AND e.date = s.date AND e.office_id = %(office)s AND e.content = s.content))"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LEDGER_LOCK_NAMESPACE, office.pk])
        if not unique:
            return LedgerWrite(logged=0, duplicate_rows=sorted(duplicate_rows))
        cursor.execute(f"WITH {staged} SELECT row_no FROM dup", params)  # noqa: S608 - table names from _meta, values as parameters
        logged_before = [int(r[0]) for r in cursor.fetchall()]
        duplicate_rows.extend(logged_before)
        if dry_run:  # what would be logged
            return LedgerWrite(logged=len(unique) - len(logged_before), duplicate_rows=sorted(duplicate_rows))
        cursor.execute(
            f"WITH {staged}, ins AS (INSERT INTO {table} ({_ENTRY_COLUMNS}) "  # noqa: S608 - table names from _meta, values as parameters
            "SELECT s.graduate_id, s.service_type, s.date, %(office)s, s.staff_id, s.staff_name, '', s.content, "
            "'', s.posting_ref, %(origin)s, %(now)s, %(actor)s, NULL, NULL, '' FROM staged s "
            "WHERE s.row_no NOT IN (SELECT row_no FROM dup) ORDER BY s.row_no "
            "RETURNING id, graduate_id, service_type) " + _audit_insert(Origin.LEDGER.value),
            params,
        )
        logged = len(cursor.fetchall())
    if logged:
        refresh_obligations(graduate_ids=sorted({row.graduate_id for row in unique}))
    record_audit(
        action="services.ledger_imported",
        actor=acting_user,
        obj=office,
        data={"logged": logged, "duplicates": len(duplicate_rows)},
    )
    return LedgerWrite(logged=logged, duplicate_rows=sorted(duplicate_rows))


# --- Job postings and recruitment events ----------------------------------------------------------------------


@transaction.atomic
def create_posting(*, posting: JobPosting, acting_user: User) -> JobPosting:
    """Save a new job posting for the acting user's office (checked with full_clean: Chinese messages)."""
    posting.office = check_staff(acting_user)
    posting.created_by = acting_user
    if posting.pay_min and posting.pay_max and posting.pay_min > posting.pay_max:
        raise ValidationError({"pay_max": "月薪上限不能低于下限。"})
    posting.full_clean()
    posting.save()
    record_audit(action="services.posting.created", actor=acting_user, obj=posting, data={})
    return posting


@transaction.atomic
def create_event(
    *, event: RecruitmentEvent, posting_ids: Sequence[int] = (), acting_user: User
) -> RecruitmentEvent:
    """Save a recruitment event the acting user's office holds or held (planned ones up to a year ahead)."""
    event.office = check_staff(acting_user)
    event.created_by = acting_user
    latest = timezone.localdate() + datetime.timedelta(days=366)
    if event.date is None or not EARLIEST_DATE <= event.date <= latest:
        raise ValidationError({"date": f"举办日期应在 2000-01-01 至 {latest:%Y-%m-%d} 之间。"})
    if not event.online and not event.place.strip():
        raise ValidationError({"place": "请填写举办地点，或勾选“网络招聘”。"})
    event.full_clean()
    event.save()
    if posting_ids:
        event.postings.set(JobPosting.objects.filter(pk__in=list(posting_ids)))
    record_audit(action="services.event.created", actor=acting_user, obj=event, data={"kind": event.kind})
    return event


def recommend_posting(*, graduate: Graduate, posting: JobPosting, acting_user: User) -> ServiceEntry:
    """One click: log a 岗位推荐 of POSTING to GRADUATE today (the plan counts it at once)."""
    if posting.valid_until < timezone.localdate():
        raise ValidationError("该岗位已过有效期，不能再推荐。")
    return log_service(
        graduate=graduate,
        service_type=ServiceType.JOB_REFERRAL,
        date=timezone.localdate(),
        channel=Channel.PHONE,
        content=f"推荐岗位：{posting.employer} {posting.title}"[:CONTENT_MAX],
        acting_user=acting_user,
        posting=posting,
    )


# --- One-on-one help --------------------------------------------------------------------------------------------

PLAN_MAX = 1000


@transaction.atomic
def assign_specialist(
    *, graduate: Graduate, specialist: User, plan: str, follow_up_days: int, acting_user: User
) -> OneOnOne:
    """Name a hardship graduate's specialist (就业和人才服务专员) with the written plan and the follow-up interval;
    again to change them. Follow-ups are 一对一帮扶 services logged as any other."""
    office = check_staff(acting_user)
    if not Graduate.objects.in_scope_of(acting_user).filter(pk=graduate.pk).exists():
        raise ValidationError(MSG_OUT_OF_SCOPE)
    if not set(graduate.hardship or []) & set(HARDSHIP_CODES):
        raise ValidationError("一对一帮扶面向困难毕业生（零就业家庭、家庭经济困难、残疾、脱贫家庭等）。")
    errors: dict[str, str] = {}
    if not (specialist.is_active and scope_for(specialist).covers_office(graduate.responsible_office_id)):
        errors["specialist"] = "专员须是负责该毕业生的就业服务机构的在岗工作人员。"
    plan = _INVISIBLE.sub("", plan or "").replace("\r\n", "\n").strip()
    if not plan:
        errors["plan"] = "请填写帮扶计划。"
    elif _CONTROL.search(plan):
        errors["plan"] = "帮扶计划含有不可见的控制字符，请删除后重新填写。"
    elif len(plan) > PLAN_MAX:
        errors["plan"] = f"帮扶计划最多 {PLAN_MAX} 个字，现有 {len(plan)} 个字。"
    if not 1 <= follow_up_days <= 180:
        errors["follow_up_days"] = "回访间隔应在 1 至 180 天之间。"
    if errors:
        raise ValidationError(errors)
    existing = OneOnOne.objects.select_for_update().filter(graduate_id=graduate.pk).first()
    values = {"office": office, "specialist": specialist, "plan": plan, "follow_up_days": follow_up_days}
    if existing is None:
        help_ = OneOnOne.objects.create(graduate_id=graduate.pk, created_by=acting_user, **values)
    else:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        help_ = existing
    record_audit(
        action="services.one_on_one.assigned",
        actor=acting_user,
        obj=help_,
        data={"graduate": graduate.pk, "specialist": specialist.pk, "days": follow_up_days},
    )
    return help_
