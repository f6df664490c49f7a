"""The progress page reads its figures from a snapshot counted every 5 minutes (reporting.progress.snapshot): the
snapshot's figures are the live ones at every level and for every cohort, a graduate held by two offices is
still counted once per level, the page says when it was counted and 刷新 recounts it, a stale snapshot is never
shown, and the refresh is scheduled with beat and runs in a real worker."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from graduates.actions import change_state
from handover.models import BatchSource, HandoverBatch, HandoverItem
from reporting.models import ProgressSnapshot
from reporting.progress.progress import progress_rows, progress_table
from reporting.progress.snapshot import refresh_snapshot
from reporting.progress.tasks import refresh_progress_task
from tests.reporting.test_progress import T0, graduate, office, situation  # noqa: F401  (the fixture)

NOW = T0 + datetime.timedelta(days=3)  # the situation's clock
SHOWN = ("label", "kind", "received", "acknowledged", "contacted", "verified", "not_seeking", "unreachable",
         "employed", "studying", "transferred", "waiting", "days_since_dispatch", "oldest_waiting")  # fmt: skip


def shown(rows):
    return [tuple(row[name] for name in SHOWN) for row in rows]


@pytest.fixture
def held_twice(situation, province_admin):  # noqa: F811
    """名单学生1 (城东, cohort 2026) is also held by 城中 through a 2025 list, unsigned there."""
    batch = HandoverBatch.objects.create(
        source=BatchSource.UNIVERSITY, cohort=2025, created_by=province_admin, status="dispatched"
    )
    HandoverItem.objects.create(
        batch=batch,
        graduate=graduate(1),
        office=office("630103"),
        dispatched_at=T0 + datetime.timedelta(days=1),
    )


def test_the_snapshot_gives_the_live_figures_at_every_level_and_cohort(
    held_twice, province_admin, prefecture_clerk, county_clerk
):
    assert refresh_snapshot() > 1
    views = [
        (province_admin, None),
        (province_admin, prefecture_clerk.office),
        (province_admin, office("632200")),
        (prefecture_clerk, None),
        (county_clerk, None),
        (province_admin, office("630103")),
    ]
    for user, parent in views:
        for cohort in (None, 2025, 2026, 2024):
            table = progress_table(user=user, parent_office=parent, cohort=cohort)
            assert table.computed_at == NOW
            assert shown(table.rows) == shown(progress_rows(user=user, parent_office=parent, cohort=cohort))
    # The graduate held by 城东 and 城中 counts once for 西宁 and the province, in each county once.
    xining = {row["label"]: row for row in progress_table(user=prefecture_clerk).rows}
    assert xining[office("630102").name]["received"] == 2 and xining[office("630103").name]["received"] == 2
    assert xining["合计"]["received"] == 4
    assert progress_table(user=province_admin).rows[-1]["received"] == 6
    assert progress_table(user=province_admin, cohort=2025).rows[-1]["received"] == 1


def test_the_page_says_when_it_was_counted_and_refresh_recounts(client, situation, province_admin):  # noqa: F811
    client.force_login(province_admin)
    url = reverse("reporting:progress")
    page = client.get(url)
    assert (
        page.context["computed_at"] is None and "实时统计" in page.content.decode()
    )  # no snapshot yet: live
    refresh_progress_task()  # what beat runs every 5 minutes
    change_state(graduate=graduate(6), to_state="employed", acting_user=province_admin)
    page = client.get(url)
    assert "统计时间 17:00" in page.content.decode()  # 09:00 UTC, shown in Beijing time
    assert page.context["rows"][-1]["employed"] == 1  # counted before the change
    assert client.post(url).status_code == 302  # 刷新 within a minute of the last count: nothing recounted
    assert client.get(url).context["rows"][-1]["employed"] == 1
    with time_machine.travel(NOW + datetime.timedelta(minutes=2), tick=False):
        refreshed = client.post(url + "?cohort=2026")
        assert refreshed.status_code == 302 and refreshed.url == url + "?cohort=2026"
        page = client.get(url)
        assert page.context["rows"][-1]["employed"] == 2
        assert "统计时间 17:02" in page.content.decode()


def test_a_stale_snapshot_is_not_shown(situation, province_admin):  # noqa: F811
    refresh_snapshot()
    change_state(graduate=graduate(6), to_state="employed", acting_user=province_admin)
    assert progress_table(user=province_admin).rows[-1]["employed"] == 1
    with time_machine.travel(NOW + datetime.timedelta(minutes=21), tick=False):
        table = progress_table(user=province_admin)  # beat stopped: counted live
        assert table.computed_at is None and table.rows[-1]["employed"] == 2


def test_the_refresh_is_scheduled_every_five_minutes(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="reporting.refresh_progress")
    assert task.enabled and (task.interval.every, task.interval.period) == (5, "minutes")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_refresh_runs_in_a_worker(celery_worker_process):
    assert not ProgressSnapshot.objects.exists()
    result = refresh_progress_task.apply_async(queue=celery_worker_process)
    assert result.get(timeout=60) == 1  # nothing dispatched: the marker row alone
    assert ProgressSnapshot.objects.get().key == ""


def test_the_weekly_table_counts_a_graduate_held_twice_once_per_level(held_twice, province_admin):
    from reporting.progress.selectors import weekly_rows

    bureau = province_admin.office
    rows = {row["label"]: row for row in weekly_rows(office=bureau, cohort=None, as_of=NOW.date())}
    assert rows[office("630102").name]["received"] == 2 and rows[office("630103").name]["received"] == 2
    assert rows[office("630100").name]["received"] == 4 and rows["全省合计"]["received"] == 6
    before = {row["label"]: row for row in weekly_rows(office=bureau, cohort=None, as_of=T0.date())}
    assert before[office("630103").name]["received"] == 1  # the 2025 item was dispatched a day later


@pytest.mark.django_db(transaction=True)
def test_a_refresh_finding_another_running_returns_at_once(demo_province, client, province_admin):
    """Another connection is refreshing (it holds the refresh's lock): 刷新 says so instead of queueing."""
    import threading

    from django.db import connection, transaction

    from reporting.progress.snapshot import LOCK

    holding, release = threading.Event(), threading.Event()

    def other_refresh() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK])
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=other_refresh)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        assert refresh_snapshot() is None
        client.force_login(province_admin)
        page = client.post(reverse("reporting:progress"), follow=True)
        assert "正在更新" in page.content.decode() and page.context["computed_at"] is None
    finally:
        release.set()
        thread.join(timeout=30)
    assert refresh_snapshot() == 1  # the lock is free again: counted (nothing dispatched: the marker alone)
