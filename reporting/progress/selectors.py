"""Reads of the weekly progress table (吉人社发〔2022〕21号 §五（四） and annex 2): every Thursday each office reports
its handover progress upward (市（州） for their counties, before the end of Thursday).

The columns are the figures of reporting.progress.progress (its docstring defines them), counted for every
office row in one pass over the items (figures_by_length): 移交/分解 received, 签收 acknowledged, 联系 contacted,
核实 verified, 有就业意愿 willing, 有创业意向 entrepreneurship, 暂无就业意愿 not_seeking, 无法联系 unreachable,
已就业 employed, 困难人员一对一帮扶 one_on_one.

Weeks: a week is named by its Thursday (the due day). The week of a day is the Thursday of its Monday–Sunday
week; a submission after that Thursday is late."""

from __future__ import annotations

import datetime

from django.db.models import Min, QuerySet
from django.utils import timezone

from core.models import Office, OfficeKind, User, region_prefix
from core.scope import scope_for
from handover.models import HandoverItem

from .models import WeeklyProgressSnapshot
from .progress import figures_by_length

WEEKLY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received", "移交/分解"),
    ("acknowledged", "签收"),
    ("contacted", "联系"),
    ("verified", "核实"),
    ("willing", "有就业意愿"),
    ("entrepreneurship", "有创业意向"),
    ("not_seeking", "暂无就业意愿"),
    ("unreachable", "无法联系"),
    ("employed", "已就业"),
    ("one_on_one", "困难人员一对一帮扶"),
)
STATUS_LABELS = {"on_time": "按时报送", "late": "逾期报送", "missing": "逾期未报", "pending": "未到截止日"}
THURSDAY = 3


def week_of(day: datetime.date) -> datetime.date:
    """The Thursday of DAY's Monday–Sunday week: the day that week's table is due."""
    return day + datetime.timedelta(days=THURSDAY - day.weekday())


def last_thursday(day: datetime.date) -> datetime.date:
    """The latest Thursday on or before DAY."""
    return day - datetime.timedelta(days=(day.weekday() - THURSDAY) % 7)


def recent_weeks(today: datetime.date, count: int = 4) -> list[datetime.date]:
    """This week's Thursday and the COUNT-1 before it, newest first."""
    this_week = week_of(today)
    return [this_week - datetime.timedelta(weeks=n) for n in range(count)]


def as_of_for(week: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """The day a week's table counts to: its Thursday, or today while that Thursday has not come."""
    return min(week, today or timezone.localdate())


def active_cohorts(week: datetime.date) -> list[int]:
    """Cohorts whose handover year (July N – June N+1: the first weekly report is due in July) holds WEEK and
    that have graduates dispatched to offices."""
    cohort = week.year if week.month >= 7 else week.year - 1
    dispatched = HandoverItem.objects.filter(dispatched_at__isnull=False, batch__cohort=cohort).exists()
    return [cohort] if dispatched else []


def _figures(row: dict | None) -> dict[str, int]:
    row = row or {}
    return {name: int(row.get(name) or 0) for name, _ in WEEKLY_COLUMNS}


def weekly_rows(*, office: Office, cohort: int | None, as_of: datetime.date) -> list[dict]:
    """The table of OFFICE's scope as of the end of AS_OF: for the bureau each prefecture (its whole subtree),
    then its counties and its own share (本级) when it holds graduates itself, and the province total; for a
    prefecture its counties, its own share and the total; for a county its row and the total. Each row:
    kind (prefecture / county / own / total), label, office_id and the WEEKLY_COLUMNS figures. Two queries
    (the offices, one pass over the items) whatever their number. States are the current ones; dispatches,
    acknowledgements, contacts and one-on-one helps count when made by the end of AS_OF."""
    prefix = region_prefix(office.region_id)
    until = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
    by_length, totals = figures_by_length(prefix=prefix, key_lengths=(6, 4), until=until, cohort=cohort)
    by_county, by_prefecture = by_length[6], by_length[4]
    rows: list[dict] = []

    def add(kind: str, label: str, office_id: int | None, figures: dict | None) -> None:
        rows.append({"kind": kind, "label": label, "office_id": office_id, **_figures(figures)})

    if office.kind == OfficeKind.COUNTY:
        add("county", office.name, office.pk, by_county.get(office.region_id))
    else:
        offices = list(
            Office.objects.filter(
                kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY],
                is_active=True,
                region__code__startswith=prefix,
            )
            .order_by("region_id")
            .only("id", "name", "kind", "region_id", "parent_id")
        )
        prefectures = [o for o in offices if o.kind == OfficeKind.PREFECTURE]
        for prefecture in prefectures:
            if office.kind == OfficeKind.BUREAU:
                add("prefecture", prefecture.name, prefecture.pk, by_prefecture.get(prefecture.region_id[:4]))
            for county in offices:
                if county.kind == OfficeKind.COUNTY and county.parent_id == prefecture.pk:
                    add("county", county.name, county.pk, by_county.get(county.region_id))
            own = by_county.get(prefecture.region_id)
            if own and own["received"]:
                add("own", f"{prefecture.name}（本级）", prefecture.pk, own)
    add("total", "全省合计" if office.kind == OfficeKind.BUREAU else "合计", office.pk, totals)
    return rows


def weekly_snapshots_visible_to(user: User) -> QuerySet[WeeklyProgressSnapshot]:
    """The bureau sees every stored table; an office its own subtree's."""
    snapshots = WeeklyProgressSnapshot.objects.select_related("office", "generated_by").defer("content")
    scope = scope_for(user)
    if scope.everything or (user.office is not None and user.office.kind == OfficeKind.BUREAU):
        return snapshots
    if scope.office_ids is not None:
        return snapshots.filter(office_id__in=sorted(scope.office_ids))
    return snapshots.none()


def submission_of(*, office: Office, cohort: int, week: datetime.date) -> WeeklyProgressSnapshot | None:
    return (
        WeeklyProgressSnapshot.objects.filter(
            office=office, cohort=cohort, week=week, generated_by__isnull=False
        )
        .defer("content")
        .first()
    )


def stored_table(*, office: Office, cohort: int, week: datetime.date) -> WeeklyProgressSnapshot | None:
    """The table the page shows for OFFICE's week without recounting: its submission, else the system's copy."""
    return (
        WeeklyProgressSnapshot.objects.filter(office=office, cohort=cohort, week=week)
        .select_related("generated_by")
        .defer("content")
        .order_by("generated_by_id")  # a submission before the system's copy (NULLS LAST)
        .first()
    )


def weekly_submission_status(
    *, cohort: int, week: datetime.date, today: datetime.date | None = None
) -> list[dict]:
    """Each prefecture's and county's submission for WEEK: on time (by the end of that Thursday), late,
    missing (Thursday passed, nothing), or not yet due. Two queries whatever the office count; the system's own
    copy (generated_by NULL) is no submission."""
    today = today or timezone.localdate()
    first = dict(
        WeeklyProgressSnapshot.objects.filter(cohort=cohort, week=week, generated_by__isnull=False)
        .values("office_id")
        .annotate(first=Min("generated_at"))
        .values_list("office_id", "first")
    )
    offices = (
        Office.objects.filter(kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY], is_active=True)
        .order_by("region_id")
        .only("id", "name", "kind", "region_id")
    )
    rows = []
    for office in offices:
        at = first.get(office.id)
        if at is not None:
            status = "on_time" if timezone.localtime(at).date() <= week else "late"
        else:
            status = "missing" if today > week else "pending"
        rows.append({"office": office, "first_at": at, "status": status, "label": STATUS_LABELS[status]})
    return rows
