"""Celery discovers `reporting.tasks`: each part of the app keeps its tasks in its own sub-package and is imported
here."""

from reporting.mail.tasks import deliver_task, monthly_tables_task, reminders_task  # noqa: F401
from reporting.monthly_tasks import generate_monthly_task  # noqa: F401
from reporting.progress.tasks import refresh_progress_task, weekly_progress_snapshots_task  # noqa: F401
