"""Celery tasks of the handover app (autodiscovered): the progress snapshot's refresh."""

from handover.reports.tasks import refresh_progress_task  # noqa: F401
