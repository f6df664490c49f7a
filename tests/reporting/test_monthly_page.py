"""The /reporting/monthly/ page: generate, download (audited, not cached), last month's difference, scope, and
the bureau's view of every office's submission."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent
from graduates import actions as graduate_actions
from reporting import actions
from reporting.models import MonthlySnapshot
from tests.factories import make_id_number, unsaved_graduate
from tests.reporting.test_monthly_table import on

URL = "/reporting/monthly/"


def register(user, seq, **overrides):
    values = {
        "id_number": make_id_number(seq=seq),
        "cohort": 2025,
        "graduation_date": datetime.date(2025, 6, 30),
    }
    values.update(overrides)
    return graduate_actions.create_graduate(graduate=unsaved_graduate(**values), acting_user=user)


def test_an_office_generates_and_downloads_its_table(client, county_clerk):
    with on("2025-09-10"):
        register(county_clerk, 31)
    client.force_login(county_clerk)
    with on("2025-10-02"):
        response = client.post(URL, {"month": "2025-09", "cohort": "2025"}, follow=True)
    assert "已生成 2025届 2025-09 汇总表第 1 版，共 1 人" in response.content.decode()
    snapshot = MonthlySnapshot.objects.get()
    assert snapshot.office == county_clerk.office and snapshot.generated_by == county_clerk
    response = client.get(reverse("reporting:download", args=[snapshot.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    assert next(sheet.iter_rows(values_only=True))[0] == "2025届离校未就业高校毕业生信息汇总表"
    event = AuditEvent.objects.get(action="reporting.monthly.downloaded")
    assert event.actor == county_clerk and event.object_id == str(snapshot.pk)


def test_a_month_outside_the_window_is_refused_on_the_page(client, county_clerk):
    client.force_login(county_clerk)
    with on("2026-08-10"):
        response = client.post(URL, {"month": "2026-08", "cohort": "2025"}, follow=True)
    assert "不在报送期内" in response.content.decode()
    assert not MonthlySnapshot.objects.exists()
    response = client.post(URL, {"month": "2026-13", "cohort": "2025"}, follow=True)
    assert "月份应为 YYYY-MM" in response.content.decode()


def test_another_offices_snapshot_is_404(client, prefecture_clerk, other_prefecture_clerk):
    with on("2025-10-02"):
        theirs = actions.generate_monthly_snapshot(
            cohort=2025, month=datetime.date(2025, 9, 1), office=other_prefecture_clerk.office,
            user=other_prefecture_clerk,
        )  # fmt: skip
    client.force_login(prefecture_clerk)
    assert client.get(reverse("reporting:download", args=[theirs.pk])).status_code == 404
    with on("2025-10-03"):
        page = client.get(URL, {"month": "2025-09", "cohort": "2025"}).content.decode()
    assert other_prefecture_clerk.office.name not in page
    assert not AuditEvent.objects.filter(action="reporting.monthly.downloaded").exists()


def test_the_difference_to_last_month(client, county_clerk):
    with on("2025-09-10"):
        stays = register(county_clerk, 33)
        changes = register(county_clerk, 35)
    with on("2025-10-02"):
        client.force_login(county_clerk)
        client.post(URL, {"month": "2025-09", "cohort": "2025"})
    with on("2025-10-15"):
        register(county_clerk, 37)
        graduate_actions.record_visit(
            graduate=changes, acting_user=county_clerk, visited_on=datetime.date(2025, 10, 15),
            method="phone", destination="4",
        )  # fmt: skip
    with on("2025-11-02"):
        client.force_login(county_clerk)  # sessions end after a working day
        client.post(URL, {"month": "2025-10", "cohort": "2025"})
        page = client.get(URL, {"month": "2025-10", "cohort": "2025"}).content.decode()
    assert stays.pk
    assert 'data-testid="diff-new">1<' in page
    assert 'data-testid="diff-changed">1<' in page
    assert 'data-testid="diff-left">0<' in page


@pytest.mark.parametrize(
    ("generated_on", "status"), [("2025-10-05", "on_time"), ("2025-10-06", "late"), (None, "missing")]
)
def test_the_bureau_sees_every_offices_submission(client, province_admin, county_clerk, generated_on, status):
    if generated_on:
        with on(generated_on):
            actions.generate_monthly_snapshot(
                cohort=2025, month=datetime.date(2025, 9, 1), office=county_clerk.office, user=county_clerk
            )
    client.force_login(province_admin)
    with on("2025-10-10"):
        page = client.get(URL, {"month": "2025-09", "cohort": "2025"}).content.decode()
    rows = page.split('data-testid="status"')[1].split("<tr")
    (row,) = [row for row in rows if f"<td>{county_clerk.office.name}</td>" in row]
    assert f'data-testid="status-{status}"' in row


def test_the_page_is_in_the_offices_menu_and_closed_to_universities(client, county_clerk, university_clerk):
    client.force_login(county_clerk)
    assert 'href="/reporting/monthly/"' in client.get("/").content.decode()
    client.force_login(university_clerk)
    assert 'href="/reporting/monthly/"' not in client.get("/").content.decode()
    assert client.get(URL).status_code == 403
