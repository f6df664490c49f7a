"""Periodic work of the progress reports (imported by reporting/tasks.py for Celery's autodiscovery)."""

from celery import shared_task
from django.utils import translation

from .actions import store_weekly_snapshots
from .snapshot import refresh_snapshot


@shared_task(name="reporting.refresh_progress", acks_late=True)
def refresh_progress_task() -> int | None:
    """Recount the progress page's snapshot (scheduled every 5 minutes, migrations handover/0008, reporting/0002); the rows
    written, or None when another refresh was running."""
    return refresh_snapshot()


@shared_task(name="reporting.weekly_progress_snapshots", acks_late=True)
def weekly_progress_snapshots_task() -> int:
    """Store the province's weekly progress table for each active cohort (every Thursday 08:00, migration
    reporting/0002); the number stored (0 on a re-run)."""
    with translation.override("zh-hans"):
        return store_weekly_snapshots()
