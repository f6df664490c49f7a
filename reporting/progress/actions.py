"""Writes of the weekly progress table: an office submits its week's table (报送本周进度), the system stores the
province's table every Thursday morning. Each stored table is immutable (models.WeeklyProgressSnapshot)."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.audit import record_audit
from core.models import Office, OfficeKind, User

from . import selectors
from .exports import weekly_workbook
from .models import WeeklyProgressSnapshot


class AlreadySubmitted(ValidationError):
    """The office has submitted its table for that week already."""


def _lock(*, cohort: int, week: datetime.date, office: Office) -> None:
    """Serialise stores of one (cohort, week, office): the second one sees the first one's row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reporting.weekly:{cohort}:{week}:{office.pk}"]
        )


def _store(
    *, office: Office, cohort: int, week: datetime.date, as_of: datetime.date, user: User | None
) -> WeeklyProgressSnapshot:
    rows = selectors.weekly_rows(office=office, cohort=cohort, as_of=as_of)
    now = timezone.now()
    content = weekly_workbook(office=office, cohort=cohort, as_of=as_of, rows=rows, submitted_by=user, at=now)
    return WeeklyProgressSnapshot.objects.create(
        cohort=cohort,
        week=week,
        office=office,
        content=content,
        filename=f"weekly-progress-{cohort}-{week:%Y%m%d}-{office.region_id}.xlsx",
        sha256=hashlib.sha256(content).hexdigest(),
        row_count=len(rows),
        rows=rows,
        as_of=as_of,
        generated_by=user,
        generated_at=now,
    )


@transaction.atomic
def submit_weekly_progress(
    *, user: User, cohort: int, week: datetime.date | None = None
) -> WeeklyProgressSnapshot:
    """Store the user's office's table for WEEK (a Thursday; default this week's) as its submission, counted as
    of the end of that Thursday (today while it has not come). One submission per office, cohort and week
    (AlreadySubmitted); a week after this one is refused. After its Thursday the submission counts as late."""
    office = user.office
    if office is None or not office.is_employment_office or not office.is_active:
        raise PermissionDenied("只有就业服务机构的工作人员可以报送周进度。")
    today = timezone.localdate()
    week = week or selectors.week_of(today)
    if week.weekday() != selectors.THURSDAY:
        raise ValidationError("周进度按周四报送，请选择某一周的星期四。")
    if week > selectors.week_of(today):
        raise ValidationError("不能报送以后各周的进度。")
    _lock(cohort=cohort, week=week, office=office)
    earlier = selectors.submission_of(office=office, cohort=cohort, week=week)
    if earlier is not None:
        raise AlreadySubmitted(
            f"{office.name}已于 {timezone.localtime(earlier.generated_at):%Y-%m-%d %H:%M} 报送 {cohort}届 "
            f"{week:%Y-%m-%d} 当周的进度，每周报送一次。"
        )
    snapshot = _store(
        office=office, cohort=cohort, week=week, as_of=selectors.as_of_for(week, today), user=user
    )
    record_audit(
        action="reporting.weekly.submitted",
        actor=user,
        obj=snapshot,
        data={"cohort": cohort, "week": week.isoformat(), "rows": snapshot.row_count, "late": today > week},
    )
    return snapshot


@transaction.atomic
def store_system_weekly_snapshot(*, cohort: int, week: datetime.date) -> WeeklyProgressSnapshot | None:
    """The province's table for (COHORT, WEEK) stored by the system (generated_by NULL), as of WEEK's Thursday;
    None when it is stored already (a re-run stores nothing new)."""
    bureau = Office.objects.get(kind=OfficeKind.BUREAU, region_id=f"{settings.PROVINCE_CODE}0000")
    _lock(cohort=cohort, week=week, office=bureau)
    if WeeklyProgressSnapshot.objects.filter(
        cohort=cohort, week=week, office=bureau, generated_by__isnull=True
    ).exists():
        return None
    snapshot = _store(office=bureau, cohort=cohort, week=week, as_of=selectors.as_of_for(week), user=None)
    record_audit(
        action="reporting.weekly.stored",
        obj=snapshot,
        data={"cohort": cohort, "week": week.isoformat(), "rows": snapshot.row_count},
    )
    return snapshot


def store_weekly_snapshots(*, today: datetime.date | None = None) -> int:
    """The Thursday job: the province's table of the latest Thursday for each active cohort; the number stored."""
    week = selectors.last_thursday(today or timezone.localdate())
    stored = 0
    for cohort in selectors.active_cohorts(week):
        if store_system_weekly_snapshot(cohort=cohort, week=week) is not None:
            stored += 1
    return stored
