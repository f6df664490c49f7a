"""Reads of the registry that depend on the user's scope. Every page, export and API goes through these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import Http404

from core.models import Office, Region, User
from core.scope import scope_for

from .checks import mask_id_number, mask_phone
from .codes import MANUAL_TRANSITIONS, State
from .filters import GraduateFilter
from .models import INCOMPLETE, Graduate, GraduateChange, GraduateQuerySet

LIST_FIELDS = [
    "id",
    "name",
    "gender",
    "id_number",
    "mobile",
    "cohort",
    "education",
    "major",
    "university_name",
    "state",
    "destination",
    "hardship",
    "updated_at",
    "origin_region__full_name",
    "responsible_office__name",
    "responsible_office__region__name",
    "staff__full_name",
    "staff__username",
]


def graduates_visible_to(user: User) -> GraduateQuerySet:
    return Graduate.objects.in_scope_of(user)


def graduate_list(*, user: User, params) -> tuple[GraduateFilter, QuerySet]:
    """The office's list: scope, then the URL's filters, then the chosen order; only the columns shown."""
    filterset = GraduateFilter(params, queryset=graduates_visible_to(user), user=user)
    queryset = (
        filterset.qs.order_by(*filterset.order_by)
        .annotate(incomplete=ExpressionWrapper(INCOMPLETE, output_field=BooleanField()))
        .values(*LIST_FIELDS, "incomplete")
    )
    return filterset, queryset


def get_graduate_for(*, user: User, pk: int, for_update: bool = False) -> Graduate:
    """The record if USER's scope covers it; a 404 otherwise (an out-of-scope record does not exist for them)."""
    queryset = graduates_visible_to(user).select_related(
        "origin_region", "responsible_office", "staff", "university"
    )
    try:
        return queryset.get(pk=pk)
    except Graduate.DoesNotExist:
        raise Http404("没有找到该毕业生") from None


def allowed_next_states(graduate: Graduate) -> list[State]:
    return [State(s) for s in State.values if s in MANUAL_TRANSITIONS[graduate.state]]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    actor: str
    office: str
    lines: list[str]


# Other apps (handover, services) add their events to the timeline through these providers, so the
# registry never imports them.
_TIMELINE_PROVIDERS: list[Callable[[Graduate], list[TimelineEntry]]] = []


def register_timeline_provider(provider) -> None:
    if provider not in _TIMELINE_PROVIDERS:
        _TIMELINE_PROVIDERS.append(provider)


# History fields whose values are ids: shown by name, looked up in one query per model for a whole timeline.
ID_FIELDS = {"staff_id": User, "responsible_office_id": Office}


def names_for(changes: list[GraduateChange]) -> dict[str, dict]:
    """{field: {id: name}} of every user and office id the CHANGES mention (one query per model, none when no
    change mentions one), for display_value."""
    wanted: dict[str, set] = {field: set() for field in ID_FIELDS}
    for change in changes:
        for field, values in change.changes.items():
            if field in wanted:
                wanted[field].update(v for v in values if isinstance(v, int))
    names: dict[str, dict] = {}
    for field, ids in wanted.items():
        if ids:
            rows = ID_FIELDS[field]._default_manager.filter(pk__in=sorted(ids))
            names[field] = {
                r.pk: str(getattr(r, "name", r)) if field == "responsible_office_id" else str(r) for r in rows
            }
    return names


def display_value(field: str, value, names: dict[str, dict] | None = None) -> str:
    if value in (None, "", []):
        return "（空）"
    if field == "id_number":
        return mask_id_number(value)
    if field in ("mobile", "landline"):
        return mask_phone(value)
    name = field.removesuffix("_id")
    model_field = Graduate._meta.get_field(name)
    if field in ID_FIELDS:
        if names is None:
            names = names_for([GraduateChange(changes={field: [value]})])
        return names.get(field, {}).get(value, str(value))
    base = getattr(model_field, "base_field", None)
    choices = dict(getattr(base or model_field, "choices", None) or [])
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))


def field_label(field: str) -> str:
    return str(getattr(Graduate._meta.get_field(field.removesuffix("_id")), "verbose_name", field))


def change_lines(change: GraduateChange, names: dict[str, dict] | None = None) -> list[str]:
    """One line per changed field: its label, from what to what (ID numbers and phones masked)."""
    names = names_for([change]) if names is None else names
    return [
        f"{field_label(f)}：{display_value(f, old, names)} → {display_value(f, new, names)}"
        for f, (old, new) in change.changes.items()
    ]


def changes_since(graduate: Graduate, version: int, *, limit: int = 20) -> list[GraduateChange]:
    """The history rows written after the record had VERSION, oldest first. Every write bumps the version by one
    and writes one history row (the registration starts at 1), so they are the newest (current − VERSION)."""
    count = min(graduate.version - version, limit)
    if count <= 0:
        return []
    newest = (
        graduate.changes.exclude(kind=GraduateChange.Kind.CREATED)
        .select_related("actor", "office")
        .order_by("-at", "-id")[:count]
    )
    return list(reversed(newest))


def graduate_timeline(graduate: Graduate) -> list[TimelineEntry]:
    """Registration, every change (field by field, ID and phones masked), every visit, newest first."""
    entries = []
    changes = list(graduate.changes.select_related("actor", "office"))
    names = names_for(changes)
    for change in changes:
        lines = change_lines(change, names)
        if change.note:
            lines.append(change.note)
        entries.append(
            TimelineEntry(
                at=change.at,
                kind=change.kind,
                title=change.get_kind_display(),
                actor=str(change.actor or "系统"),
                office=change.office.name if change.office else "",
                lines=lines,
            )
        )
    for visit in graduate.visits.select_related("staff", "office"):
        lines = [f"{visit.get_method_display()}，{visit.get_outcome_display()}"]
        if visit.destination:
            lines.append(
                f"就业去向：{visit.get_destination_display()}"
                + (f"（{visit.employer}）" if visit.employer else "")
            )
        if visit.note:
            lines.append(visit.note)
        entries.append(
            TimelineEntry(
                at=visit.created_at,
                kind="visit",
                title=f"回访 {visit.visited_on:%Y-%m-%d}",
                actor=str(visit.staff),
                office=visit.office.name,
                lines=lines,
            )
        )
    for source in graduate.source_records.select_related("office", "created_by"):
        entries.append(
            TimelineEntry(
                at=source.received_at,
                kind="source",
                title=f"来源：{source.get_channel_display()}",
                actor=str(source.created_by or "系统"),
                office=source.office.name if source.office else "",
                lines=[],
            )
        )
    for provider in _TIMELINE_PROVIDERS:
        entries.extend(provider(graduate))
    return sorted(entries, key=lambda e: e.at, reverse=True)


def staff_for_assignment(user: User) -> QuerySet[User]:
    """Users the acting user may give graduates to: active staff of offices in their scope."""
    scope = scope_for(user)
    users = User.objects.filter(is_active=True, office__isnull=False).select_related("office")
    if scope.everything:
        return users
    if scope.office_ids is not None:
        return users.filter(office_id__in=sorted(scope.office_ids))
    return users.none()


def region_options() -> QuerySet[Region]:
    """The province's current regions, offered while typing a 6-digit code (any valid code is accepted)."""
    return Region.objects.current().filter(code__startswith=settings.PROVINCE_CODE).only("code", "full_name")


def waiting_count(user: User) -> int:
    return graduates_visible_to(user).waiting_for_contact().count()


def incomplete_count(user: User) -> int:
    """信息不全 records in USER's scope (the home page's counter; the list's info=incomplete filter)."""
    return graduates_visible_to(user).incomplete().count()
