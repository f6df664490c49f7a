"""A large roster goes through a real Celery worker (Redis broker) with its progress kept in the database."""

import time

import pytest
from django.urls import reverse

from graduates.models import Graduate, RosterUpload
from graduates.roster import actions
from tests.roster_files import roster_bytes, roster_row

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(upload_id: int, statuses: set[str], timeout: float = 90) -> RosterUpload:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        upload = RosterUpload.objects.get(pk=upload_id)
        seen.append((upload.status, upload.rows_total, upload.rows_read))
        if upload.status in statuses:
            upload.seen = seen
            return upload
        time.sleep(0.05)
    raise AssertionError(f"upload {upload_id} still {upload.status} after {timeout} s")


def eventually(condition, timeout: float = 15) -> bool:
    """The worker notifies right after it stores the result: allow it a moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_large_roster_is_checked_and_written_by_the_worker(client, university_clerk, celery_worker_process):
    from django.conf import settings
    from django.db import transaction

    rows = [roster_row(seq) for seq in range(1, 12_001)]
    content = roster_bytes(rows)
    assert len(content) > settings.ROSTER_SYNC_MAX_BYTES  # large enough to go to the worker
    from config.celery import app

    app.conf.task_default_queue = celery_worker_process  # the test's own worker listens there
    try:
        with transaction.atomic():
            upload = actions.create_upload(
                content=content,
                filename="大名单.xlsx",
                source="university",
                cohort=2026,
                acting_user=university_clerk,
            )
            actions.start_check(upload)
        # While the worker runs, the page shows the progress from the database (it survives a reload).
        client.force_login(university_clerk)
        page = client.get(reverse("roster:detail", args=[upload.pk])).content.decode()
        assert 'data-testid="upload-status"' in page
        checked = wait_for(upload.pk, {"checked", "refused", "failed"})
        assert checked.status == "checked", checked.message
        assert (checked.rows_total, checked.new, checked.invalid) == (12_000, 12_000, 0)
        # The progress bar had its total while the worker was reading.
        assert any(status == "checking" and total == 12_000 for status, total, _ in checked.seen)
        assert checked.rows_read == 12_000
        assert eventually(
            lambda: university_clerk.notifications.filter(message__contains="已检查完毕").exists()
        )
        actions.start_commit(upload=checked, acting_user=university_clerk)
        assert RosterUpload.objects.get(pk=upload.pk).status in {"committing", "committed"}
        committed = wait_for(upload.pk, {"committed", "failed"})
    finally:
        app.conf.task_default_queue = "celery"
    assert committed.status == "committed", committed.message
    assert Graduate.objects.filter(cohort=2026).count() == 12_000
    assert eventually(lambda: university_clerk.notifications.filter(message__contains="已导入").exists())
