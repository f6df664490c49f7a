"""Monthly 汇总表 snapshots through the API: each office its own and its subtree's, the bureau every one and the
province's; the .xlsx download audited as on the page, with the stated purpose above the threshold; another
office's table is 404."""

import datetime
import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from graduates import actions as graduate_actions
from reporting import actions
from tests.factories import make_id_number, unsaved_graduate
from tests.reporting.test_monthly_table import on

pytestmark = pytest.mark.django_db

URL = "/api/v1/monthly-snapshots/"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache (Redis): none left from an earlier test."""
    cache.clear()


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def register(user, seq):
    graduate = unsaved_graduate(
        id_number=make_id_number(seq=seq), cohort=2025, graduation_date=datetime.date(2025, 6, 30)
    )
    return graduate_actions.create_graduate(graduate=graduate, acting_user=user)


def table(user, office="own"):
    return actions.generate_monthly_snapshot(
        cohort=2025,
        month=datetime.date(2025, 9, 1),
        office=user.office if office == "own" else office,
        user=user,
    )


@pytest.fixture
def tables(county_clerk, other_prefecture_clerk, province_admin):
    """城东区's table (one graduate), 海东市's, and the province's."""
    with on("2025-09-10"):
        register(county_clerk, 31)
    with on("2025-10-02"):
        return {
            "chengdong": table(county_clerk),
            "haidong": table(other_prefecture_clerk),
            "province": table(province_admin, office=None),
        }


def ids(answer) -> list[int]:
    assert answer.status_code == 200, answer.json()
    return sorted(row["id"] for row in answer.json()["results"])


def test_each_office_lists_its_subtrees_tables_and_the_bureau_all(
    tables, county_clerk, prefecture_clerk, other_prefecture_clerk, province_admin, university_clerk
):
    assert ids(api(county_clerk).get(URL)) == [tables["chengdong"].pk]
    assert ids(api(prefecture_clerk).get(URL)) == [tables["chengdong"].pk]  # 城东区 lies in 西宁市
    assert ids(api(other_prefecture_clerk).get(URL)) == [tables["haidong"].pk]
    assert ids(api(province_admin).get(URL)) == sorted(t.pk for t in tables.values())
    assert ids(api(university_clerk).get(URL)) == []
    row = api(county_clerk).get(f"{URL}{tables['chengdong'].pk}/").json()
    assert (row["cohort"], row["month"], row["version"], row["row_count"], row["office_name"]) == (
        2025,
        "2025-09",
        1,
        1,
        county_clerk.office.name,
    )
    assert row["download"].endswith(f"{URL}{tables['chengdong'].pk}/download/")
    province = api(province_admin).get(URL, {"province": "true"})
    assert ids(province) == [tables["province"].pk] and province.json()["results"][0]["office_name"] is None


def test_the_list_filters_by_cohort_and_month_and_refuses_bad_values(tables, province_admin):
    client = api(province_admin)
    assert len(ids(client.get(URL, {"cohort": 2025, "month": "2025-09"}))) == 3
    assert ids(client.get(URL, {"month": "2025-10"})) == []
    assert client.get(URL, {"month": "2025-13"}).json() == {
        "month": ["月份格式不对，应为 2026-07 这样的年月。"]
    }
    assert client.get(URL, {"province": "null"}).json() == {"province": ["应为 true 或 false。"]}
    assert client.get(URL, {"cohort": ["2025", "2026"]}).json() == {"cohort": ["只能给出一个值。"]}


def test_another_offices_table_is_404_and_its_download_too(tables, county_clerk, other_prefecture_clerk):
    theirs = tables["haidong"]
    for path in (f"{URL}{theirs.pk}/", f"{URL}{theirs.pk}/download/", f"{URL}{tables['province'].pk}/"):
        answer = api(county_clerk).get(path)
        assert answer.status_code == 404
        assert answer.json() == {"detail": "未找到该记录，或该记录不在您的数据范围内。"}
    assert api(county_clerk).get(f"{URL}x/download/").status_code == 404
    assert not AuditEvent.objects.filter(action="reporting.monthly.downloaded").exists()


def test_the_download_is_the_stored_xlsx_and_is_audited(tables, county_clerk):
    snapshot = tables["chengdong"]
    answer = api(county_clerk).get(f"{URL}{snapshot.pk}/download/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "no-store" in answer["Cache-Control"]
    assert answer.content == bytes(snapshot.content)
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    assert next(sheet.iter_rows(values_only=True))[0] == "2025届离校未就业高校毕业生信息汇总表"
    event = AuditEvent.objects.get(action="reporting.monthly.downloaded")
    assert (event.actor, event.object_id, event.data["rows"], event.data["via"]) == (
        county_clerk,
        str(snapshot.pk),
        1,
        "api",
    )


def test_a_big_table_needs_the_stated_purpose_as_on_the_page(tables, county_clerk, settings):
    settings.EXPORT_PURPOSE_THRESHOLD = 0  # the one-row table counts as big
    path = f"{URL}{tables['chengdong'].pk}/download/"
    refused = api(county_clerk).get(path)
    assert refused.status_code == 400
    assert refused.json() == {"purpose": ["请填写使用目的。"]}
    assert api(county_clerk).get(path, {"purpose": "报"}).json() == {"purpose": ["使用目的至少 4 个字。"]}
    assert not AuditEvent.objects.filter(action="reporting.monthly.downloaded").exists()
    answer = api(county_clerk).get(path, {"purpose": "按月向人社部报送汇总表"})
    assert answer.status_code == 200
    event = AuditEvent.objects.get(action="reporting.monthly.downloaded")
    assert event.data["purpose"] == "按月向人社部报送汇总表"


def test_without_a_token_nothing_is_listed_or_downloaded(tables):
    assert api().get(URL).status_code == 401
    assert api().get(f"{URL}{tables['province'].pk}/download/").status_code == 401
