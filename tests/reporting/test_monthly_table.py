"""The monthly 汇总表 (seed 001 annex 2): what an office downloads and what the bureau receives."""

import datetime
import hashlib
import io
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from core.models import Region
from graduates import actions as graduate_actions
from reporting import actions, selectors
from reporting.models import MonthlySnapshot
from tests.factories import make_id_number, unsaved_graduate

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
HEADER = [
    "序号", "姓名", "性别", "民族", "公民身份号码", "毕业院校", "毕业日期", "学历", "所学专业", "入学前户口所在地",
    "电子邮箱", "邮编", "手机号码", "固定电话", "困难状况", "就业地意向", "就业意向", "就业服务需求",
    "就业去向（回访结果）",
]  # fmt: skip


def on(day: str, hour: int = 10):
    return time_machine.travel(
        datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI), tick=False
    )


def register(user, seq: int, **overrides):
    values = {
        "id_number": make_id_number(seq=seq),
        "cohort": 2025,
        "graduation_date": datetime.date(2025, 6, 30),
    }
    values.update(overrides)
    return graduate_actions.create_graduate(graduate=unsaved_graduate(**values), acting_user=user)


def sheet_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def data_rows(content: bytes) -> list[list]:
    rows = sheet_rows(content)
    body = []
    for row in rows[3:]:
        if not row or row[0] is None:
            break
        body.append(row)
    return body


def generate(month: str, *, office=None, user=None, cohort=2025) -> MonthlySnapshot:
    return actions.generate_monthly_snapshot(
        cohort=cohort, month=datetime.date.fromisoformat(f"{month}-01"), office=office, user=user
    )


@pytest.fixture
def county_office(county_clerk):
    return county_clerk.office


def test_title_header_block_and_the_annex_columns(county_clerk, county_office):
    with on("2025-09-10"):
        register(county_clerk, 11)
    with on("2025-10-02"):
        snapshot = generate("2025-09", office=county_office, user=county_clerk)
    rows = sheet_rows(bytes(snapshot.content))
    assert rows[0][0] == "2025届离校未就业高校毕业生信息汇总表"
    header = [cell for cell in rows[1] if cell]
    assert [cell.split("：")[0] for cell in header] == [
        "填报省份",
        "填报单位",
        "填报时间",
        "填报人",
        "联系电话",
    ]
    assert header[0] == "填报省份：青海省"
    assert header[1] == f"填报单位：{county_office.name}"
    assert header[2] == "填报时间：2025年10月2日"
    assert header[3] == f"填报人：{county_clerk.full_name}"
    assert rows[2] == HEADER
    assert snapshot.row_count == 1
    footer = [row[0] for row in rows if row and row[0] and "生成" in str(row[0])]
    assert footer and county_clerk.full_name in footer[0] and "2025-10-02" in footer[0]


def test_cells_as_the_fill_in_notes_say(county_clerk, county_office):
    with on("2025-09-10"):
        register(
            county_clerk,
            13,
            gender="",
            hardship=["T", "1", "3"],
            intentions=["3", "1"],
            service_needs=["A", "1", "9"],
            graduation_date=datetime.date(2025, 6, 30),
        )
    with on("2025-10-02"):
        snapshot = generate("2025-09", office=county_office, user=county_clerk)
    (row,) = data_rows(bytes(snapshot.content))
    values = dict(zip(HEADER, row, strict=True))
    assert values["序号"] == "1"
    assert values["性别"] == "男"
    assert values["民族"] == "汉族"
    assert values["公民身份号码"] == make_id_number(seq=13)
    assert isinstance(values["公民身份号码"], str)
    assert values["毕业日期"] == "20250630"
    assert values["入学前户口所在地"] == "630102"
    assert values["困难状况"] == "123"  # 特困 (T) is reported as 2, merged with the 2 that is not there
    assert values["就业意向"] == "13"
    assert values["就业服务需求"] == "19A"
    assert values["学历"] == "3"


def test_employed_stay_in_the_table_and_destination_as_of_the_month_end(county_clerk, county_office):
    with on("2025-09-10"):
        employed = register(county_clerk, 15)
        studying = register(county_clerk, 17)
    with on("2025-10-15"):
        graduate_actions.record_visit(
            graduate=employed, acting_user=county_clerk, visited_on=datetime.date(2025, 10, 15),
            method="phone", destination="4",
        )  # fmt: skip
        graduate_actions.record_visit(
            graduate=studying, acting_user=county_clerk, visited_on=datetime.date(2025, 10, 15),
            method="phone", destination="13",
        )  # fmt: skip
    with on("2025-11-20"):
        registered_late = register(county_clerk, 19)
        september = generate("2025-09", office=county_office, user=county_clerk)
        october = generate("2025-10", office=county_office, user=county_clerk)
        november = generate("2025-11", office=county_office, user=county_clerk)
    by_id = {row[4]: row[18] or "" for row in data_rows(bytes(september.content))}
    assert by_id == {employed.id_number: "", studying.id_number: ""}
    by_id = {row[4]: row[18] or "" for row in data_rows(bytes(october.content))}
    assert by_id == {employed.id_number: "4", studying.id_number: "13"}
    assert november.row_count == 3 and registered_late.id_number in {
        row[4] for row in data_rows(bytes(november.content))
    }
    assert november.as_of == datetime.date(2025, 11, 20)  # the month in progress: today
    assert october.as_of == datetime.date(2025, 10, 31)


def test_a_month_outside_the_reporting_year_is_refused(county_clerk, county_office):
    with on("2026-08-10"):
        for month in ("2025-07", "2026-07", "2026-08"):
            with pytest.raises(selectors.ReportingWindowError, match="报送期"):
                generate(month, office=county_office, user=county_clerk)
        generate("2026-06", office=county_office, user=county_clerk)
    assert selectors.cohort_for_month(datetime.date(2026, 3, 1)) == 2025
    assert selectors.cohort_for_month(datetime.date(2025, 8, 1)) == 2025
    assert selectors.due_date(datetime.date(2025, 8, 1)) == datetime.date(2025, 9, 5)


def test_snapshots_are_immutable_and_regenerating_makes_a_new_version(county_clerk, county_office):
    with on("2025-10-02"):
        first = generate("2025-09", office=county_office, user=county_clerk)
        second = generate("2025-09", office=county_office, user=county_clerk)
        province = generate("2025-09", office=None, user=None)
        province_again = generate("2025-09", office=None, user=None)
    assert (first.version, second.version) == (1, 2)
    assert (province.version, province_again.version) == (1, 2)
    first.row_count = 99
    with pytest.raises(ValidationError):
        first.save()
    assert MonthlySnapshot.objects.get(pk=first.pk).row_count == 0


def test_formula_like_text_is_neutralised(county_clerk, county_office):
    with on("2025-09-10"):
        register(county_clerk, 21, name="=HYPERLINK(1)", major="+专业", university_name="@大学")
    with on("2025-10-02"):
        snapshot = generate("2025-09", office=county_office, user=county_clerk)
    (row,) = data_rows(bytes(snapshot.content))
    assert row[1] == "'=HYPERLINK(1)"
    assert row[5] == "'@大学"
    assert row[8] == "'+专业"


def test_an_office_reports_its_subtree_only(county_clerk, prefecture_clerk, other_prefecture_clerk):
    with on("2025-09-10"):
        ours = register(county_clerk, 23)
        theirs = register(
            other_prefecture_clerk, 25, origin_region=Region.objects.get(code="630202"),
            id_number=make_id_number(region="630202", seq=25),
        )  # fmt: skip
    with on("2025-10-02"):
        xining = generate("2025-09", office=prefecture_clerk.office, user=prefecture_clerk)
        province = generate("2025-09", office=None, user=None)
        with pytest.raises(Exception, match="无权"):
            generate("2025-09", office=prefecture_clerk.office, user=other_prefecture_clerk)
    assert [row[4] for row in data_rows(bytes(xining.content))] == [ours.id_number]
    assert {row[4] for row in data_rows(bytes(province.content))} == {ours.id_number, theirs.id_number}


def test_the_command_prints_json_and_stores_a_snapshot(county_clerk, tmp_path, capsys):
    with on("2025-09-10"):
        register(county_clerk, 27)
    out = tmp_path / "table.xlsx"
    with on("2025-10-02"):
        call_command(
            "export_monthly_report", "--month", "2025-09", "--office", "630102", "--out", str(out), "--json"
        )
    printed = json.loads(capsys.readouterr().out)
    snapshot = MonthlySnapshot.objects.get(pk=printed["snapshot"])
    assert list(printed) == ["rows", "sha256", "path", "snapshot"]
    assert printed["rows"] == 1 == snapshot.row_count
    assert printed["sha256"] == snapshot.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert printed["path"] == str(out)
    assert out.read_bytes() == bytes(snapshot.content)
    assert snapshot.cohort == 2025 and snapshot.office.region_id == "630102"


@pytest.mark.parametrize(
    "args",
    [
        ["--month", "2025-07"],
        ["--month", "2025-09", "--cohort", "2023"],
        ["--month", "2025-09", "--office", "639999"],
    ],
)
def test_the_command_exits_2_outside_the_window_or_for_an_unknown_office(demo_province, tmp_path, args):
    out = tmp_path / "table.xlsx"
    with on("2025-10-02"), pytest.raises(SystemExit) as exit_info:
        call_command("export_monthly_report", *args, "--out", str(out))
    assert exit_info.value.code == 2
    assert not out.exists()
    assert not MonthlySnapshot.objects.exists()


def test_the_table_costs_the_same_queries_for_one_row_or_many(county_clerk, county_office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(month: str) -> tuple[int, int]:
        user = type(county_clerk).objects.get(pk=county_clerk.pk)  # a fresh request's user: scope not cached
        with on(f"{month}-28"), CaptureQueriesContext(connection) as captured:
            snapshot = generate(month, office=county_office, user=user)
        return snapshot.row_count, len(captured)

    with on("2025-09-10"):
        register(county_clerk, 41)
    one = queries_for("2025-09")
    with on("2025-10-10"):
        for seq in range(43, 53, 2):
            register(county_clerk, seq)
    many = queries_for("2025-10")
    assert (one[0], many[0]) == (1, 6)
    assert one[1] == many[1]
