"""A big monthly 汇总表 is built by a real worker: the page answers at once with a progress bar that polls the job,
the finished version can be downloaded, another user never sees the job, and a refusal found by the worker is
shown instead of a file."""

import datetime
import time

import pytest
from django.urls import reverse

from config.celery import app
from graduates import actions as graduate_actions
from reporting import actions, selectors
from reporting.models import MonthlySnapshot
from tests.factories import make_id_number, unsaved_graduate
from tests.reporting.test_mail import id_numbers
from tests.reporting.test_monthly_table import on

URL = "/reporting/monthly/"


@pytest.fixture
def three_graduates(county_clerk):
    with on("2025-10-10"):
        return [
            graduate_actions.create_graduate(
                graduate=unsaved_graduate(
                    id_number=make_id_number(seq=seq), cohort=2025, graduation_date=datetime.date(2025, 6, 30)
                ),
                acting_user=county_clerk,
            ).id_number
            for seq in (41, 43, 45)
        ]


@pytest.fixture
def async_above_one_row(settings):
    settings.REPORT_ASYNC_ROWS = 1


def poll(client, job_url: str, timeout: float = 120) -> str:
    """GET the job's fragment as htmx does until it says the job ended; its HTML."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = client.get(job_url).content.decode()
        if "hx-trigger" not in html:  # a finished job stops polling
            return html
        time.sleep(0.2)
    raise AssertionError("the job did not finish")


@pytest.mark.celery_worker
def test_a_big_table_is_built_by_the_worker_behind_a_progress_bar(
    client, county_clerk, other_prefecture_clerk, three_graduates, async_above_one_row, celery_workers
):
    client.force_login(county_clerk)
    response = client.post(URL, {"month": "2025-11", "cohort": "2025"})
    assert response.status_code == 302 and "job=" in response["Location"]
    job_id = response["Location"].split("job=")[1]
    assert not MonthlySnapshot.objects.exists()  # nothing stored before a worker has written it

    page = client.get(response["Location"]).content.decode()
    assert "该表共 3 人，已交由后台生成" in page
    assert 'data-testid="monthly-job"' in page and "排队等待后台生成" in page
    job_url = reverse("reporting:monthly_job", args=[job_id])
    assert f'hx-get="{job_url}"' in page

    celery_workers.start()
    html = poll(client, job_url)
    assert 'data-state="done"' in html and "已生成第 1 版，共 3 人" in html and "100%" in html
    snapshot = MonthlySnapshot.objects.get()
    assert (snapshot.office, snapshot.generated_by, snapshot.row_count) == (
        county_clerk.office,
        county_clerk,
        3,
    )
    download = client.get(reverse("reporting:download", args=[snapshot.pk]))
    assert id_numbers(download.content) == set(three_graduates)

    # Another office's user, or a made-up id, finds no job.
    client.force_login(other_prefecture_clerk)
    assert client.get(job_url).status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("reporting:monthly_job", args=[unknown])).status_code == 404
    # A malformed ?job= on the page is ignored, never a 500.
    assert client.get(URL + "?month=2025-11&cohort=2025&job=xyz").status_code == 200


def test_the_bar_shows_the_rows_written_so_far(client, county_clerk, three_graduates, async_above_one_row):
    client.force_login(county_clerk)
    started = actions.start_monthly_generation(
        cohort=2025, month=datetime.date(2025, 11, 1), office=county_clerk.office, user=county_clerk
    )
    assert started.snapshot is None and started.rows == 3
    app.backend.store_result(started.job_id, {"written": 2, "total": 3}, "PROGRESS")
    html = client.get(reverse("reporting:monthly_job", args=[started.job_id])).content.decode()
    assert 'data-state="running"' in html and "已写入 2 / 3 行（66%）" in html and "hx-trigger" in html
    app.backend.store_result(started.job_id, {"error": "2025届的报送期为2025年8月至2026年6月。"}, "SUCCESS")
    html = client.get(reverse("reporting:monthly_job", args=[started.job_id])).content.decode()
    assert 'data-state="refused"' in html and "2025届的报送期" in html and "hx-trigger" not in html
    app.backend.forget(started.job_id)


def test_a_small_table_is_made_at_once(client, county_clerk, three_graduates):
    assert selectors.async_threshold() >= 3
    client.force_login(county_clerk)
    response = client.post(URL, {"month": "2025-11", "cohort": "2025"}, follow=True)
    assert "已生成 2025届 2025-11 汇总表第 1 版，共 3 人" in response.content.decode()
    assert "job=" not in response.redirect_chain[-1][0]
