"""Reads of the contact work: the worklist and the report-in lists, narrowed by the scope rule."""

from __future__ import annotations

from django.db.models import Count, F, Min, Q, QuerySet

from core.models import OfficeKind, User
from graduates.models import Graduate


def worklist(*, user: User, mine_only: bool = False) -> QuerySet[Graduate]:
    """Received graduates still waiting for contact (or unreachable), oldest hand-over first: what the office
    works through one by one."""
    graduates = (
        Graduate.objects.in_scope_of(user)
        .filter(state__in=["waiting", "unreachable"])
        .exclude(responsible_office__kind=OfficeKind.BUREAU)
        .select_related("responsible_office", "staff", "origin_region")
        .annotate(handed_over=Min("handover_items__dispatched_at"), attempts=Count("contact_attempts"))
        .order_by(F("handed_over").asc(nulls_last=True), "created_at", "id")
    )
    if mine_only:
        graduates = graduates.filter(Q(staff=user) | Q(staff__isnull=True))
    return graduates


def report_in_lists(*, user: User, cohort: int) -> dict:
    """The three report-in lists of the office: matched; on the office's list but not reported (to trace);
    reported but not on the list (to register on the spot)."""
    from handover.models import ReportIn

    reports = ReportIn.objects.filter(office=user.office, cohort=cohort).select_related("graduate")
    reported_ids = reports.exclude(graduate__isnull=True).values("graduate_id")
    not_reported = (
        Graduate.objects.in_scope_of(user)
        .filter(cohort=cohort)
        .exclude(state__in=["employed", "transferred"])
        .exclude(pk__in=reported_ids)
        .order_by("name")
    )
    return {
        "matched": reports.filter(graduate__isnull=False).order_by("-reported_on"),
        "not_reported": not_reported,
        "unknown": reports.filter(graduate__isnull=True).order_by("-reported_on"),
    }
