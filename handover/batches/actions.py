"""Writes of the handover: batches from imported lists, and their dispatch by origin. Set-based SQL throughout."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.audit import record_audit
from core.models import Office, OfficeKind, User
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
    HandoverBatch.objects.filter(pk=batch.pk).update(total=total)
    record_audit(action="handover.batch.received", actor=acting_user, obj=batch, data={"total": total})
    return batch


@dataclass
class DispatchResult:
    dispatched: int = 0
    unassigned: int = 0
    kept: int = 0
    by_office: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "dispatched": self.dispatched,
            "unassigned": self.unassigned,
            "kept": self.kept,
            "by_office": self.by_office,
        }


# The office of each waiting graduate's origin: the current code of the origin region (its successor when the
# code was abolished), then the county office where the province hands over to counties, else the prefecture
# office. An origin outside the province, missing or without an office stays at the bureau's 待分配 queue.
TARGETS_SQL = """
    SELECT i.id AS item_id, i.graduate_id, COALESCE(county.id, prefecture.id) AS office_id
    FROM handover_handoveritem i
    JOIN graduates_graduate g ON g.id = i.graduate_id
    LEFT JOIN core_region r ON r.code = g.origin_region_id AND r.code LIKE %(province)s
    LEFT JOIN core_office county ON %(to_county)s AND county.kind = 'county' AND county.is_active
        AND county.region_id = COALESCE(r.successor_id, r.code)
    LEFT JOIN core_office prefecture ON prefecture.kind = 'prefecture' AND prefecture.is_active
        AND prefecture.region_id = left(COALESCE(r.successor_id, r.code), 4) || '00'
    WHERE i.batch_id = %(batch)s AND i.office_id IS NULL AND NOT i.kept
        AND g.responsible_office_id = %(bureau)s
"""


@transaction.atomic
def dispatch_batch(*, batch: HandoverBatch, acting_user: User) -> DispatchResult:
    """Give every unemployed graduate of the batch to the office of their origin, in one set-based statement.
    Signed graduates stay for statistics; unknown origins wait at the bureau. Running it again dispatches 0."""
    batch = HandoverBatch.objects.select_for_update().get(pk=batch.pk)
    bureau = province_bureau()
    params = {
        "batch": batch.pk,
        "bureau": bureau.pk,
        "to_county": bureau.handover_to_county,
        "province": f"{settings.PROVINCE_CODE}%",
        "now": timezone.now(),
        "actor": acting_user.pk,
        "office": acting_user.office_id,
    }
    result = DispatchResult()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE dispatch_targets ON COMMIT DROP AS {TARGETS_SQL}
            """,
            params,
        )
        cursor.execute(
            "UPDATE graduates_graduate g SET responsible_office_id = t.office_id, version = g.version + 1, "
            "updated_at = %(now)s FROM dispatch_targets t WHERE g.id = t.graduate_id AND t.office_id IS NOT NULL",
            params,
        )
        result.dispatched = cursor.rowcount
        cursor.execute(
            "UPDATE handover_handoveritem i SET office_id = t.office_id, dispatched_at = %(now)s "
            "FROM dispatch_targets t WHERE i.id = t.item_id AND t.office_id IS NOT NULL",
            params,
        )
        cursor.execute(
            "INSERT INTO graduates_graduatechange (graduate_id, at, kind, actor_id, office_id, changes, note) "
            "SELECT t.graduate_id, %(now)s, 'handover', %(actor)s, %(office)s, "
            "jsonb_build_object('responsible_office_id', jsonb_build_array(%(bureau)s, t.office_id)), "
            "'按生源地分发' FROM dispatch_targets t WHERE t.office_id IS NOT NULL",
            params,
        )
        cursor.execute(
            "SELECT r.code, count(*) FROM dispatch_targets t JOIN core_office o ON o.id = t.office_id "
            "JOIN core_region r ON r.code = o.region_id GROUP BY r.code ORDER BY r.code"
        )
        result.by_office = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FILTER (WHERE i.kept), count(*) FILTER (WHERE NOT i.kept AND i.office_id IS NULL "
            "AND g.responsible_office_id = %(bureau)s) FROM handover_handoveritem i "
            "JOIN graduates_graduate g ON g.id = i.graduate_id WHERE i.batch_id = %(batch)s",
            params,
        )
        result.kept, result.unassigned = cursor.fetchone()
        cursor.execute("DROP TABLE dispatch_targets")  # also inside a caller's longer transaction
    HandoverBatch.objects.filter(pk=batch.pk).update(
        status=HandoverBatch.Status.DISPATCHED,
        dispatched=batch.dispatched + result.dispatched,
        unassigned=result.unassigned,
        kept=result.kept,
        dispatched_at=params["now"],
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
    """The bureau gives graduates waiting in its 待分配 queue to OFFICE by hand (set-based)."""
    bureau = province_bureau()
    if not office.is_employment_office or office.kind == OfficeKind.BUREAU:
        raise ValidationError("只能分配给市（州）或县（市、区）就业服务机构。")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE graduates_graduate SET responsible_office_id = %(office)s, version = version + 1, "
            "updated_at = %(now)s WHERE id = ANY(%(ids)s) AND responsible_office_id = %(bureau)s RETURNING id",
            {"office": office.pk, "now": now, "ids": graduate_ids, "bureau": bureau.pk},
        )
        moved = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "UPDATE handover_handoveritem SET office_id = %(office)s, dispatched_at = %(now)s "
            "WHERE graduate_id = ANY(%(ids)s) AND office_id IS NULL AND NOT kept",
            {"office": office.pk, "now": now, "ids": moved},
        )
        cursor.execute(
            "INSERT INTO graduates_graduatechange (graduate_id, at, kind, actor_id, office_id, changes, note) "
            "SELECT id, %(now)s, 'handover', %(actor)s, %(actor_office)s, "
            "jsonb_build_object('responsible_office_id', jsonb_build_array(%(bureau)s, %(office)s)), '人工分配' "
            "FROM unnest(%(ids)s::bigint[]) AS id",
            {"now": now, "actor": acting_user.pk, "actor_office": acting_user.office_id, "bureau": bureau.pk,
             "office": office.pk, "ids": moved},
        )  # fmt: skip
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
    now = timezone.now()
    params = {"office": office.pk, "now": now, "actor": acting_user.pk, "prefix": office.region_id[:4] + "%"}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMPORARY TABLE pass_down ON COMMIT DROP AS
            SELECT g.id AS graduate_id, county.id AS county_id, county.region_id AS code
            FROM graduates_graduate g
            JOIN core_region r ON r.code = g.origin_region_id
            JOIN core_office county ON county.kind = 'county' AND county.is_active
                AND county.region_id = COALESCE(r.successor_id, r.code) AND county.region_id LIKE %(prefix)s
            WHERE g.responsible_office_id = %(office)s AND g.state <> 'transferred'
            """,
            params,
        )
        cursor.execute(
            "UPDATE graduates_graduate g SET responsible_office_id = p.county_id, version = g.version + 1, "
            "updated_at = %(now)s FROM pass_down p WHERE g.id = p.graduate_id",
            params,
        )
        # The county now holds the item and signs for it in turn.
        cursor.execute(
            "UPDATE handover_handoveritem i SET office_id = p.county_id, dispatched_at = %(now)s, "
            "acknowledged_at = NULL, acknowledged_by_id = NULL FROM pass_down p "
            "WHERE i.graduate_id = p.graduate_id AND i.office_id = %(office)s",
            params,
        )
        cursor.execute(
            "INSERT INTO graduates_graduatechange (graduate_id, at, kind, actor_id, office_id, changes, note) "
            "SELECT p.graduate_id, %(now)s, 'handover', %(actor)s, %(office)s, "
            "jsonb_build_object('responsible_office_id', jsonb_build_array(%(office)s, p.county_id)), '下发到县' "
            "FROM pass_down p",
            params,
        )
        cursor.execute("SELECT code, count(*) FROM pass_down GROUP BY code ORDER BY code")
        by_county = dict(cursor.fetchall())
        cursor.execute("DROP TABLE pass_down")
    record_audit(action="handover.passed_down", actor=acting_user, obj=office, data=by_county)
    return by_county
