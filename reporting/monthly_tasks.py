"""The worker's side of a big monthly 汇总表 (imported by reporting/tasks.py for Celery's autodiscovery).

The page enqueues `reporting.generate_monthly` when the scope holds more than settings.REPORT_ASYNC_ROWS rows
(reporting.actions.start_monthly_generation). The task reports its progress through the result backend
(state PROGRESS, meta {"written", "total"}) and returns {"snapshot", "rows"} or {"error"} for a refusal the
user should read. acks_late: a worker killed midway leaves no snapshot (it is created at the end, in one
transaction) and the broker hands the job to the next worker, which writes the table again.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import translation

from core.models import Office, User

from . import actions, selectors


def done_key(job_id: str) -> str:
    return f"reporting:monthly:done:{job_id}"


@shared_task(name="reporting.generate_monthly", bind=True, acks_late=True, reject_on_worker_lost=True)
def generate_monthly_task(
    self, *, cohort: int, month: str, office_id: int | None, user_id: int | None
) -> dict:
    job_id = self.request.id
    finished = cache.get(done_key(job_id)) if job_id else None
    if finished is not None:  # redelivered after the snapshot was stored: don't make a second version
        return finished
    with translation.override("zh-hans"):
        office = Office.objects.get(pk=office_id) if office_id is not None else None
        user = User.objects.get(pk=user_id) if user_id is not None else None
        first = datetime.date.fromisoformat(month)
        try:
            as_of = selectors.check_window(cohort=cohort, month=first)
            total = selectors.summary_row_count(cohort=cohort, as_of=as_of, office=office)

            def progress(written: int) -> None:
                if job_id:
                    self.update_state(state="PROGRESS", meta={"written": written, "total": total})

            progress(0)
            snapshot = actions.generate_monthly_snapshot(
                cohort=cohort, month=first, office=office, user=user, progress=progress
            )
        except (selectors.ReportingWindowError, PermissionDenied) as error:
            return {"error": str(error)}
    result = {"snapshot": snapshot.pk, "version": snapshot.version, "rows": snapshot.row_count}
    if job_id:
        cache.set(done_key(job_id), result, timeout=7 * 24 * 3600)
    return result
