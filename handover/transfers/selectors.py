"""Reads of transfers, narrowed by the scope rule.

No timeline provider: every step of a transfer (request, acceptance, rejection, withdrawal, leaving the
province) already writes a GraduateChange row with actor, office and note, which the record's timeline shows.
A provider reading Transfer as well would show each step twice.
"""

from __future__ import annotations

from itertools import groupby

from django.db.models import QuerySet

from core.models import OfficeKind, User
from core.scope import scope_for
from handover.models import Transfer

from .actions import receiving_offices

RELATED = ("graduate", "from_office", "to_office", "to_region", "requested_by", "decided_by")


def inbox(user: User) -> QuerySet[Transfer]:
    """Requests waiting for a decision by an office in USER's scope, oldest first."""
    queryset = Transfer.objects.filter(status=Transfer.Status.REQUESTED)
    return (
        scope_for(user)
        .filter(queryset, office_field="to_office")
        .select_related(*RELATED)
        .order_by("requested_at", "id")
    )


def addressed_to(user: User) -> QuerySet[Transfer]:
    """Transfers addressed to an office in USER's scope, whatever became of them (a decided one answers what
    happened to it, not a 404)."""
    return scope_for(user).filter(Transfer.objects.all(), office_field="to_office").select_related(*RELATED)


def outbox(user: User) -> QuerySet[Transfer]:
    """Transfers requested by offices in USER's scope, whatever became of them, newest first."""
    return (
        scope_for(user)
        .filter(Transfer.objects.all(), office_field="from_office")
        .select_related(*RELATED)
        .order_by("-requested_at", "-id")
    )


def visible_to(user: User) -> QuerySet[Transfer]:
    """Transfers an office in USER's scope requested or was asked to take (the inbox and outbox together)."""
    scope = scope_for(user)
    return (
        scope.filter(Transfer.objects.all(), office_field="to_office")
        | scope.filter(Transfer.objects.all(), office_field="from_office")
    ).select_related(*RELATED)


def open_transfer_for(graduate_id: int) -> Transfer | None:
    return (
        Transfer.objects.filter(graduate_id=graduate_id, status=Transfer.Status.REQUESTED)
        .select_related("to_office")
        .first()
    )


def receiving_office_groups(*, exclude_id: int | None = None) -> list[tuple[str, list[tuple[int, str]]]]:
    """The offices a graduate may go to, grouped by prefecture (the prefecture office first, then its
    counties), for a select with optgroups."""
    offices = receiving_offices().only("id", "kind", "name", "region_id").order_by("region_id")
    groups = []
    for _prefix, grouped in groupby(offices, key=lambda o: o.region_id[:4]):
        members = list(grouped)
        head = next((o for o in members if o.kind == OfficeKind.PREFECTURE), members[0])
        options = [(o.pk, o.name) for o in members if o.pk != exclude_id]
        if options:
            groups.append((head.name, options))
    return groups
