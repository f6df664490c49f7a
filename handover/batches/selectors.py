"""Reads of the handover, narrowed by the scope rule."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from core.models import Office, OfficeKind, User
from core.scope import scope_for, visible_offices
from graduates.models import Graduate
from handover.batches.actions import province_bureau
from handover.models import BatchSource, HandoverBatch, HandoverDeadline, HandoverItem


def works_for_bureau(user: User) -> bool:
    return scope_for(user).everything or (user.office is not None and user.office.kind == OfficeKind.BUREAU)


def batches_visible_to(user: User) -> QuerySet[HandoverBatch]:
    """The bureau sees every batch; other users none (offices see their share, not the batches)."""
    if works_for_bureau(user):
        return HandoverBatch.objects.select_related("created_by", "dispatched_by")
    return HandoverBatch.objects.none()


def items_visible_to(user: User) -> QuerySet[HandoverItem]:
    """Hand-over items: the bureau sees every one; an office those dispatched to an office in its subtree (its
    share, and its counties'); anybody else none."""
    items = HandoverItem.objects.select_related("batch", "graduate", "office", "acknowledged_by")
    if works_for_bureau(user):
        return items
    return scope_for(user).filter(items, office_field="office")


def unassigned_queue(user: User) -> QuerySet[Graduate]:
    """The bureau's 待分配 queue: graduates of received batches still held by the bureau (not signed, not reported
    to MOHRSS)."""
    if not works_for_bureau(user):
        return Graduate.objects.none()
    # EXISTS, not a join + DISTINCT: the page is read in (created_at, id) order and stops after 50 rows.
    waiting = HandoverItem.objects.filter(graduate=OuterRef("pk"), kept=False, reported_to_mohrss=False)
    return (
        Graduate.objects.filter(Exists(waiting), responsible_office=province_bureau())
        .exclude(school_status="signed")
        .select_related("origin_region")
        .order_by("created_at", "id")
    )


def acknowledgement_status(user: User) -> list[dict]:
    """Per receiving office in the user's scope: received, signed for, waiting, and days since the oldest
    unsigned dispatch (the bureau chases whoever has not signed)."""
    offices = {
        o.pk: o
        for o in visible_offices(user)
        .filter(kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY])
        .only("id", "name", "region_id")
    }
    # Grouped by office id alone, the office's name added afterwards: joining the office to every item before
    # grouping cost more than the grouping (the bureau at 400,000 items).
    rows = (
        HandoverItem.objects.filter(office_id__in=sorted(offices))
        .values("office")
        .annotate(
            received=Count("id"),
            waiting=Count("id", filter=Q(acknowledged_at__isnull=True)),
            oldest=Min("dispatched_at", filter=Q(acknowledged_at__isnull=True)),
        )
        .order_by()
    )
    now = timezone.now()
    status = [
        {
            **row,
            "office__name": offices[row["office"]].name,
            "office__region_id": offices[row["office"]].region_id,
            "days": (now - row["oldest"]).days if row["oldest"] else None,
        }
        for row in rows
    ]
    return sorted(status, key=lambda row: row["office__region_id"])


def my_share(user: User) -> dict:
    """What the user's own office has received and not yet signed for."""
    if user.office is None:
        return {"received": 0, "waiting": 0}
    items = HandoverItem.objects.filter(office=user.office)
    return {"received": items.count(), "waiting": items.filter(acknowledged_at__isnull=True).count()}


def reported_to_mohrss(user: User) -> QuerySet[Graduate]:
    """Graduates of province-run universities whose origin is outside the province, held by the bureau and
    reported to MOHRSS (000 §一(一)3) instead of dispatched: shown beside the 待分配 queue, not in it."""
    if not works_for_bureau(user):
        return Graduate.objects.none()
    reported = HandoverItem.objects.filter(graduate=OuterRef("pk"), reported_to_mohrss=True)
    return (
        Graduate.objects.filter(Exists(reported), responsible_office=province_bureau())
        .select_related("origin_region")
        .order_by("created_at", "id")
    )


def suggested_offices(id_numbers: list[str]) -> dict[str, Office | None]:
    """actions.suggested_office for a page of ID numbers in two queries (regions, offices) instead of two per
    row: the office of the region in the first six digits, by graduates.actions.office_for_origin's rule."""
    from core.models import Region

    codes = {number[:6] for number in id_numbers}
    regions = {r.code: r for r in Region.objects.filter(code__in=sorted(codes))}
    offices = list(Office.objects.filter(kind=OfficeKind.BUREAU)) + list(
        Office.objects.employment_offices().active().exclude(kind=OfficeKind.BUREAU)
    )
    bureaus = {o.region_id: o for o in offices if o.kind == OfficeKind.BUREAU}
    by_region: dict[str, Office] = {}
    for office in offices:
        if office.kind != OfficeKind.BUREAU:
            by_region.setdefault(office.region_id, office)
    found: dict[str, Office | None] = {}
    for code in codes:
        region = regions.get(code)
        office = None
        if region is not None:
            current = region.successor_id or region.code if region.valid_to else region.code
            bureau = bureaus.get(current[:2] + "0000")
            if bureau is not None:
                candidates = ([current] if bureau.handover_to_county else []) + [current[:4] + "00"]
                office = next((by_region[c] for c in candidates if c in by_region), None)
        found[code] = office
    return {number: found[number[:6]] for number in id_numbers}


# Defaults when no HandoverDeadline row is configured (青人社厅函〔2017〕490号: the Education Dept hands over
# before mid-September, the bureau gets MOHRSS's list in October; 吉人社发〔2022〕21号: Jilin, end of July).
DEFAULT_DUE: dict[str, tuple[int, int]] = {
    HandoverDeadline.Kind.EDUCATION: (9, 15),
    HandoverDeadline.Kind.MOHRSS: (10, 31),
}
PROVINCE_DEFAULT_DUE: dict[str, dict[str, tuple[int, int]]] = {
    "22": {HandoverDeadline.Kind.EDUCATION: (7, 31)},  # 吉林省
}
BATCH_OF_DEADLINE = {
    HandoverDeadline.Kind.EDUCATION: BatchSource.EDUCATION,
    HandoverDeadline.Kind.MOHRSS: BatchSource.MOHRSS,
}


def default_due_on(*, cohort: int, kind: str) -> datetime.date:
    province = str(settings.PROVINCE_CODE)[:2]
    month, day = PROVINCE_DEFAULT_DUE.get(province, {}).get(kind, DEFAULT_DUE[kind])
    return datetime.date(cohort, month, day)


def handover_due_dates(*, cohort: int, today: datetime.date | None = None) -> list[dict]:
    """For the bureau's handover page: each list due for COHORT (the Education Dept's hand-over, MOHRSS's list),
    its due date (configured in the admin, else the default), when its first batch arrived, and the days late or
    remaining."""
    today = today or timezone.localdate()
    configured = dict(HandoverDeadline.objects.filter(cohort=cohort).values_list("kind", "due_on"))
    arrived = dict(
        HandoverBatch.objects.filter(cohort=cohort, source__in=list(BATCH_OF_DEADLINE.values()))
        .values("source")
        .annotate(first=Min("received_on"))
        .values_list("source", "first")
    )
    rows = []
    for kind in HandoverDeadline.Kind:
        due = configured.get(kind) or default_due_on(cohort=cohort, kind=kind)
        received = arrived.get(BATCH_OF_DEADLINE[kind])
        late = ((received or today) - due).days
        rows.append(
            {
                "kind": kind,
                "label": kind.label,
                "due_on": due,
                "configured": kind in configured,
                "arrived_on": received,
                "days_late": max(late, 0),
                "days_left": None if received else max(-late, 0),
            }
        )
    return rows
