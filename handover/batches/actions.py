"""Writes of the handover: batches from imported lists, and their dispatch by origin. Set-based SQL throughout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.audit import record_audit
from core.models import Office, OfficeKind, User
from graduates.actions import reassign_offices
from graduates.models import RosterUpload
from handover.models import BatchSource, HandoverBatch, HandoverItem

# Lists that reach the bureau as a handover (an import with these sources creates a batch).
BATCH_SOURCES = {"education": BatchSource.EDUCATION, "mohrss": BatchSource.MOHRSS}


def province_bureau() -> Office:
    return Office.objects.get(kind=OfficeKind.BUREAU, region_id=f"{settings.PROVINCE_CODE}0000")


@transaction.atomic
def create_batch_from_upload(*, upload: RosterUpload, acting_user: User) -> HandoverBatch | None:
    """Called inside the roster commit: the committed list becomes a batch of every graduate it names."""
    source = BATCH_SOURCES.get(upload.source)
    if source is None:
        return None
    batch = HandoverBatch.objects.create(
        source=source, cohort=upload.cohort, upload=upload, created_by=acting_user
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO handover_handoveritem (batch_id, graduate_id, kept) "
            "SELECT %(batch)s, s.graduate_id, g.school_status = 'signed' FROM graduates_rosterrow s "
            "JOIN graduates_graduate g ON g.id = s.graduate_id "
            "WHERE s.upload_id = %(upload)s AND s.action IN ('new', 'update', 'unchanged') "
            "ON CONFLICT (batch_id, graduate_id) DO NOTHING",
            {"batch": batch.pk, "upload": upload.pk},
        )
        total = cursor.rowcount
    reported = _mark_reported_to_mohrss(batch_id=batch.pk)
    HandoverBatch.objects.filter(pk=batch.pk).update(total=total, reported_to_mohrss=reported)
    record_audit(action="handover.batch.received", actor=acting_user, obj=batch, data={"total": total})
    return batch


# Graduates of the province-run universities whose origin (入学前户口所在地) lies outside the province: reported to
# MOHRSS with the province-run universities' list (000 §一(一)3), not dispatched by us, so not in the 待分配
# queue. Re-evaluated for the items still waiting at the bureau (a corrected origin puts one back in the queue).
MARK_MOHRSS_SQL = """
    UPDATE handover_handoveritem i SET reported_to_mohrss = m.outside
    FROM (
        SELECT w.id, COALESCE(u.is_province_run AND g.origin_region_id NOT LIKE %(province)s, false) AS outside
        FROM handover_handoveritem w
        JOIN graduates_graduate g ON g.id = w.graduate_id
        LEFT JOIN core_office u ON u.id = g.university_id
        WHERE w.batch_id = %(batch)s AND w.office_id IS NULL AND NOT w.kept
            AND g.responsible_office_id = %(bureau)s
    ) m
    WHERE i.id = m.id AND i.reported_to_mohrss <> m.outside
"""


def _mark_reported_to_mohrss(*, batch_id: int) -> int:
    """Mark (set-based) the batch's items of province-run universities' out-of-province origins; returns how
    many of the batch's items are so marked."""
    with connection.cursor() as cursor:
        cursor.execute(
            MARK_MOHRSS_SQL,
            {"batch": batch_id, "bureau": province_bureau().pk, "province": f"{settings.PROVINCE_CODE}%"},
        )
        cursor.execute(
            "SELECT count(*) FROM handover_handoveritem WHERE batch_id = %s AND reported_to_mohrss",
            [batch_id],
        )
        return cursor.fetchone()[0]


@dataclass
class DispatchResult:
    dispatched: int = 0
    unassigned: int = 0
    kept: int = 0
    reported_to_mohrss: int = 0
    by_office: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "dispatched": self.dispatched,
            "unassigned": self.unassigned,
            "kept": self.kept,
            "reported_to_mohrss": self.reported_to_mohrss,
            "by_office": self.by_office,
        }


# The office of each waiting graduate's origin: the current code of the origin region (its successor when the
# code was abolished), then the county office where the province hands over to counties, else the prefecture
# office. An origin outside the province, missing or without an office stays at the bureau's 待分配 queue (unless
# reported to MOHRSS: a province-run university's graduate from another province).
TARGETS_SQL = """
    SELECT i.id AS item_id, i.graduate_id, COALESCE(county.id, prefecture.id) AS office_id
    FROM handover_handoveritem i
    JOIN graduates_graduate g ON g.id = i.graduate_id
    LEFT JOIN core_region r ON r.code = g.origin_region_id AND r.code LIKE %(province)s
    LEFT JOIN core_office county ON %(to_county)s AND county.kind = 'county' AND county.is_active
        AND county.region_id = COALESCE(r.successor_id, r.code)
    LEFT JOIN core_office prefecture ON prefecture.kind = 'prefecture' AND prefecture.is_active
        AND prefecture.region_id = left(COALESCE(r.successor_id, r.code), 4) || '00'
    WHERE i.batch_id = %(batch)s AND i.office_id IS NULL AND NOT i.kept AND NOT i.reported_to_mohrss
        AND g.responsible_office_id = %(bureau)s
"""


def _ensure_bureau(user: User) -> Office:
    """Dispatching and the 待分配 queue are the provincial bureau's work."""
    bureau = province_bureau()
    if user.office_id != bureau.pk:
        raise PermissionDenied("只有省就业服务局可以分发交接名单和处理待分配名单。")
    return bureau


@transaction.atomic
def dispatch_batch(*, batch: HandoverBatch, acting_user: User) -> DispatchResult:
    """Give every unemployed graduate of the batch to the office of their origin, set-based (the registry's
    reassign_offices moves them). Signed graduates stay for statistics; province-run universities' graduates from
    other provinces are marked as reported to MOHRSS; unknown origins wait at the bureau. Running it again
    dispatches 0."""
    bureau = _ensure_bureau(acting_user)
    batch = HandoverBatch.objects.select_for_update().get(pk=batch.pk)
    now = timezone.now()
    params: dict[str, Any] = {
        "batch": batch.pk,
        "bureau": bureau.pk,
        "to_county": bureau.handover_to_county,
        "province": f"{settings.PROVINCE_CODE}%",
    }
    result = DispatchResult(reported_to_mohrss=_mark_reported_to_mohrss(batch_id=batch.pk))
    with connection.cursor() as cursor:
        cursor.execute(TARGETS_SQL + " AND COALESCE(county.id, prefecture.id) IS NOT NULL", params)
        targets = [(graduate_id, office_id) for _, graduate_id, office_id in cursor.fetchall()]
    moved = reassign_offices(
        targets=targets, acting_user=acting_user, note="按生源地分发", from_office_id=bureau.pk
    )
    result.dispatched = len(moved)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE handover_handoveritem i SET office_id = t.office_id, dispatched_at = %(now)s "
            "FROM unnest(%(ids)s::bigint[], %(offices)s::bigint[]) AS t(graduate_id, office_id) "
            "WHERE i.batch_id = %(batch)s AND i.graduate_id = t.graduate_id",
            {"now": now, "batch": batch.pk, "ids": list(moved), "offices": list(moved.values())},
        )
        cursor.execute(
            "SELECT o.region_id, count(*) FROM unnest(%(offices)s::bigint[]) AS t(office_id) "
            "JOIN core_office o ON o.id = t.office_id GROUP BY o.region_id ORDER BY o.region_id",
            {"offices": list(moved.values())},
        )
        result.by_office = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FILTER (WHERE i.kept), count(*) FILTER (WHERE NOT i.kept AND i.office_id IS NULL "
            "AND NOT i.reported_to_mohrss AND g.responsible_office_id = %(bureau)s) FROM handover_handoveritem i "
            "JOIN graduates_graduate g ON g.id = i.graduate_id WHERE i.batch_id = %(batch)s",
            params,
        )
        result.kept, result.unassigned = cursor.fetchone()
    HandoverBatch.objects.filter(pk=batch.pk).update(
        status=HandoverBatch.Status.DISPATCHED,
        dispatched=batch.dispatched + result.dispatched,
        unassigned=result.unassigned,
        kept=result.kept,
        reported_to_mohrss=result.reported_to_mohrss,
        dispatched_at=now,
        dispatched_by=acting_user,
    )
    record_audit(action="handover.batch.dispatched", actor=acting_user, obj=batch, data=result.as_dict())
    return result


def latest_batch() -> HandoverBatch:
    batch = HandoverBatch.objects.order_by("-created_at", "-pk").first()
    if batch is None:
        raise ValidationError("还没有交接批次：先用 --source education 或 --source mohrss 导入名单。")
    return batch


def suggested_office(id_number: str) -> Office | None:
    """For the 待分配 queue: the office of the region in the ID number's first six digits (where the graduate was
    registered at birth), a hint for staff, not a rule."""
    from core.models import Region
    from graduates.actions import office_for_origin

    region = Region.objects.filter(code=id_number[:6]).first()
    office = office_for_origin(region)
    return office if office is not None and office.kind != OfficeKind.BUREAU else None


@transaction.atomic
def assign_from_queue(*, graduate_ids: list[int], office: Office, acting_user: User) -> int:
    """The bureau gives graduates waiting in its 待分配 queue to OFFICE by hand (set-based). Graduates reported to
    MOHRSS are not in the queue and stay."""
    bureau = _ensure_bureau(acting_user)
    if not office.is_employment_office or office.kind == OfficeKind.BUREAU:
        raise ValidationError("只能分配给市（州）或县（市、区）就业服务机构。")
    waiting = HandoverItem.objects.filter(
        graduate_id__in=graduate_ids, office__isnull=True, kept=False, reported_to_mohrss=False
    ).values_list("graduate_id", flat=True)
    moved = reassign_offices(
        targets=[(pk, office.pk) for pk in sorted(set(waiting))],
        acting_user=acting_user,
        note="人工分配",
        from_office_id=bureau.pk,
    )
    HandoverItem.objects.filter(
        graduate_id__in=list(moved), office__isnull=True, kept=False, reported_to_mohrss=False
    ).update(office=office, dispatched_at=timezone.now())
    record_audit(action="handover.assigned", actor=acting_user, obj=office, data={"count": len(moved)})
    return len(moved)


@transaction.atomic
def acknowledge(*, office: Office, acting_user: User) -> int:
    """The receiving office signs for (签收) everything dispatched to it and not yet signed for."""
    if acting_user.office_id != office.pk:
        raise ValidationError("只能签收本机构收到的名单。")
    count = HandoverItem.objects.filter(office=office, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=acting_user
    )
    record_audit(action="handover.acknowledged", actor=acting_user, obj=office, data={"count": count})
    return count


@transaction.atomic
def pass_down_to_counties(*, office: Office, acting_user: User) -> dict[str, int]:
    """A prefecture office passes its graduates on to its county offices by origin county, in bulk. Graduates
    whose origin county has no office of its own stay with the prefecture."""
    if office.kind != OfficeKind.PREFECTURE or acting_user.office_id != office.pk:
        raise ValidationError("只有市（州）机构可以向所属县（市、区）下发。")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT g.id, county.id
            FROM graduates_graduate g
            JOIN core_region r ON r.code = g.origin_region_id
            JOIN core_office county ON county.kind = 'county' AND county.is_active
                AND county.region_id = COALESCE(r.successor_id, r.code) AND county.region_id LIKE %(prefix)s
            WHERE g.responsible_office_id = %(office)s AND g.state <> 'transferred'
            """,
            {"office": office.pk, "prefix": office.region_id[:4] + "%"},
        )
        targets = cursor.fetchall()
    moved = reassign_offices(
        targets=targets, acting_user=acting_user, note="下发到县", from_office_id=office.pk
    )
    with connection.cursor() as cursor:
        # The county now holds the item and signs for it in turn.
        cursor.execute(
            "UPDATE handover_handoveritem i SET office_id = t.county_id, dispatched_at = %(now)s, "
            "acknowledged_at = NULL, acknowledged_by_id = NULL "
            "FROM unnest(%(ids)s::bigint[], %(counties)s::bigint[]) AS t(graduate_id, county_id) "
            "WHERE i.graduate_id = t.graduate_id AND i.office_id = %(office)s",
            {
                "now": timezone.now(),
                "ids": list(moved),
                "counties": list(moved.values()),
                "office": office.pk,
            },
        )
        cursor.execute(
            "SELECT o.region_id, count(*) FROM unnest(%(counties)s::bigint[]) AS t(county_id) "
            "JOIN core_office o ON o.id = t.county_id GROUP BY o.region_id ORDER BY o.region_id",
            {"counties": list(moved.values())},
        )
        by_county = dict(cursor.fetchall())
    record_audit(action="handover.passed_down", actor=acting_user, obj=office, data=by_county)
    return by_county


# --- The Education Dept confirms the universities' rosters as its hand-over (no double entry) ----------------

# Every graduate of COHORT who came in through a committed university roster of one of the province's
# universities and is in no Education batch of that cohort yet. Signed graduates are kept (not dispatched).
CONFIRM_ROSTERS_SQL = """
    INSERT INTO handover_handoveritem (batch_id, graduate_id, kept)
    SELECT %(batch)s, g.id, g.school_status = 'signed'
    FROM graduates_graduate g
    JOIN core_office u ON u.id = g.university_id AND u.kind = 'university' AND u.region_id LIKE %(province)s
    WHERE g.cohort = %(cohort)s
        AND EXISTS (SELECT 1 FROM graduates_graduatesource s WHERE s.graduate_id = g.id AND s.channel = 'university')
        AND NOT EXISTS (
            SELECT 1 FROM handover_handoveritem i JOIN handover_handoverbatch b ON b.id = i.batch_id
            WHERE i.graduate_id = g.id AND b.source = 'education' AND b.cohort = %(cohort)s
        )
    ON CONFLICT (batch_id, graduate_id) DO NOTHING
"""


def _ensure_education(user: User) -> Office:
    office = user.office
    if office is None or office.kind != OfficeKind.EDUCATION:
        raise PermissionDenied("只有教育厅工作人员可以确认移交院校名单。")
    return office


@transaction.atomic
def confirm_university_rosters(*, cohort: int, acting_user: User) -> HandoverBatch | None:
    """The Education Dept hands over the universities' committed rosters of COHORT as its batch (BatchSource
    EDUCATION) instead of uploading the same people again. Set-based INSERT … SELECT; confirming again adds
    only graduates not yet in an Education batch of the cohort. None when there is nothing new."""
    _ensure_education(acting_user)
    if not 2000 <= cohort <= 2100:
        raise ValidationError("届别应在 2000 至 2100 之间。")
    # One confirmation at a time per cohort: the second waits, then finds the graduates already handed over.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('handover.confirm'), %s)", [cohort])
    batch = HandoverBatch.objects.create(source=BatchSource.EDUCATION, cohort=cohort, created_by=acting_user)
    with connection.cursor() as cursor:
        cursor.execute(
            CONFIRM_ROSTERS_SQL,
            {"batch": batch.pk, "cohort": cohort, "province": f"{settings.PROVINCE_CODE}%"},
        )
        total = cursor.rowcount
    if total == 0:
        batch.delete()
        return None
    batch.reported_to_mohrss = _mark_reported_to_mohrss(batch_id=batch.pk)
    HandoverBatch.objects.filter(pk=batch.pk).update(total=total, reported_to_mohrss=batch.reported_to_mohrss)
    batch.total = total
    record_audit(action="handover.rosters_confirmed", actor=acting_user, obj=batch, data={"total": total})
    return batch
