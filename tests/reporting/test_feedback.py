"""The January feedback to universities (青人社厅函〔2017〕490号 §二): each university downloads its own cohort's
graduates with the services they got and their 就业去向; the Education Dept and the bureau get every university."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent, Office
from graduates import actions as graduate_actions
from graduates.codes import VisitMethod
from services import actions as service_actions
from tests.factories import make_id_number, unsaved_graduate

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
PAGE = "/reporting/feedback/"
HEADER_ROW = 3  # title, header block, column titles


def on(day: str, hour: int = 10):
    return time_machine.travel(
        datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI), tick=False
    )


def university(name: str) -> Office:
    return Office.objects.get(kind="university", name=name)


def register(clerk, seq: int, school: Office | None, **overrides):
    values = {
        "id_number": make_id_number(seq=seq),
        "cohort": 2025,
        "graduation_date": datetime.date(2025, 6, 30),
        "university": school,
        "university_name": school.name if school is not None else "青海大学",
    }
    values.update(overrides)
    return graduate_actions.create_graduate(graduate=unsaved_graduate(**values), acting_user=clerk)


def serve(clerk, graduate, service_type: str, day: str):
    return service_actions.log_service(
        graduate=graduate,
        service_type=service_type,
        date=datetime.date.fromisoformat(day),
        channel="phone",
        acting_user=clerk,
    )


def sheet_rows(content: bytes) -> list[dict]:
    """The data rows of a feedback sheet as {column title: value}."""
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    header = rows[HEADER_ROW - 1]
    data = []
    for row in rows[HEADER_ROW:]:
        if not row or not isinstance(row[0], int):
            break
        data.append(dict(zip(header, row, strict=False)))
    return data


@pytest.fixture
def cohort_2025(county_clerk):
    """青海大学: one graduate served three times (a fourth entry voided), visited and employed, with a formula-
    like employer; 青海师范大学: one graduate."""
    qhu, qhnu = university("青海大学"), university("青海师范大学")
    with on("2025-09-01"):
        served = register(county_clerk, 11, qhu, name="服务生")
        other = register(county_clerk, 13, qhnu, name="师大生")
    with on("2025-11-20"):
        serve(county_clerk, served, "policy", "2025-09-05")
        serve(county_clerk, served, "job_referral", "2025-09-20")
        serve(county_clerk, served, "job_referral", "2025-10-08")
        mistaken = serve(county_clerk, served, "guidance", "2025-10-09")
        service_actions.void_service(entry=mistaken, reason="录错人", acting_user=county_clerk)
        serve(county_clerk, other, "policy", "2025-10-01")
        graduate_actions.record_visit(
            graduate=served, acting_user=county_clerk, visited_on=datetime.date(2025, 10, 1),
            method=VisitMethod.PHONE, destination="15",
        )  # fmt: skip
        graduate_actions.record_visit(
            graduate=served, acting_user=county_clerk, visited_on=datetime.date(2025, 11, 18),
            method=VisitMethod.PHONE, destination="4", employer="=HYPERLINK(\"http://x\")",
        )  # fmt: skip
    return {"served": served, "other": other, "qhu": qhu, "qhnu": qhnu}


def test_a_university_downloads_its_own_graduates_with_services_and_destination(
    client, university_clerk, cohort_2025
):
    client.force_login(university_clerk)
    with on("2026-01-10"):
        page = client.get(PAGE).content.decode()
        response = client.get(reverse("reporting:feedback_download", args=[cohort_2025["qhu"].pk]))
    assert "2025届" in page and "2026年1月31日" in page  # the default cohort and its due date
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    rows = sheet_rows(response.content)
    assert [r["姓名"] for r in rows] == ["服务生"]
    row = rows[0]
    assert row["公民身份号码"] == cohort_2025["served"].id_number  # text, not a number
    assert row["服务合计（次）"] == 3  # the voided 职业指导 does not count
    assert row["政策咨询（次）"] == 1 and row["岗位推荐（次）"] == 2 and row["职业指导（次）"] == 0
    assert row["服务情况（按日期）"] == "2025-09-05 政策咨询；2025-09-20 岗位推荐；2025-10-08 岗位推荐"
    assert row["一对一帮扶"] == "否"
    assert (row["就业去向代码"], row["就业去向（最近回访）"], row["回访日期"]) == (
        "4",
        "非国有企业",
        "2025-11-18",
    )
    assert row["就业单位"] == '\'=HYPERLINK("http://x")'  # neutralised: never run as a formula
    sheet = list(
        load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True)
    )
    assert sheet[0][0] == "2025届离校未就业高校毕业生就业服务情况反馈表"
    assert "生成人：演示·青海大学就业处" in sheet[1][2]
    event = AuditEvent.objects.get(action="reporting.feedback.downloaded")
    assert event.actor == university_clerk
    assert event.data == {"cohort": 2025, "rows": 1, "purpose": "", "scope": "青海大学", "filters": {}}


def test_another_universitys_file_is_404(client, university_clerk, prefecture_clerk, cohort_2025):
    client.force_login(university_clerk)
    with on("2026-01-10"):
        assert (
            client.get(reverse("reporting:feedback_download", args=[cohort_2025["qhnu"].pk])).status_code
            == 404
        )
        assert client.get(reverse("reporting:feedback_zip")).status_code == 404
        page = client.get(PAGE).content.decode()
    assert "青海师范大学" not in page
    client.force_login(prefecture_clerk)
    with on("2026-01-10"):
        assert (
            client.get(reverse("reporting:feedback_download", args=[cohort_2025["qhu"].pk])).status_code
            == 404
        )
        assert client.get(PAGE).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="reporting.feedback").exists()


def test_the_education_dept_gets_every_university(client, education_clerk, province_admin, cohort_2025):
    client.force_login(education_clerk)
    with on("2026-01-20"):
        page = client.get(PAGE).content.decode()
        response = client.get(reverse("reporting:feedback_zip"), {"cohort": "2025"})
    for name in ("青海大学", "青海师范大学", "青海民族大学"):
        assert name in page
    assert response.status_code == 200 and response["Cache-Control"].startswith("no-store")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {name.split("_")[-1]: archive.read(name) for name in archive.namelist()}
    assert set(files) == {"青海大学.xlsx", "青海师范大学.xlsx", "青海民族大学.xlsx"}
    assert [r["姓名"] for r in sheet_rows(files["青海大学.xlsx"])] == ["服务生"]
    assert [(r["姓名"], r["服务合计（次）"]) for r in sheet_rows(files["青海师范大学.xlsx"])] == [
        ("师大生", 1)
    ]
    assert sheet_rows(files["青海民族大学.xlsx"]) == []
    event = AuditEvent.objects.get(action="reporting.feedback.downloaded_all")
    assert {k: event.data[k] for k in ("cohort", "rows", "universities", "purpose")} == {
        "cohort": 2025,
        "rows": 2,
        "universities": 3,
        "purpose": "",
    }
    client.force_login(province_admin)  # the bureau sends it: it may see it too
    with on("2026-01-20"):
        response = client.get(reverse("reporting:feedback_download", args=[cohort_2025["qhnu"].pk]))
    assert [r["姓名"] for r in sheet_rows(response.content)] == ["师大生"]


def test_a_record_naming_the_university_without_a_link_is_its_graduate(
    client, county_clerk, university_clerk
):
    with on("2025-09-01"):
        register(county_clerk, 15, None, name="手录生", university_name="青海大学")
        register(county_clerk, 17, None, name="外校生", university_name="兰州交通大学")
        register(county_clerk, 19, university("青海大学"), name="下一届", cohort=2026,
                 graduation_date=datetime.date(2026, 6, 30))  # fmt: skip
    client.force_login(university_clerk)
    with on("2026-01-10"):
        page = client.get(PAGE)
        response = client.get(reverse("reporting:feedback_download", args=[university_clerk.office_id]))
    assert [r["姓名"] for r in sheet_rows(response.content)] == ["手录生"]
    assert '<td class="text-end" data-testid="count">1</td>' in page.content.decode()


@pytest.mark.parametrize("cohort", ["abc", "99999", "1999", "2025.5", "-1"])
def test_a_bad_cohort_gets_a_message(client, university_clerk, cohort):
    client.force_login(university_clerk)
    with on("2026-01-10"):
        page = client.get(PAGE, {"cohort": cohort})
        download = client.get(
            reverse("reporting:feedback_download", args=[university_clerk.office_id]), {"cohort": cohort},
            follow=True,
        )  # fmt: skip
    for response in (page, download):
        assert response.status_code == 200
        assert "届别应为 2000–2100 之间的年份" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="reporting.feedback").exists()


def test_the_feedback_opens_on_1_january_after_the_cohort_year(client, university_clerk):
    client.force_login(university_clerk)
    with on("2025-12-20"):
        page = client.get(PAGE, {"cohort": "2025"}).content.decode()
        download = client.get(
            reverse("reporting:feedback_download", args=[university_clerk.office_id]), {"cohort": "2025"},
            follow=True,
        ).content.decode()  # fmt: skip
        default = client.get(PAGE).content.decode()
    assert "2026年1月1日" in page and 'data-testid="download"' not in page
    assert "2025届的服务情况反馈于 2026年1月1日 开放下载" in download
    assert "2024届" in default  # in December the latest open cohort is last year's
    with on("2027-01-15"):
        client.force_login(university_clerk)  # the session of a year ago has expired
        assert "2026届" in client.get(PAGE).content.decode()  # January 2027: cohort 2026, due 31 January


def test_the_rows_come_from_one_query_whatever_their_number(client, county_clerk, university_clerk):
    school = university("青海大学")

    def download_queries() -> int:
        client.force_login(university_clerk)
        with on("2026-01-10"), CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reporting:feedback_download", args=[school.pk]))
        assert response.status_code == 200
        return len(queries)

    with on("2025-09-01"):
        first = register(county_clerk, 21, school)
    with on("2025-10-01"):
        serve(county_clerk, first, "policy", "2025-09-10")
    few = download_queries()
    with on("2025-09-02"):
        more = [register(county_clerk, seq, school) for seq in range(23, 33, 2)]
    with on("2025-10-02"):
        for graduate in more:
            serve(county_clerk, graduate, "guidance", "2025-09-11")
            serve(county_clerk, graduate, "job_referral", "2025-09-12")
    assert download_queries() == few


def test_the_menu_offers_the_feedback_to_universities_the_education_dept_and_the_bureau(
    client, university_clerk, education_clerk, province_admin, county_clerk
):
    for user, shown in ((university_clerk, True), (education_clerk, True), (province_admin, True),
                        (county_clerk, False)):  # fmt: skip
        client.force_login(user)
        assert ('href="/reporting/feedback/"' in client.get("/").content.decode()) is shown, user.username
