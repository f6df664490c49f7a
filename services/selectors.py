"""Reads of the service log that depend on the user's scope: the office's log, a graduate's services, the
graduates a clerk may log a service for."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Case, DateField, ExpressionWrapper, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from core.models import Office, OfficeKind, Region, User, region_prefix
from core.scope import scope_for
from graduates.checks import mask_id_number
from graduates.models import Graduate
from graduates.selectors import TimelineEntry

from .codes import CLOSED_GRADUATE_STATES, HARDSHIP_CODES, EventKind, PlanState, ServiceType
from .models import (
    JobPosting,
    OneOnOne,
    PlanSnapshot,
    RecruitmentEvent,
    ServiceEntry,
    ServiceStandard,
    StandardRule,
)
from .plans import (
    PlanScope,
    active_standard,
    compliance,
    compliance_from_snapshot,
    snapshot_usable,
    worklist,
    worklist_from_snapshot,
)

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
        .with_id_numbers(id_numbers)
        .only("id", "name", "id_number", "cohort")
        .order_by("id_number_digest", "-cohort")
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
        return {"standard": None, "snapshot": None, "overdue": [], "due": []}
    scope = plan_scope_for(user, mine=mine)
    snapshot = snapshot_usable(standard, as_of)
    if snapshot is not None:
        rows = worklist_from_snapshot(standard=standard, as_of=as_of, scope=scope)
    else:
        rows = worklist(standard=standard, as_of=as_of, scope=scope)
    for kind in ("overdue", "due"):
        for row in rows[kind]:
            row["id_number"] = mask_id_number(row["id_number"])
    return {"standard": standard, "snapshot": snapshot, **rows}


@dataclass
class ComplianceTable:
    standard: ServiceStandard | None
    rules: list[tuple[StandardRule, dict[str, int]]]  # each rule with its counts per state, then the total
    total: dict[str, int]
    groups: list[tuple[str, dict[str, int]]]  # (office or prefecture name, counts per state)
    group_label: str
    snapshot: PlanSnapshot | None = None  # read from the kept obligations (None: computed live)


def compliance_for(*, user: User, as_of: datetime.date) -> ComplianceTable:
    """Compliance per rule and per office (a bureau: per prefecture) in USER's scope on AS_OF, one query."""
    standard = active_standard()
    empty = dict.fromkeys(PlanState.values, 0)
    if standard is None:
        return ComplianceTable(None, [], empty, [], "", None)
    bureau = user.office is not None and user.office.kind == OfficeKind.BUREAU
    group_by = "prefecture" if bureau else "office"
    snapshot = snapshot_usable(standard, as_of)
    read = compliance_from_snapshot if snapshot is not None else compliance
    rows = read(standard=standard, as_of=as_of, scope=plan_scope_for(user), group_by=group_by)
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
        standard,
        rules,
        by_key.get((None, None), empty),
        groups,
        "市（州）" if bureau else "服务机构",
        snapshot,
    )


# --- Job postings and recruitment events ----------------------------------------------------------------------

REASON_MAJOR = "专业匹配"
REASON_EDUCATION = "学历符合"
REASON_LOCAL = "本地就业意向"


@dataclass
class RankedPosting:
    posting: JobPosting
    reasons: list[str]


def postings_for(
    *, graduate: Graduate, today: datetime.date | None = None, limit: int = 5
) -> list[RankedPosting]:
    """Valid postings ranked by fit for GRADUATE, one query: the major (a posting's major keyword found in the
    graduate's 所学专业), the education level (the graduate's at least the posting's minimum), the location (a
    graduate wanting to work locally, 就业地意向 2, and a posting in their home prefecture)."""
    today = today or timezone.localdate()
    major = RawSQL(
        "EXISTS (SELECT 1 FROM unnest(services_jobposting.majors) m WHERE m <> '' AND strpos(%s, m) > 0)",
        [graduate.major or ""],
        output_field=BooleanField(),
    )
    education = ExpressionWrapper(
        Q(education="") | Q(education__gte=graduate.education or "9"), output_field=BooleanField()
    )
    local_wanted = graduate.location_intention == "2"
    home = region_prefix(graduate.origin_region_id)[:4] if graduate.origin_region_id else "--"
    local = ExpressionWrapper(
        Q(location__code__startswith=home) if local_wanted else Q(pk__in=[]), output_field=BooleanField()
    )
    ranked = (
        JobPosting.objects.filter(valid_until__gte=today)
        .annotate(fit_major=major, fit_education=education, fit_local=local)
        .annotate(
            score=Case(When(fit_major=True, then=Value(4)), default=Value(0))
            + Case(When(fit_local=True, then=Value(2)), default=Value(0))
            + Case(When(fit_education=True, then=Value(1)), default=Value(0))
        )
        .select_related("location")
        .order_by("-score", "valid_until", "-id")[:limit]
    )
    result = []
    for posting in ranked:
        reasons = [
            reason
            for reason, fits in (
                (REASON_MAJOR, posting.fit_major),
                (REASON_EDUCATION, posting.fit_education),
                (REASON_LOCAL, posting.fit_local),
            )
            if fits
        ]
        result.append(RankedPosting(posting, reasons))
    return result


def postings_visible_to(user: User) -> QuerySet[JobPosting]:
    """Postings of offices in USER's scope, newest first."""
    return (
        scope_for(user)
        .filter(JobPosting.objects.all(), office_field="office")
        .select_related("office", "location")
        .order_by("-created_at", "-id")
    )


def events_visible_to(user: User) -> QuerySet[RecruitmentEvent]:
    return (
        scope_for(user)
        .filter(RecruitmentEvent.objects.all(), office_field="office")
        .select_related("office")
        .order_by("-date", "-id")
    )


@dataclass
class CoverageRow:
    """One prefecture: for each recent week whether it held a 专业性 event, for each recent month a 综合性 one."""

    code: str
    name: str
    weeks: list[int]  # number of 专业性 events per week, oldest first
    months: list[int]  # number of 综合性 events per month, oldest first


def event_coverage(
    *, today: datetime.date | None = None, weeks: int = 8, months: int = 3
) -> tuple[list[datetime.date], list[datetime.date], list[CoverageRow]]:
    """Seed 002's rhythm per prefecture (its own and its counties' offices' events): the Mondays of the last WEEKS
    weeks, the first days of the last MONTHS months, and each prefecture's counts, in one query."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    week_starts = [monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    month_starts: list[datetime.date] = []
    year, month = today.year, today.month
    for _ in range(months):
        month_starts.insert(0, datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    start = min(week_starts[0], month_starts[0])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT left(o.region_id, 4), e.kind, "
            "CASE e.kind WHEN 'professional' THEN date_trunc('week', e.date)::date "
            "ELSE date_trunc('month', e.date)::date END AS period, count(*) "
            "FROM services_recruitmentevent e JOIN core_office o ON o.id = e.office_id "
            "WHERE e.date >= %s AND e.date <= %s GROUP BY 1, 2, 3",
            [start, today],
        )
        counts = {(code, kind, period): n for code, kind, period, n in cursor.fetchall()}
    province = settings.PROVINCE_CODE
    prefectures = (
        Region.objects.current()
        .filter(code__startswith=province, code__endswith="00")
        .exclude(code=f"{province}0000")
        .order_by("code")
        .values_list("code", "name")
    )
    rows = [
        CoverageRow(
            code=code,
            name=name,
            weeks=[counts.get((code[:4], EventKind.PROFESSIONAL, w), 0) for w in week_starts],
            months=[counts.get((code[:4], EventKind.COMPREHENSIVE, m), 0) for m in month_starts],
        )
        for code, name in prefectures
    ]
    return week_starts, month_starts, rows


# --- One-on-one help --------------------------------------------------------------------------------------------


def hardship_without_specialist(*, user: User, limit: int = 100) -> list[dict]:
    """Hardship graduates of USER's offices still owed services (not 已就业/暂不就业/已转出/升学出国) with no named
    specialist, oldest registration first; ID numbers masked."""
    rows = (
        Graduate.objects.in_scope_of(user)
        .filter(hardship__overlap=HARDSHIP_CODES, one_on_one__isnull=True)
        .exclude(state__in=[*CLOSED_GRADUATE_STATES, "studying"])
        .order_by("created_at", "id")
        .values("id", "name", "id_number", "hardship")[:limit]
    )
    return [{**row, "id_number": mask_id_number(row["id_number"])} for row in rows]


_LATEST_FOLLOW_UP = (
    "(SELECT max(e.date) FROM services_serviceentry e WHERE e.graduate_id = services_oneonone.graduate_id "
    "AND e.service_type = 'one_on_one' AND e.voided_at IS NULL)"
)


def _with_schedule(helps: QuerySet[OneOnOne]) -> QuerySet[OneOnOne]:
    """Annotate the latest follow-up (a 一对一帮扶 service, not voided) and the next one's day."""
    return helps.annotate(
        last_follow_up=RawSQL(_LATEST_FOLLOW_UP, [], output_field=DateField()),  # noqa: S611 - fixed SQL
        next_follow_up=RawSQL(  # noqa: S611 - fixed SQL, no input
            f"GREATEST(services_oneonone.started_on, COALESCE({_LATEST_FOLLOW_UP}, services_oneonone.started_on))"
            " + services_oneonone.follow_up_days",
            [],
            output_field=DateField(),
        ),
    )


def follow_ups_due(*, user: User, as_of: datetime.date, mine: bool = False, days: int = 7) -> list[OneOnOne]:
    """One-on-one help whose next follow-up (FOLLOW_UP_DAYS after the latest 一对一帮扶 service, or after the
    start) falls within DAYS of AS_OF or is past, for USER's offices or USER as the specialist; one query."""
    helps = _with_schedule(OneOnOne.objects.all()).filter(
        next_follow_up__lte=as_of + datetime.timedelta(days=days)  # type: ignore[misc]
    )
    if mine:
        helps = helps.filter(specialist=user)
    else:
        helps = scope_for(user).filter(helps, office_field="graduate__responsible_office")
    ordered = helps.select_related("graduate", "specialist").order_by("next_follow_up", "id")  # type: ignore[misc]
    return list(ordered[:200])


def one_on_one_of(graduate: Graduate) -> OneOnOne | None:
    """The graduate's one-on-one help with its next follow-up day, or None."""
    return (
        _with_schedule(OneOnOne.objects.filter(graduate_id=graduate.pk)).select_related("specialist").first()
    )


def specialist_options(graduate: Graduate) -> QuerySet[User]:
    """Users who may be the graduate's specialist: active staff of the responsible office."""
    return User.objects.filter(is_active=True, office_id=graduate.responsible_office_id).order_by("username")
