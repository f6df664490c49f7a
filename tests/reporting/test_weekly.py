"""The weekly progress table (吉人社发〔2022〕21号 §五（四）, annex 2): its columns and figures per office, an office
submitting its week's table once (who, when, the file), immutability, the bureau's on time / late / missing status
of every office, and the Thursday beat job storing the province's table once per week."""

import datetime
import hashlib
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent
from graduates.models import Graduate
from reporting.models import WeeklyProgressSnapshot
from reporting.progress import actions, selectors
from reporting.progress.tasks import weekly_progress_snapshots_task
from services.actions import assign_specialist
from tests.reporting.test_progress import T0, graduate, office, situation  # noqa: F401  (the fixture)

THURSDAY = datetime.date(2026, 8, 6)  # the situation's clock: Thursday 17:00 in Xining
FRIDAY_MORNING = datetime.datetime(2026, 8, 7, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Xining
COLUMNS = tuple(name for name, _ in selectors.WEEKLY_COLUMNS)


def figures(row: dict) -> tuple:
    return tuple(row[name] for name in COLUMNS)


@pytest.fixture
def intentions(situation, county_clerk):  # noqa: F811
    """名单学生2 (城东, verified) wants a company job and to start a business and is a hardship graduate with a
    specialist; 名单学生4 (城北, not seeking) named an enterprise job before; 名单学生3 (城中, unreachable) wants
    further study only; 名单学生1 (城东) to go abroad; 名单学生5 (海北, employed) wanted a company job; 名单学生6 named
    none."""
    Graduate.objects.filter(pk=graduate(2).pk).update(intentions=["3", "4"], hardship=["1"])
    Graduate.objects.filter(pk=graduate(4).pk).update(intentions=["3"])
    Graduate.objects.filter(pk=graduate(3).pk).update(intentions=["7"])
    Graduate.objects.filter(pk=graduate(1).pk).update(intentions=["8"])
    Graduate.objects.filter(pk=graduate(5).pk).update(intentions=["3"])
    Graduate.objects.filter(pk=graduate(6).pk).update(intentions=[])
    assign_specialist(
        graduate=graduate(2),
        specialist=county_clerk,
        plan="每月电话回访",
        follow_up_days=30,
        acting_user=county_clerk,
    )


def test_the_columns_are_those_of_the_notice():
    assert [label for _, label in selectors.WEEKLY_COLUMNS] == [
        "移交/分解", "签收", "联系", "核实", "有就业意愿", "有创业意向", "暂无就业意愿", "无法联系", "已就业",
        "困难人员一对一帮扶",
    ]  # fmt: skip


def test_the_bureau_table_has_each_prefecture_its_counties_and_the_total(intentions, province_admin):
    rows = selectors.weekly_rows(office=province_admin.office, cohort=2026, as_of=THURSDAY)
    by_label = {row["label"]: row for row in rows}
    xining, chengdong = office("630100"), office("630102")
    assert figures(by_label[chengdong.name]) == (2, 2, 2, 1, 1, 1, 0, 0, 0, 1)
    assert figures(by_label[office("630103").name]) == (1, 0, 1, 0, 0, 0, 0, 1, 0, 0)
    assert figures(by_label[office("630105").name]) == (
        1,
        0,
        1,
        1,
        0,
        0,
        1,
        0,
        0,
        0,
    )  # not seeking: not willing
    assert figures(by_label[xining.name]) == (4, 2, 4, 2, 1, 1, 1, 1, 0, 1)
    assert figures(rows[-1]) == (6, 2, 5, 2, 2, 1, 1, 1, 1, 1) and rows[-1]["label"] == "全省合计"
    kinds = [(row["kind"], row["label"]) for row in rows]
    assert kinds.index(("prefecture", xining.name)) < kinds.index(("county", chengdong.name))
    assert (
        selectors.weekly_rows(office=province_admin.office, cohort=2025, as_of=THURSDAY)[-1]["received"] == 0
    )
    # As of the Sunday before: nothing dispatched, no one-on-one begun yet.
    assert figures(selectors.weekly_rows(office=province_admin.office, cohort=2026, as_of=T0.date() - datetime.timedelta(days=1))[-1]) == (0,) * 10  # fmt: skip


def test_a_county_table_is_its_own_row_and_the_total(intentions, county_clerk):
    rows = selectors.weekly_rows(office=county_clerk.office, cohort=2026, as_of=THURSDAY)
    assert [row["kind"] for row in rows] == ["county", "total"]
    assert figures(rows[0]) == figures(rows[1]) == (2, 2, 2, 1, 1, 1, 0, 0, 0, 1)


def test_an_office_submits_its_week_once_and_the_table_is_kept_as_it_was(
    client, intentions, prefecture_clerk
):
    client.force_login(prefecture_clerk)
    page = client.get(reverse("reporting:progress"))
    assert "报送本周进度" in page.content.decode() and page.context["weekly_week"] == THURSDAY
    response = client.post(
        reverse("reporting:weekly_submit"), {"cohort": 2026, "week": "2026-08-06"}, follow=True
    )
    assert "已报送 2026届 2026-08-06（周四）当周进度" in response.content.decode()
    snapshot = WeeklyProgressSnapshot.objects.get()
    assert (snapshot.office, snapshot.generated_by, snapshot.week, snapshot.cohort) == (
        prefecture_clerk.office, prefecture_clerk, THURSDAY, 2026
    )  # fmt: skip
    assert snapshot.sha256 == hashlib.sha256(bytes(snapshot.content)).hexdigest()
    sheet = [
        list(r) for r in load_workbook(io.BytesIO(bytes(snapshot.content))).active.iter_rows(values_only=True)
    ]
    assert sheet[2][0] == "单位" and sheet[-1][:2] == ["合计", "4"] and snapshot.row_count == len(sheet) - 3
    assert any(cell and "填报人" in cell for cell in sheet[1])
    assert AuditEvent.objects.filter(action="reporting.weekly.submitted", actor=prefecture_clerk).count() == 1
    # Once a week: a second submission is refused with a message, nothing stored.
    again = client.post(
        reverse("reporting:weekly_submit"), {"cohort": 2026, "week": "2026-08-06"}, follow=True
    )
    assert "每周报送一次" in again.content.decode() and WeeklyProgressSnapshot.objects.count() == 1
    page = client.get(reverse("reporting:progress"))
    assert "本单位已于" in page.content.decode() and 'data-testid="weekly-table"' in page.content.decode()
    assert page.context["weekly_table_rows"][-1]["figures"] == [4, 2, 4, 2, 1, 1, 1, 1, 0, 1]
    # Immutable: later changes do not touch it, and it can be neither edited nor deleted.
    Graduate.objects.filter(pk=graduate(6).pk).update(state="employed")
    snapshot.refresh_from_db()
    assert snapshot.rows[-1]["employed"] == 0
    with pytest.raises(ValidationError):
        snapshot.save()
    with pytest.raises(ValidationError):
        snapshot.delete()
    # Downloadable by the office, not by another prefecture.
    download = client.get(reverse("reporting:weekly_snapshot", args=[snapshot.pk]))
    assert download.status_code == 200 and download.content == bytes(snapshot.content)


def test_bad_submissions_get_a_message(
    client,
    situation,  # noqa: F811
    prefecture_clerk,
    university_clerk,
    other_prefecture_clerk,
):
    client.force_login(prefecture_clerk)
    url = reverse("reporting:weekly_submit")
    for data, message in [
        ({"cohort": 2026, "week": "2026-08-05"}, "星期四"),
        ({"cohort": 2026, "week": "2026-08-13"}, "以后各周"),
        ({"cohort": "abc", "week": "2026-08-06"}, "届别"),
        ({"cohort": 2026, "week": "x" * 500}, "周的日期无效"),
    ]:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and message in response.content.decode()
    assert not WeeklyProgressSnapshot.objects.exists()
    assert client.get(url).status_code == 405
    actions.submit_weekly_progress(user=prefecture_clerk, cohort=2026)
    snapshot = WeeklyProgressSnapshot.objects.get()
    client.force_login(other_prefecture_clerk)
    assert client.get(reverse("reporting:weekly_snapshot", args=[snapshot.pk])).status_code == 404
    client.force_login(university_clerk)
    assert client.post(url, {"cohort": 2026, "week": "2026-08-06"}).status_code == 403


def test_the_bureau_sees_each_offices_status_on_time_late_or_missing(
    client,
    situation,  # noqa: F811
    province_admin,
    prefecture_clerk,
    county_clerk,
):
    actions.submit_weekly_progress(user=prefecture_clerk, cohort=2026)  # Thursday 17:00
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        late = actions.submit_weekly_progress(user=county_clerk, cohort=2026, week=THURSDAY)
        assert late.week == THURSDAY
        status = {row["office"].region_id: row["status"] for row in selectors.weekly_submission_status(cohort=2026, week=THURSDAY)}  # fmt: skip
        assert status["630100"] == "on_time" and status["630102"] == "late" and status["630200"] == "missing"
        following = selectors.week_of(FRIDAY_MORNING.date())
        assert following == THURSDAY and selectors.week_of(datetime.date(2026, 8, 10)) == datetime.date(
            2026, 8, 13
        )
        assert {row["status"] for row in selectors.weekly_submission_status(cohort=2026, week=datetime.date(2026, 8, 13))} == {"pending"}  # fmt: skip
        client.force_login(province_admin)
        page = client.get(f"{reverse('reporting:progress')}?week=2026-08-06&cohort=2026").content.decode()
        assert 'data-testid="weekly-status-on_time"' in page and 'data-testid="weekly-status-late"' in page
        assert 'data-testid="weekly-status-missing"' in page and "逾期未报" in page
        client.force_login(prefecture_clerk)
        assert 'data-testid="weekly-status' not in client.get(reverse("reporting:progress")).content.decode()


def test_the_thursday_job_stores_the_province_table_once(situation, province_admin):  # noqa: F811
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="reporting.weekly_progress_snapshots")
    crontab = task.crontab
    assert task.enabled and (crontab.day_of_week, crontab.hour, crontab.minute) == ("4", "8", "0")
    assert str(crontab.timezone) == "Asia/Shanghai"
    assert weekly_progress_snapshots_task() == 1
    assert weekly_progress_snapshots_task() == 0  # a re-run stores nothing new
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        assert weekly_progress_snapshots_task() == 0  # still the same week's Thursday
    stored = WeeklyProgressSnapshot.objects.get()
    assert (stored.generated_by, stored.office, stored.week, stored.cohort) == (None, province_admin.office, THURSDAY, 2026)  # fmt: skip
    assert stored.rows[-1]["received"] == 6
    # The system's copy is no office's submission: the bureau may still submit its own.
    actions.submit_weekly_progress(user=province_admin, cohort=2026)
    assert WeeklyProgressSnapshot.objects.count() == 2


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_thursday_job_runs_in_a_worker(celery_worker_process, situation):  # noqa: F811
    # The worker runs at the real date: the cohort of the situation's lists is active from July 2026 to June 2027.
    result = weekly_progress_snapshots_task.apply_async(queue=celery_worker_process)
    real_today = datetime.datetime.fromtimestamp(time_machine.escape_hatch.time.time(), datetime.UTC).date()
    expected = 1 if datetime.date(2026, 7, 1) <= real_today < datetime.date(2027, 7, 1) else 0
    assert result.get(timeout=60) == expected
    assert weekly_progress_snapshots_task.apply_async(queue=celery_worker_process).get(timeout=60) == 0
    assert WeeklyProgressSnapshot.objects.filter(generated_by__isnull=True).count() == expected
