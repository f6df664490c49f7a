"""Handover progress per office with drill-down, the weekly progress table and the 汇总表 for MOHRSS."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from core.models import AuditEvent, Office, OfficeKind
from graduates.actions import change_state
from graduates.models import Graduate
from handover.batches.actions import acknowledge, dispatch_batch, pass_down_to_counties
from handover.models import ContactAttempt, HandoverBatch
from reporting.progress.exports import mohrss_summary_workbook, weekly_progress_workbook
from reporting.progress.progress import progress_rows
from tests.factories import UniversityFactory
from tests.handover.test_dispatch import education_list
from tests.roster_files import roster_row

T0 = datetime.datetime(2026, 8, 3, 9, 0, tzinfo=datetime.UTC)


def office(region: str) -> Office:
    return Office.objects.get(region_id=region, kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY])


def graduate(seq: int) -> Graduate:
    return Graduate.objects.get(name=f"名单学生{seq}")


@pytest.fixture
def situation(province_admin, prefecture_clerk, county_clerk):
    """Six graduates dispatched (西宁 4, passed down to 城东 2 / 城中 1 / 城北 1; 海北 1; 海东 1), one signed, one
    from another province; 城东 signs for its two, the rest is unsigned; contacts and states as commented.
    Three days pass."""
    rows = [
        roster_row(1, **{"入学前户口所在地": "630102"}),  # 城东: a contact attempt, still waiting
        roster_row(2, **{"入学前户口所在地": "630102"}),  # 城东: verified
        roster_row(3, **{"入学前户口所在地": "630103"}),  # 城中: unreachable
        roster_row(4, **{"入学前户口所在地": "630105"}),  # 城北: not seeking
        roster_row(5, **{"入学前户口所在地": "632221"}),  # 海北: employed
        roster_row(6, **{"入学前户口所在地": "630202"}),  # 海东: nothing yet
        roster_row(7, **{"就业状态": "签约"}),  # signed: kept, never dispatched
        roster_row(8, **{"入学前户口所在地": "620102"}),  # another province: waits at the bureau
    ]
    with time_machine.travel(T0, tick=False) as traveller:
        education_list(province_admin, rows)
        dispatch_batch(batch=HandoverBatch.objects.get(), acting_user=province_admin)
        acknowledge(office=prefecture_clerk.office, acting_user=prefecture_clerk)
        pass_down_to_counties(office=prefecture_clerk.office, acting_user=prefecture_clerk)
        acknowledge(office=county_clerk.office, acting_user=county_clerk)
        ContactAttempt.objects.create(
            graduate=graduate(1),
            office=county_clerk.office,
            staff=county_clerk,
            method="phone",
            outcome="no_answer",
        )
        change_state(graduate=graduate(2), to_state="verified", acting_user=county_clerk)
        change_state(graduate=graduate(3), to_state="unreachable", acting_user=prefecture_clerk)
        change_state(graduate=graduate(4), to_state="not_seeking", acting_user=prefecture_clerk)
        change_state(graduate=graduate(5), to_state="employed", acting_user=province_admin)
        traveller.shift(datetime.timedelta(days=3))
        yield


FIELDS = ("received", "acknowledged", "contacted", "verified", "not_seeking", "unreachable", "employed",
          "transferred", "waiting", "days_since_dispatch")  # fmt: skip


def figures(row):
    return tuple(row[name] for name in FIELDS)


def by_region(rows):
    return {row["office"].region_id: row for row in rows if row["kind"] == "office"}


def test_the_bureau_sees_each_prefecture_with_its_counties_items_and_a_total(situation, province_admin):
    rows = progress_rows(user=province_admin)
    offices = by_region(rows)
    assert all(row["office"].kind == OfficeKind.PREFECTURE for row in offices.values())
    assert figures(offices["630100"]) == (4, 2, 4, 2, 1, 1, 0, 0, 2, 3)
    assert figures(offices["632200"]) == (1, 0, 1, 0, 0, 0, 1, 0, 1, 3)
    assert figures(offices["630200"]) == (1, 0, 0, 0, 0, 0, 0, 0, 1, 3)
    assert figures(offices["632300"]) == (0, 0, 0, 0, 0, 0, 0, 0, 0, None)
    assert offices["630100"]["rates"]["contacted"] == 1.0 and offices["630100"]["rates"]["verified"] == 0.5
    assert offices["630100"]["percent"]["acknowledged"] == "50.0%"
    assert offices["632300"]["rates"]["contacted"] == 0
    assert offices["630100"]["can_drill"]
    total = rows[-1]
    assert total["kind"] == "total" and figures(total) == (6, 2, 5, 2, 1, 1, 1, 0, 4, 3)


def test_drilling_down_to_xining_shows_its_counties(situation, province_admin, prefecture_clerk):
    xining = prefecture_clerk.office
    for user in (province_admin, prefecture_clerk):
        rows = progress_rows(user=user, parent_office=xining if user == province_admin else None)
        counties = by_region(rows)
        assert all(row["office"].kind == OfficeKind.COUNTY for row in counties.values())
        assert figures(counties["630102"]) == (
            2,
            2,
            2,
            1,
            0,
            0,
            0,
            0,
            0,
            3,
        )  # all signed: since first dispatch
        assert figures(counties["630103"]) == (1, 0, 1, 0, 0, 1, 0, 0, 1, 3)
        assert figures(counties["630105"]) == (1, 0, 1, 1, 1, 0, 0, 0, 1, 3)
        assert not counties["630102"]["can_drill"]
        assert figures(rows[-1]) == (4, 2, 4, 2, 1, 1, 0, 0, 2, 3)


def test_a_county_sees_itself(situation, province_admin, county_clerk):
    for user in (county_clerk, province_admin):
        rows = progress_rows(user=user, parent_office=county_clerk.office)
        assert [row["kind"] for row in rows] == ["office", "total"]
        assert figures(rows[0]) == figures(rows[1]) == (2, 2, 2, 1, 0, 0, 0, 0, 0, 3)
        assert rows[0]["rates"]["verified"] == 0.5


def test_a_prefecture_clerk_cannot_drill_into_another_prefecture(situation, prefecture_clerk, county_clerk):
    with pytest.raises(PermissionDenied):
        progress_rows(user=prefecture_clerk, parent_office=office("630200"))
    with pytest.raises(PermissionDenied):
        progress_rows(user=county_clerk, parent_office=prefecture_clerk.office)


def test_universities_and_education_see_no_progress(situation, university_clerk, education_clerk):
    for user in (university_clerk, education_clerk):
        with pytest.raises(PermissionDenied):
            progress_rows(user=user)


def test_progress_rows_query_count_does_not_grow_with_offices(
    situation, province_admin, prefecture_clerk, django_assert_max_num_queries
):
    progress_rows(user=province_admin)  # warm the scope cache
    with django_assert_max_num_queries(3):
        progress_rows(user=province_admin)
    with django_assert_max_num_queries(3):
        progress_rows(user=province_admin, parent_office=prefecture_clerk.office)


def sheet_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_weekly_workbook_lists_prefectures_their_counties_and_the_province_total(situation, province_admin):
    rows = sheet_rows(weekly_progress_workbook(user=province_admin, as_of=datetime.date(2026, 8, 6)))
    assert rows[0][0] == "离校未就业高校毕业生信息衔接工作进展汇总表（截至 2026年8月6日）"
    header = rows[2]
    assert header == ["单位", "移交/分解", "签收", "联系", "核实", "有就业意愿", "有创业意向", "暂无就业意愿",
                      "无法联系", "已就业", "困难人员一对一帮扶"]  # fmt: skip
    by_label = {row[0]: row for row in rows[3:]}
    chengdong, xining = office("630102"), office("630100")
    assert by_label[chengdong.name][1:5] == ["2", "2", "2", "1"]
    assert by_label[xining.name][1:5] == ["4", "2", "4", "2"] and by_label[xining.name][7:10] == [
        "1",
        "1",
        "0",
    ]
    labels = [row[0] for row in rows[3:]]
    assert labels.index(xining.name) < labels.index(chengdong.name)  # the prefecture, then its counties
    haibei = office("632200")
    assert by_label[f"{haibei.name}（本级）"][1] == "1"  # Qinghai hands over to prefectures
    assert by_label[haibei.name][1] == "1"
    assert rows[-1][0] == "全省合计" and rows[-1][1:5] == ["6", "2", "5", "2"]


def test_weekly_workbook_counts_only_what_was_dispatched_by_its_date(situation, province_admin):
    rows = sheet_rows(weekly_progress_workbook(user=province_admin, as_of=datetime.date(2026, 8, 2)))
    assert rows[-1][0] == "全省合计" and rows[-1][1] == "0"


def test_weekly_workbook_of_a_prefecture_covers_only_its_counties(situation, prefecture_clerk):
    rows = sheet_rows(weekly_progress_workbook(user=prefecture_clerk, as_of=datetime.date(2026, 8, 6)))
    labels = [row[0] for row in rows[3:]]
    assert office("630202").name not in labels and not any("海东" in label for label in labels)
    assert rows[-1][0] == "合计" and rows[-1][1] == "4"


def test_mohrss_summary_has_exactly_the_unemployed_graduates_of_the_education_batch(
    situation, province_admin
):
    ids = {n: graduate(n).id_number for n in (1, 2, 4, 6, 8)}
    Graduate.objects.filter(pk=graduate(1).pk).update(hardship=["3", "1"], name="=HYPERLINK(1)")
    Graduate.objects.filter(pk=graduate(2).pk).update(hardship=["T"])
    Graduate.objects.filter(pk=graduate(3).pk).update(state="studying")  # 升学出国: settled, never unemployed
    # Selected by the Education Dept's batch, not by the university's name or flag.
    Graduate.objects.filter(pk=graduate(6).pk).update(university=UniversityFactory(is_province_run=False))
    rows = sheet_rows(mohrss_summary_workbook(cohort=2026, user=province_admin))
    assert rows[0][0] == "2026届离校未就业高校毕业生信息汇总表"
    assert rows[1][0] == "填报省份：青海省" and rows[1][2].startswith("填报单位：")
    header, data = rows[2], rows[3:]
    assert header[0] == "序号" and header[-1] == "就业去向（回访结果）" and len(header) == 19
    # 5 employed, 3 升学出国 and 7 signed are not unemployed.
    assert sorted(row[4] for row in data) == sorted(ids.values())
    assert [row[0] for row in data] == ["1", "2", "3", "4", "5"]
    first = data[0]
    assert first[1] == "'=HYPERLINK(1)" and first[14] == "13" and isinstance(first[4], str)
    assert (first[2], first[3]) == ("男", "汉族") and data[1][2] == "女"  # as on the ID card
    assert first[6] == "20260630" and first[17] == "23"
    assert data[1][14] == "2"  # 脱贫家庭 is reported as 2 家庭经济困难


def test_mohrss_summary_leaves_out_graduates_in_no_education_batch(situation, province_admin):
    from handover.models import HandoverItem

    HandoverItem.objects.filter(graduate=graduate(1)).delete()
    rows = sheet_rows(mohrss_summary_workbook(cohort=2026, user=province_admin))
    assert graduate(1).id_number not in [row[4] for row in rows[3:]]


def test_mohrss_summary_is_for_the_bureau_only(situation, prefecture_clerk, university_clerk):
    for user in (prefecture_clerk, university_clerk):
        with pytest.raises(PermissionDenied):
            mohrss_summary_workbook(cohort=2026, user=user)


def test_progress_page_drills_down_and_shows_days_and_rates(client, situation, province_admin):
    client.force_login(province_admin)
    page = client.get("/reporting/progress/")
    assert page.status_code == 200
    html = page.content.decode()
    xining = office("630100")
    assert f"?office={xining.pk}" in html and "50.0%" in html and "导出省属院校未就业汇总表" in html
    page = client.get(f"/reporting/progress/?office={xining.pk}")
    assert page.status_code == 200 and office("630102").name in page.content.decode()
    assert page.context["rows"][-1]["received"] == 4


def test_progress_page_refuses_other_prefectures_and_universities(
    client, situation, prefecture_clerk, university_clerk
):
    client.force_login(prefecture_clerk)
    assert client.get(f"/reporting/progress/?office={office('630200').pk}").status_code == 403
    page = client.get("/reporting/progress/")
    assert page.status_code == 200 and "导出省属院校未就业汇总表" not in page.content.decode()
    assert client.get("/reporting/progress/mohrss.xlsx?cohort=2026").status_code == 403
    client.force_login(university_clerk)
    assert client.get("/reporting/progress/").status_code == 403
    assert client.get("/reporting/progress/weekly.xlsx").status_code == 403


def test_downloads_are_audited_with_their_row_counts(client, situation, province_admin):
    client.force_login(province_admin)
    response = client.get("/reporting/progress/weekly.xlsx?as_of=2026-08-06")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    response = client.get("/reporting/progress/mohrss.xlsx?cohort=2026")
    assert response.status_code == 200
    events = AuditEvent.objects.filter(action="handover.report.exported").order_by("at", "id")
    assert [(e.data["report"], e.actor_id) for e in events] == [
        ("weekly_progress", province_admin.pk),
        ("mohrss_summary", province_admin.pk),
    ]
    assert events[1].data["rows"] == 6 and events[0].data["rows"] > 3


def test_studying_is_counted_apart_from_employed_and_the_progress_is_per_cohort(
    situation, province_admin, client
):
    Graduate.objects.filter(pk=graduate(4).pk).update(state="studying")
    total = progress_rows(user=province_admin)[-1]
    assert (total["employed"], total["studying"]) == (1, 1)
    assert progress_rows(user=province_admin, cohort=2025)[-1]["received"] == 0
    assert progress_rows(user=province_admin, cohort=2026)[-1]["received"] == 6
    client.force_login(province_admin)
    page = client.get("/reporting/progress/?cohort=2026").content.decode()
    assert "升学出国" in page and "2026届" in page
    rows = sheet_rows(client.get("/reporting/progress/weekly.xlsx?cohort=2026").content)
    assert rows[0][0].startswith("2026届") and rows[-1][rows[2].index("已就业")] == "1"


def test_the_progress_pages_ignore_absurd_parameters(situation, province_admin, client):
    client.force_login(province_admin)
    assert client.get("/reporting/progress/?cohort=99999&level=x").status_code == 200
    assert client.get("/reporting/progress/?office=abc").status_code == 404  # 参数 office 无效
    assert client.get("/reporting/progress/?office=" + "9" * 40).status_code == 404
    assert client.get("/reporting/progress/weekly.xlsx?cohort=99999").status_code == 200
    assert client.get("/reporting/progress/mohrss.xlsx?cohort=abc").status_code == 200


def test_the_old_addresses_redirect_permanently_with_their_query(client, situation, province_admin):
    client.force_login(province_admin)
    xining = office("630100")
    for old, new in [
        (
            f"/handover/reports/?office={xining.pk}&cohort=2026",
            f"/reporting/progress/?office={xining.pk}&cohort=2026",
        ),
        (
            "/handover/reports/weekly.xlsx?as_of=2026-08-06",
            "/reporting/progress/weekly.xlsx?as_of=2026-08-06",
        ),
        ("/handover/reports/mohrss.xlsx?cohort=2026", "/reporting/progress/mohrss.xlsx?cohort=2026"),
    ]:
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == new
    page = client.get(f"/handover/reports/?office={xining.pk}", follow=True)
    assert page.status_code == 200 and page.context["rows"][-1]["received"] == 4


def test_the_progress_page_is_in_the_offices_menu_and_links_the_mohrss_download(
    client, situation, province_admin, county_clerk
):
    client.force_login(county_clerk)
    assert 'href="/reporting/progress/"' in client.get("/reporting/monthly/").content.decode()
    client.force_login(province_admin)
    assert (
        'href="/reporting/progress/mohrss.xlsx"'
        in client.get("/handover/unassigned/?show=mohrss").content.decode()
    )
