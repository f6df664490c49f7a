"""Moving the progress snapshot from handover to reporting (handover/0009, reporting/0002) keeps its rows and its
5-minute schedule, now running reporting.refresh_progress; the page works afterwards."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from reporting.models import ProgressSnapshot

BEFORE = [("handover", "0008_progress_snapshot"), ("reporting", "0001_monthly_snapshot")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_the_snapshot_rows_and_the_schedule(client, province_admin):
    try:
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO handover_progresssnapshot (key, cohort, received, acknowledged, contacted, verified,"
                " not_seeking, unreachable, employed, studying, transferred, computed_at)"
                " VALUES ('63', 2026, 7, 1, 1, 1, 0, 0, 0, 0, 0, now()), ('', NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, now())"
            )
        # The schedule as handover/0008 made it (an earlier transactional test may have flushed it).
        every_5, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
        PeriodicTask.objects.update_or_create(
            name="交接进度：刷新统计快照", defaults={"task": "handover.refresh_progress", "interval": every_5}
        )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert ProgressSnapshot.objects.get(key="63").received == 7
    assert PeriodicTask.objects.filter(task="reporting.refresh_progress").count() == 1
    assert not PeriodicTask.objects.filter(task="handover.refresh_progress").exists()
    client.force_login(province_admin)
    page = client.get(reverse("reporting:progress"))
    assert page.status_code == 200 and page.context["computed_at"] is not None  # read from the kept snapshot
