"""Reads of the scheduled mail: who receives the monthly tables, and who is due which reminder on a day.

Every reminder's audience is found by a few set-based queries (GROUP BY office or staff member), never by a loop
per graduate; the callers loop per recipient.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from core.models import Office, OfficeKind, User
from graduates.codes import State
from graduates.models import Graduate, RosterUpload
from graduates.roster.selectors import due_date as roster_due_date
from handover.batches.selectors import handover_due_dates
from handover.models import HandoverDeadline, HandoverItem
from reporting import selectors as reporting_selectors
from reporting.models import MonthlySnapshot
from reporting.progress.models import WeeklyProgressSnapshot

from .models import ReportRecipient

# A deadline's reminder goes out once, on the first daily run within this many days before the due date.
LEAD_DAYS = 7
# The monthly table's reminder: from this many days before the 5th.
MONTHLY_LEAD_DAYS = 2
# Services due within this many days are in the digest, with the overdue ones.
SERVICES_AHEAD_DAYS = 7
# Upload states that count as "the university has sent its roster" (a refused or cancelled file does not).
UPLOADED_STATES = [
    RosterUpload.Status.UPLOADED,
    RosterUpload.Status.CHECKING,
    RosterUpload.Status.CHECKED,
    RosterUpload.Status.COMMITTING,
    RosterUpload.Status.COMMITTED,
]


def previous_month(day: datetime.date) -> datetime.date:
    return reporting_selectors.previous_month(day)


@dataclass
class MonthlyTarget:
    """One table to generate: OFFICE None is the whole province (the bureau's recipients receive it)."""

    office: Office | None
    sender_office: Office
    recipients: list[ReportRecipient] = field(default_factory=list)


def monthly_targets() -> list[MonthlyTarget]:
    """The province (for the bureau) and every active prefecture and county office, each with its active report
    recipients. Two queries."""
    offices = list(
        Office.objects.employment_offices().active().select_related("region").order_by("kind", "region_id")
    )
    recipients: dict[int, list[ReportRecipient]] = defaultdict(list)
    for recipient in ReportRecipient.objects.filter(active=True, office__in=offices).order_by("email"):
        recipients[recipient.office_id].append(recipient)
    order = {OfficeKind.BUREAU: 0, OfficeKind.PREFECTURE: 1, OfficeKind.COUNTY: 2}
    offices.sort(key=lambda office: (order[OfficeKind(office.kind)], office.region_id))
    return [
        MonthlyTarget(
            office=None if office.kind == OfficeKind.BUREAU else office,
            sender_office=office,
            recipients=recipients.get(office.id, []),
        )
        for office in offices
    ]


def complete_snapshot(*, cohort: int, month: datetime.date, office: Office | None) -> MonthlySnapshot | None:
    """The latest stored table of MONTH when it shows the whole month (as of its last day): the schedule reuses it
    instead of generating another version. A table generated while the month was running is not reused."""
    snapshot = reporting_selectors.latest_snapshot(cohort=cohort, month=month, office=office)
    if snapshot is not None and snapshot.as_of >= reporting_selectors.month_end(month):
        return snapshot
    return None


# --- Reminders ------------------------------------------------------------------------------------------------


@dataclass
class Reminder:
    """One reminder for the users of OFFICE (USERS: every active user of it, or the named staff members)."""

    office: Office
    users: list[User]
    subject: str
    body: str
    url_name: str = ""


def office_users(office_ids: list[int]) -> dict[int, list[User]]:
    """Active users of each office, one query."""
    users: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(office_id__in=office_ids, is_active=True).order_by("username"):
        if user.office_id is not None:
            users[user.office_id].append(user)
    return users


def _date_cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def in_lead(today: datetime.date, due: datetime.date, lead: int = LEAD_DAYS) -> bool:
    return due - datetime.timedelta(days=lead) <= today <= due


def roster_due(today: datetime.date) -> tuple[datetime.date, list[Reminder]]:
    """Universities of the province that have not sent this year's cohort roster, within a week of its due date
    (15 June unless configured in RosterDeadline)."""
    cohort = today.year
    due = roster_due_date(cohort)
    if not in_lead(today, due):
        return due, []
    sent = RosterUpload.objects.filter(cohort=cohort, university=OuterRef("pk"), status__in=UPLOADED_STATES)
    universities = list(
        Office.objects.universities()
        .active()
        .filter(region__code__startswith=str(settings.PROVINCE_CODE)[:2])
        .filter(~Exists(sent))
        .order_by("name")
    )
    users = office_users([u.id for u in universities])
    reminders = [
        Reminder(
            office=university,
            users=users.get(university.id, []),
            subject=f"提醒：{cohort}届毕业生名单应于{_date_cn(due)}前报送",
            body=f"{university.name}尚未上传{cohort}届毕业生名单。按规定，院校应于{_date_cn(due)}前报送，"
            f"请登录系统“名单导入”上传。",
            url_name="roster:list",
        )
        for university in universities
    ]
    return due, reminders


def handover_lists_due(today: datetime.date) -> list[tuple[str, datetime.date, list[Reminder]]]:
    """The Education Dept's hand-over (mid-September) and MOHRSS's list (October) for this year's cohort, when
    due within a week and not arrived yet: to the bureau. [(HandoverDeadline.Kind, due date, reminders)]."""
    cohort = today.year
    bureaus = list(Office.objects.filter(kind=OfficeKind.BUREAU, is_active=True))
    users = office_users([b.id for b in bureaus])
    found = []
    for row in handover_due_dates(cohort=cohort, today=today):
        if row["arrived_on"] is not None or not in_lead(today, row["due_on"]):
            continue
        source = "省教育厅" if row["kind"] == HandoverDeadline.Kind.EDUCATION else "人社部"
        reminders = [
            Reminder(
                office=bureau,
                users=users.get(bureau.id, []),
                subject=f"提醒：{cohort}届{row['label']}应于{_date_cn(row['due_on'])}前到达",
                body=f"{cohort}届{row['label']}尚未收到（截止日期{_date_cn(row['due_on'])}）。"
                f"请与{source}联系，收到后在“交接”中导入并分发。",
                url_name="handover:home",
            )
            for bureau in bureaus
        ]
        found.append((str(row["kind"]), row["due_on"], reminders))
    return found


def monthly_table_due(today: datetime.date) -> tuple[datetime.date, list[Reminder]]:
    """Offices (prefecture, county) that have not generated last month's table, from two days before the 5th
    until the 5th. Returns (the month, reminders)."""
    month = previous_month(today)
    cohort = reporting_selectors.cohort_for_month(month)
    due = reporting_selectors.due_date(month)
    if cohort is None or not in_lead(today, due, MONTHLY_LEAD_DAYS):
        return month, []
    generated = MonthlySnapshot.objects.filter(cohort=cohort, month=month, office=OuterRef("pk"))
    offices = list(
        Office.objects.filter(kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY], is_active=True)
        .filter(~Exists(generated))
        .order_by("region_id")
    )
    users = office_users([o.id for o in offices])
    return month, [
        Reminder(
            office=office,
            users=users.get(office.id, []),
            subject=f"提醒：{month.year}年{month.month}月汇总表应于{_date_cn(due)}前报送",
            body=f"{office.name}尚未生成{cohort}届{month.year}年{month.month}月的离校未就业高校毕业生信息汇总表，"
            f"应于{_date_cn(due)}前报送。请登录系统“月度汇总表”生成。",
            url_name="reporting:monthly",
        )
        for office in offices
    ]


def week_thursday(day: datetime.date) -> datetime.date:
    """The Thursday of DAY's week (Monday to Sunday)."""
    return day + datetime.timedelta(days=3 - day.weekday())


def offices_without_weekly_submission(week: datetime.date) -> list[Office]:
    """Prefecture and county offices that have not submitted a weekly progress table for WEEK (its Thursday):
    an office's own submission (generated_by set) of any cohort counts."""
    submitted = WeeklyProgressSnapshot.objects.filter(
        week=week, office=OuterRef("pk"), generated_by__isnull=False
    )
    return list(
        Office.objects.filter(kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY], is_active=True)
        .filter(~Exists(submitted))
        .order_by("region_id")
    )


def weekly_progress_due(today: datetime.date) -> tuple[datetime.date, list[Reminder]]:
    """On Thursday: the offices without this week's progress table submitted."""
    week = week_thursday(today)
    if today != week:
        return week, []
    offices = offices_without_weekly_submission(week)
    users = office_users([o.id for o in offices])
    return week, [
        Reminder(
            office=office,
            users=users.get(office.id, []),
            subject=f"提醒：本周（{_date_cn(week)}）进度汇总表请于今日报送",
            body=f"{office.name}本周的离校未就业高校毕业生信息衔接工作进展汇总表尚未报送，"
            f"请于今日（星期四）登录系统“交接进度”报送。",
            url_name="reporting:progress",
        )
        for office in offices
    ]


@dataclass
class ServiceDigest:
    overdue: int = 0
    due: int = 0
    offices: set[int] = field(default_factory=set)


def services_digests(today: datetime.date) -> dict[int, ServiceDigest]:
    """Per user id: graduates with a service overdue and due within a week under the active standard, from the
    kept obligations (services_obligation). An obligation with a staff member counts for them; one without, for
    every user of its office. One GROUP BY query plus the office users."""
    from services.models import Obligation
    from services.plans import active_standard

    standard = active_standard()
    if standard is None:
        return {}
    rows = list(
        Obligation.objects.filter(
            standard=standard,
            open=True,
            closed=False,
            due__lte=today + datetime.timedelta(days=SERVICES_AHEAD_DAYS),
        )
        .values("staff_id", "office_id")
        .annotate(
            overdue=Count("graduate_id", distinct=True, filter=Q(due__lt=today)),
            due_soon=Count("graduate_id", distinct=True, filter=Q(due__gte=today)),
        )
        .order_by()
    )
    unassigned_offices = sorted({row["office_id"] for row in rows if row["staff_id"] is None})
    users = office_users(unassigned_offices)
    staff_ids = {row["staff_id"] for row in rows if row["staff_id"] is not None}
    active_staff = set(User.objects.filter(pk__in=staff_ids, is_active=True).values_list("pk", flat=True))
    digests: dict[int, ServiceDigest] = defaultdict(ServiceDigest)
    for row in rows:
        people = [row["staff_id"]] if row["staff_id"] in active_staff else []
        if row["staff_id"] is None:
            people = [user.pk for user in users.get(row["office_id"], [])]
        for person in people:
            digest = digests[person]
            digest.overdue += row["overdue"]
            digest.due += row["due_soon"]
            digest.offices.add(row["office_id"])
    return {pk: digest for pk, digest in digests.items() if digest.overdue or digest.due}


def uncontacted_after_dispatch(today: datetime.date, days: int | None = None) -> dict[int, int]:
    """Per office id (prefecture, county): graduates still 待联系 although handed over at least DAYS days ago
    (setting REMINDER_UNCONTACTED_DAYS). One GROUP BY query."""
    days = settings.REMINDER_UNCONTACTED_DAYS if days is None else days
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    cutoff = start_of_today - datetime.timedelta(days=days - 1)
    dispatched = HandoverItem.objects.filter(graduate=OuterRef("pk"), dispatched_at__lt=cutoff)
    return dict(
        Graduate.objects.filter(state=State.WAITING)
        .exclude(responsible_office__kind=OfficeKind.BUREAU)
        .filter(Exists(dispatched))
        .values("responsible_office_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("responsible_office_id", "n")
    )
