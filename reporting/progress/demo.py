"""The weekly progress tables' part of the living demo: the demo offices (西宁市, 海东市, 城东区) submitted the
table of each of the last three weeks on its Thursday afternoon (海东市's latest one late, on the Friday), and
the system stored the province's table on each of those Thursday mornings — so the bureau's status table shows
on time, late and, for the other offices, missing. Through the real actions, as the demo users, at those times
(core.demo.demo_clock). Idempotent: skipped once any weekly table exists."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.demo import demo_clock
from core.models import User
from handover.models import HandoverItem

from . import actions, selectors
from .models import WeeklyProgressSnapshot

DEMO_SUBMITTERS = ("chengdong", "haidong", "xining")
WEEKS = 3


def weekly_submissions(size: int) -> str | None:
    if WeeklyProgressSnapshot.objects.exists():
        return None
    today = timezone.localdate()
    weeks = sorted(w for w in selectors.recent_weeks(today, WEEKS + 1) if w < today)[-WEEKS:]
    users = list(User.objects.filter(username__in=DEMO_SUBMITTERS).select_related("office"))
    latest = list(
        HandoverItem.objects.filter(dispatched_at__isnull=False)
        .order_by("-batch__cohort")
        .values_list("batch__cohort", flat=True)[:1]
    )
    stored = 0
    for week in weeks:
        # The demo's cohorts are fixed years: a week outside their handover year shows the latest one.
        cohorts = selectors.active_cohorts(week) or latest
        for cohort in cohorts:
            with demo_clock(week, hour=8):
                if actions.store_system_weekly_snapshot(cohort=cohort, week=week) is not None:
                    stored += 1
            for user in sorted(users, key=lambda u: u.username):
                late = user.username == "haidong" and week == weeks[-1]
                at = week + datetime.timedelta(days=1) if late else week
                with demo_clock(at, hour=10 if late else 16):
                    actions.submit_weekly_progress(user=user, cohort=cohort, week=week)
                stored += 1
    return f"{stored} 份周进度汇总表" if stored else None
