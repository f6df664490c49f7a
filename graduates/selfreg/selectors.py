"""Reads of the self-registrations: the office's worklist of leads, narrowed by the scope rule."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from core.models import User
from core.scope import scope_for
from graduates.models import SelfRegistration


def leads_in_scope(user: User) -> QuerySet[SelfRegistration]:
    """The leads of the records the user's office (and its subtree) holds: they follow a record that moves."""
    return scope_for(user).filter(
        SelfRegistration.objects.all(),
        office_field="graduate__responsible_office",
        university_field="graduate__university",
    )


def worklist(user: User, *, status: str = SelfRegistration.Status.OPEN) -> QuerySet[SelfRegistration]:
    """Open leads, the overdue first, then by due date and newest first; contacted ones newest first."""
    leads = (
        leads_in_scope(user)
        .filter(status=status)
        .select_related("graduate", "graduate__origin_region", "office", "requested_office", "contacted_by")
    )
    if status != SelfRegistration.Status.OPEN:
        return leads.order_by("-contacted_at", "-id")
    today = timezone.localdate()
    return leads.annotate(
        overdue=Case(When(due_on__lt=today, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-overdue", "due_on", "-received_at", "-id")


def open_count(user: User) -> int:
    return leads_in_scope(user).filter(status=SelfRegistration.Status.OPEN).count()


def open_lead(user: User, pk: int) -> SelfRegistration | None:
    return leads_in_scope(user).select_related("graduate").filter(pk=pk).first()
