"""Reads of the handover, narrowed by the scope rule."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from core.models import OfficeKind, User
from core.scope import scope_for, visible_offices
from graduates.models import Graduate
from handover.batches.actions import province_bureau
from handover.models import HandoverBatch, HandoverItem


def works_for_bureau(user: User) -> bool:
    return scope_for(user).everything or (user.office is not None and user.office.kind == OfficeKind.BUREAU)


def batches_visible_to(user: User) -> QuerySet[HandoverBatch]:
    """The bureau sees every batch; other users none (offices see their share, not the batches)."""
    if works_for_bureau(user):
        return HandoverBatch.objects.select_related("created_by", "dispatched_by")
    return HandoverBatch.objects.none()


def unassigned_queue(user: User) -> QuerySet[Graduate]:
    """The bureau's 待分配 queue: graduates of received batches still held by the bureau (not signed)."""
    if not works_for_bureau(user):
        return Graduate.objects.none()
    return (
        Graduate.objects.filter(
            responsible_office=province_bureau(), handover_items__isnull=False, handover_items__kept=False
        )
        .exclude(school_status="signed")
        .select_related("origin_region")
        .distinct()
        .order_by("created_at", "id")
    )


def acknowledgement_status(user: User) -> list[dict]:
    """Per receiving office in the user's scope: received, signed for, waiting, and days since the oldest
    unsigned dispatch (the bureau chases whoever has not signed)."""
    offices = visible_offices(user).filter(kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY])
    rows = (
        HandoverItem.objects.filter(office__in=offices)
        .values("office", "office__name", "office__region_id")
        .annotate(
            received=Count("id"),
            waiting=Count("id", filter=Q(acknowledged_at__isnull=True)),
            oldest=Min("dispatched_at", filter=Q(acknowledged_at__isnull=True)),
        )
        .order_by("office__region_id")
    )
    now = timezone.now()
    return [{**row, "days": (now - row["oldest"]).days if row["oldest"] else None} for row in rows]


def my_share(user: User) -> dict:
    """What the user's own office has received and not yet signed for."""
    if user.office is None:
        return {"received": 0, "waiting": 0}
    items = HandoverItem.objects.filter(office=user.office)
    return {"received": items.count(), "waiting": items.filter(acknowledged_at__isnull=True).count()}
