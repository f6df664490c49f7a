"""Reads of the service log that depend on the user's scope: the office's log, a graduate's services, the
graduates a clerk may log a service for."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from core.models import Office, OfficeKind, Region, User
from core.scope import scope_for
from graduates.checks import mask_id_number
from graduates.models import Graduate
from graduates.selectors import TimelineEntry

from .codes import PlanState, ServiceType
from .models import ServiceEntry, ServiceStandard, StandardRule
from .plans import PlanScope, active_standard, compliance, worklist

LOG_FIELDS = [
    "id",
    "date",
    "service_type",
    "channel",
    "content",
    "outcome",
    "posting_ref",
    "origin",
    "staff_name",
    "created_at",
    "voided_at",
    "void_reason",
    "graduate_id",
    "graduate__name",
    "graduate__id_number",
    "graduate__cohort",
    "office__name",
    "staff__full_name",
    "staff__username",
]


def entries_visible_to(user: User) -> QuerySet[ServiceEntry]:
    """Services given by the offices in USER's scope (an office's own log and its subtree's)."""
    return scope_for(user).filter(ServiceEntry.objects.all(), office_field="office")


def service_log(*, user: User, filters: dict) -> QuerySet:
    """The office's service log, newest first, narrowed by the list's checked filters (see forms.LogFilterForm);
    only the columns shown."""
    entries = entries_visible_to(user)
    if filters.get("service_type"):
        entries = entries.filter(service_type=filters["service_type"])
    if filters.get("channel"):
        entries = entries.filter(channel=filters["channel"])
    if filters.get("date_from"):
        entries = entries.filter(date__gte=filters["date_from"])
    if filters.get("date_to"):
        entries = entries.filter(date__lte=filters["date_to"])
    if filters.get("staff"):
        entries = entries.filter(staff=filters["staff"])
    voided = filters.get("voided")
    if voided == "no":
        entries = entries.filter(voided_at__isnull=True)
    elif voided == "yes":
        entries = entries.filter(voided_at__isnull=False)
    return entries.order_by("-date", "-id").values(*LOG_FIELDS)


def staff_options(user: User) -> QuerySet[User]:
    """Staff who may appear in the office's log filter: active users of offices in USER's scope."""
    scope = scope_for(user)
    users = (
        User.objects.filter(office__isnull=False)
        .select_related("office")
        .order_by("office__name", "username")
    )
    if scope.everything:
        return users
    if scope.office_ids is not None:
        return users.filter(office_id__in=sorted(scope.office_ids))
    return users.none()


def get_entry_for(*, user: User, pk: int) -> ServiceEntry:
    """An entry whose office is in USER's scope, or 404."""
    try:
        return entries_visible_to(user).select_related("graduate").get(pk=pk)
    except ServiceEntry.DoesNotExist:
        raise Http404("没有找到该服务记录") from None


def graduate_services(graduate: Graduate) -> QuerySet[ServiceEntry]:
    return (
        ServiceEntry.objects.filter(graduate_id=graduate.pk)
        .select_related("office", "staff", "created_by", "voided_by")
        .order_by("-date", "-id")
    )


def _at_start_of(day: datetime.date, created_at: datetime.datetime) -> datetime.datetime:
    """The moment a service shows at on the timeline: the time it was logged when logged the same day, else the
    start of its day (a ledger entered weeks later still sorts by the day the service was given)."""
    if timezone.localtime(created_at).date() == day:
        return created_at
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))


def service_timeline(graduate: Graduate) -> list[TimelineEntry]:
    """The timeline provider: each service (a voided one with kind 'service-voided', struck through) and each
    void as its own event."""
    items = []
    for entry in graduate_services(graduate):
        label = ServiceType(entry.service_type).label
        lines = []
        if entry.channel:
            lines.append(f"服务方式：{entry.get_channel_display()}")
        if entry.content:
            lines.append(f"服务内容：{entry.content}")
        if entry.outcome:
            lines.append(f"服务结果：{entry.outcome}")
        if entry.posting_ref:
            lines.append(f"岗位编号：{entry.posting_ref}")
        if entry.staff_name and entry.staff is None:
            lines.append(f"经办人：{entry.staff_name}")
        voided = entry.voided_at is not None
        items.append(
            TimelineEntry(
                at=_at_start_of(entry.date, entry.created_at),
                kind="service-voided" if voided else "service",
                title=f"服务：{label} {entry.date:%Y-%m-%d}" + ("（已作废）" if voided else ""),
                actor=str(entry.staff or entry.staff_name or entry.created_by),
                office=entry.office.name,
                lines=lines,
            )
        )
        if entry.voided_at is not None:
            items.append(
                TimelineEntry(
                    at=entry.voided_at,
                    kind="service-void",
                    title=f"作废服务记录：{label} {entry.date:%Y-%m-%d}",
                    actor=str(entry.voided_by),
                    office=entry.office.name,
                    lines=[f"作废原因：{entry.void_reason}"],
                )
            )
    return items


def graduates_for_bulk(*, user: User, ids: list[int]) -> QuerySet[Graduate]:
    """The selected graduates USER may log a service for (others are simply not there)."""
    return Graduate.objects.in_scope_of(user).filter(pk__in=ids).order_by("name", "pk")


def graduates_by_id_number(*, user: User, id_numbers: list[str]) -> tuple[list[Graduate], list[str]]:
    """Pasted ID numbers → the graduates in USER's scope (the newest cohort of each), and the numbers not found
    there (not registered, or another office's: the caller must not tell which)."""
    found: dict[str, Graduate] = {}
    for graduate in (
        Graduate.objects.in_scope_of(user)
        .filter(id_number__in=id_numbers)
        .only("id", "name", "id_number", "cohort")
        .order_by("id_number", "-cohort")
    ):
        found.setdefault(graduate.id_number, graduate)
    missing = [number for number in id_numbers if number not in found]
    return [found[n] for n in id_numbers if n in found], missing


# --- Plans: worklists and compliance, narrowed to the user's scope ---------------------------------------------


def plan_scope_for(user: User, *, mine: bool = False) -> PlanScope:
    """The graduates whose plans USER sees: those of the offices in USER's scope (the bureau: every office of the
    province), or with MINE only those USER is the staff member of."""
    scope = scope_for(user)
    office_ids = None if scope.everything else sorted(scope.office_ids or [])
    return PlanScope(office_ids=office_ids, staff_id=user.pk if mine else None)


def plan_worklist(*, user: User, as_of: datetime.date, mine: bool = False) -> dict:
    """Obligations overdue and due within a week for USER's office (or USER's own graduates), ID numbers
    masked; empty when the province has no active standard."""
    standard = active_standard()
    if standard is None:
        return {"standard": None, "overdue": [], "due": []}
    rows = worklist(standard=standard, as_of=as_of, scope=plan_scope_for(user, mine=mine))
    for kind in ("overdue", "due"):
        for row in rows[kind]:
            row["id_number"] = mask_id_number(row["id_number"])
    return {"standard": standard, **rows}


@dataclass
class ComplianceTable:
    standard: ServiceStandard | None
    rules: list[tuple[StandardRule, dict[str, int]]]  # each rule with its counts per state, then the total
    total: dict[str, int]
    groups: list[tuple[str, dict[str, int]]]  # (office or prefecture name, counts per state)
    group_label: str


def compliance_for(*, user: User, as_of: datetime.date) -> ComplianceTable:
    """Compliance per rule and per office (a bureau: per prefecture) in USER's scope on AS_OF, one query."""
    standard = active_standard()
    empty = dict.fromkeys(PlanState.values, 0)
    if standard is None:
        return ComplianceTable(None, [], empty, [], "")
    bureau = user.office is not None and user.office.kind == OfficeKind.BUREAU
    group_by = "prefecture" if bureau else "office"
    rows = compliance(standard=standard, as_of=as_of, scope=plan_scope_for(user), group_by=group_by)
    by_key = {(r.key, r.rule_id): r.counts for r in rows}
    rules = [(rule, by_key.get((None, rule.pk), empty)) for rule in standard.rules.order_by("position", "id")]
    keys = sorted({r.key for r in rows if r.key is not None})
    if bureau:
        regions = dict(Region.objects.filter(code__in=[k + "00" for k in keys]).values_list("code", "name"))
        groups = [(regions.get(k + "00", k), by_key[(k, None)]) for k in keys]
    else:
        offices = dict(Office.objects.filter(pk__in=[int(k) for k in keys]).values_list("pk", "name"))
        groups = [(offices.get(int(k), k), by_key[(k, None)]) for k in keys]
    groups.sort(key=lambda item: item[0])
    return ComplianceTable(
        standard, rules, by_key.get((None, None), empty), groups, "市（州）" if bureau else "服务机构"
    )
