"""Scheduled mail tasks (imported by reporting/tasks.py). Schedules: migration reporting/0003_mail (editable in the
admin's 周期性任务). Queues (settings.CELERY_TASK_ROUTES): the monthly tables on "reports", the rest on "mail"."""

from __future__ import annotations

import datetime
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone, translation

from reporting import selectors as reporting_selectors

from . import actions, selectors

MONTHLY_TASK = "reporting.mail.monthly_tables"
REMINDERS_TASK = "reporting.mail.reminders"


@shared_task(bind=True, name=MONTHLY_TASK, acks_late=True)
def monthly_tables_task(self, month: str | None = None) -> dict[str, int]:
    """Mail MONTH's ('YYYY-MM'; default: the previous month) tables to every office's report recipients. Killed
    mid-way, the message is delivered again (acks_late) and the run resumes: what was sent is skipped."""
    with translation.override("zh-hans"):
        if month:
            day = datetime.date.fromisoformat(f"{month}-01")
        else:
            day = selectors.previous_month(timezone.localdate())
        try:
            return actions.send_monthly_tables(month=day).as_dict()
        except reporting_selectors.ReportingWindowError:
            return actions.Counts().as_dict()  # July: no cohort reports it


@shared_task(bind=True, name=REMINDERS_TASK, acks_late=True)
def reminders_task(self, day: str | None = None) -> dict[str, int]:
    """Every reminder due on DAY ('YYYY-MM-DD'; default today), each once per person and period."""
    with translation.override("zh-hans"):
        today = datetime.date.fromisoformat(day) if day else None
        return actions.send_reminders(today=today).as_dict()


@shared_task(
    bind=True,
    name=actions.DELIVER_TASK,
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def deliver_task(self, delivery_id: int) -> str:
    """Send one delivery that failed (transient SMTP errors retry with backoff); nothing when it was sent
    meanwhile."""
    with translation.override("zh-hans"):
        delivery = actions.reclaim(delivery_id)
        if delivery is None:
            return "skipped"
        actions.deliver(delivery)
        return "sent"
