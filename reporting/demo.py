"""The monthly tables' part of the living demo: the demo offices (the bureau for the whole province, 西宁市,
海东市, 城东区) have generated cohort 2025's table for each past month of its reporting year, by the 3rd of the next
month (海东市's latest one late, on the 8th, so the bureau's status table shows every case), and cohort 2026's
for the month in progress. Through the real action, as the demo users. Idempotent: skipped once any snapshot
exists."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.demo import demo_clock
from core.models import OfficeKind, User
from graduates.models import Graduate

from . import actions, selectors
from .models import MonthlySnapshot

DEMO_REPORTERS = ("sheng", "xining", "haidong", "chengdong")


def _months(cohort: int, until: datetime.date) -> list[datetime.date]:
    months, month = [], datetime.date(cohort, 8, 1)
    while month <= min(until, datetime.date(cohort + 1, 6, 1)):
        months.append(month)
        month = selectors.month_start(selectors.month_end(month) + datetime.timedelta(days=1))
    return months


def monthly_tables(size: int) -> str | None:
    if MonthlySnapshot.objects.exists() or not Graduate.objects.exists():
        return None
    today = timezone.localdate()
    this_month = today.replace(day=1)
    users = list(
        User.objects.filter(username__in=DEMO_REPORTERS).select_related("office").order_by("username")
    )
    generated = 0
    past = [m for m in _months(2025, this_month) if m < this_month]
    for user in users:
        office = None if user.office is not None and user.office.kind == OfficeKind.BUREAU else user.office
        for month in past:
            day = 8 if (user.username == "haidong" and month == past[-1]) else 3
            at = selectors.month_end(month) + datetime.timedelta(days=day)
            with demo_clock(at):
                actions.generate_monthly_snapshot(cohort=2025, month=month, office=office, user=user)
            generated += 1
        cohort = selectors.cohort_for_month(this_month)
        if cohort is not None:
            actions.generate_monthly_snapshot(cohort=cohort, month=this_month, office=office, user=user)
            generated += 1
    return f"{generated} 份月度汇总表" if generated else None
