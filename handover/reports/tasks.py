"""Periodic work of the handover reports (registered by handover/tasks.py for Celery's autodiscovery)."""

from celery import shared_task

from .snapshot import refresh_snapshot


@shared_task(name="handover.refresh_progress", acks_late=True)
def refresh_progress_task() -> int | None:
    """Recount the progress page's snapshot (scheduled every 5 minutes, migration handover/0008); the rows
    written, or None when another refresh was running."""
    return refresh_snapshot()
