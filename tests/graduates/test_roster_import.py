"""The roster import end to end through its actions: check, preview counts, atomic commit, idempotence,
conflicts with hand edits, provenance, scope, and the command line."""

import datetime
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from core.models import Office
from graduates import actions as registry
from graduates.models import Graduate, GraduateChange, GraduateSource, RosterUpload
from graduates.roster import actions
from graduates.roster.export import invalid_rows_workbook
from tests.factories import make_id_number, wrong_check_digit
from tests.roster_files import SUMMARY_HEADER, roster_bytes, roster_row

ROOT = Path(__file__).resolve().parents[2]


def load(user, rows, *, source="university", cohort=2026, commit=True, **kwargs):
    upload = actions.create_upload(
        content=roster_bytes(rows, **kwargs),
        filename="名单.xlsx",
        source=source,
        cohort=cohort,
        acting_user=user,
    )
    upload = actions.check_upload(upload)
    assert upload.status == RosterUpload.Status.CHECKED, upload.message
    if commit:
        upload = actions.commit_upload(upload=upload, acting_user=user)
    return upload


def test_a_university_roster_lands_at_the_bureau_waiting_for_dispatch(university_clerk):
    upload = load(university_clerk, [roster_row(1), roster_row(2)])
    assert (upload.new, upload.updated, upload.unchanged, upload.invalid) == (2, 0, 0, 0)
    graduate = Graduate.objects.get(name="名单学生1")
    assert graduate.responsible_office.kind == "bureau"
    assert graduate.university == university_clerk.office
    assert graduate.sources == ["university"] and graduate.state == "waiting"
    assert graduate.service_needs == ["2", "3"] and graduate.graduation_date == datetime.date(2026, 6, 30)
    source = graduate.source_records.get()  # the registration, shown on the timeline
    assert (source.reference, source.created_by) == ("university:4163010743:2026", university_clerk)


def test_messy_file_is_understood(university_clerk):
    x_number = next(n for n in (make_id_number(seq=s) for s in range(1, 400)) if n.endswith("X"))
    header = ["身份证号", "姓名", "民族", "学校", "毕业时间", "学历层次", "专业", "生源地", "手机", "困难类型",
              "就业意向", "服务需求", "是否就业"]  # fmt: skip
    rows = [
        {"身份证号": " " + x_number[:-1] + "x ", "姓名": "张 三", "民族": "回族", "学校": "青海大学",
         "毕业时间": "2026/6/30", "学历层次": "本科", "专业": "法学", "生源地": "青海省西宁市城东区",
         "手机": "１３８００００００９９", "困难类型": "零就业家庭、残疾", "就业意向": "13", "服务需求": "1,2",
         "是否就业": "未就业"},
        {},  # an empty row
        {"身份证号": make_id_number(seq=203), "姓名": "李四", "民族": "汉", "学校": "青海大学",
         "毕业时间": datetime.date(2026, 7, 1), "学历层次": "专科", "专业": "护理", "生源地": "630202",
         "手机": "13800000098", "困难类型": "4", "就业意向": "9", "服务需求": "", "是否就业": "签约"},
    ]  # fmt: skip
    upload = load(
        university_clerk, rows, header=header, title_rows=["2026届毕业生名单", "填报单位：青海大学"]
    )
    assert (upload.new, upload.invalid) == (2, 0), upload.errors
    first = Graduate.objects.with_id_number(x_number).get()
    assert (first.name, first.ethnicity, first.education, first.origin_region_id) == (
        "张三",
        "03",
        "3",
        "630102",
    )
    assert first.mobile == "13800000099" and first.hardship == ["1", "3"] and first.intentions == ["1", "3"]
    second = Graduate.objects.get(name="李四")
    assert (second.education, second.school_status, second.state) == ("4", "signed", "employed")


def test_invalid_rows_name_row_column_and_reason_and_the_valid_rows_still_load(university_clerk):
    bad_digit = wrong_check_digit(make_id_number(seq=301))
    rows = [
        roster_row(1),
        roster_row(2, **{"公民身份号码": bad_digit}),
        roster_row(3, **{"学历": "大专生", "手机号码": "2380000"}),
        roster_row(4, **{"公民身份号码": 6.30102200304151e17}),
        roster_row(5, **{"就业意向": "9", "就业服务需求": "1"}),
    ]
    upload = load(university_clerk, rows, title_rows=["标题"], commit=False)
    assert (upload.new, upload.invalid) == (1, 4)
    errors = {(e["row"], e["column"]): e for e in upload.errors}
    assert "校验码错误" in errors[(4, "公民身份号码")]["message"]
    # The error keeps the number masked (encryption at rest: no ID number in clear in the upload's record).
    assert errors[(4, "公民身份号码")]["value"] == f"{bad_digit[:6]}********{bad_digit[-4:]}"
    assert "学历" in errors[(5, "学历")]["message"] and (5, "手机号码") in errors
    assert (
        "科学计数法" in errors[(6, "公民身份号码")]["message"]
        or "数字" in errors[(6, "公民身份号码")]["message"]
    )
    assert "不填写就业服务需求" in errors[(7, "就业服务需求")]["message"]
    actions.commit_upload(upload=upload, acting_user=university_clerk)
    assert Graduate.objects.count() == 1
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(invalid_rows_workbook(upload))).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][0] == "原行号" and table[0][-1] == "错误原因"
    assert [r[0] for r in table[1:]] == [4, 5, 6, 7]
    assert "校验码错误" in table[1][-1]


def test_the_same_file_twice_changes_nothing(university_clerk):
    rows = [roster_row(1), roster_row(2)]
    load(university_clerk, rows)
    before = (
        GraduateChange.objects.count(),
        GraduateSource.objects.count(),
        list(Graduate.objects.values("version")),
    )
    again = load(university_clerk, rows)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    after = (
        GraduateChange.objects.count(),
        GraduateSource.objects.count(),
        list(Graduate.objects.values("version")),
    )
    assert before == after


def test_a_corrected_file_updates_in_place_with_history(university_clerk):
    load(university_clerk, [roster_row(1)])
    upload = load(university_clerk, [roster_row(1, **{"所学专业": "软件工程", "手机号码": ""})])
    assert (upload.new, upload.updated) == (0, 1)
    graduate = Graduate.objects.get()
    assert graduate.major == "软件工程" and graduate.mobile == "13800000001"  # an empty cell erases nothing
    change = graduate.changes.filter(kind="updated").get()
    assert change.changes == {"major": ["计算机科学与技术", "软件工程"]}


def test_hand_edits_are_not_overwritten_and_the_conflict_is_shown(university_clerk, province_admin):
    load(university_clerk, [roster_row(1)])
    graduate = Graduate.objects.get()
    graduate.major = "经办核实的专业"
    registry.update_graduate(graduate=graduate, acting_user=province_admin, expected_version=1)
    upload = load(university_clerk, [roster_row(1, **{"所学专业": "名单里的专业", "邮编": "810001"})])
    assert (upload.updated, upload.conflicts) == (1, 1)
    assert upload.conflict_list == [
        {"row": 2, "graduate": graduate.pk, "column": "所学专业", "office_value": "经办核实的专业",
         "file_value": "名单里的专业"}
    ]  # fmt: skip
    graduate.refresh_from_db()
    assert (graduate.major, graduate.postcode) == ("经办核实的专业", "810001")


def test_a_graduate_in_several_sources_keeps_one_record_and_both_provenances(
    university_clerk, education_clerk
):
    load(university_clerk, [roster_row(1)])
    upload = load(education_clerk, [roster_row(1)], source="education")
    assert (upload.new, upload.updated) == (0, 1)
    graduate = Graduate.objects.get()
    assert graduate.sources == ["education", "university"]
    assert set(graduate.source_records.values_list("channel", flat=True)) == {"university", "education"}


def test_a_failure_in_the_middle_of_the_commit_leaves_nothing(university_clerk, county_clerk):
    load(university_clerk, [roster_row(1)])
    upload = load(
        university_clerk,
        [roster_row(1, **{"所学专业": "新专业"}), roster_row(2), roster_row(3)],
        commit=False,
    )
    assert (upload.new, upload.updated) == (2, 1)
    # Between the check and the commit an office registers row 3's graduate: the commit's INSERT meets the
    # unique constraint; the commit is rolled back whole and asks for a new check (row 3 is then an update).
    from tests.factories import unsaved_graduate

    registry.create_graduate(
        graduate=unsaved_graduate(id_number=roster_row(3)["公民身份号码"], name="窗口登记"),
        acting_user=county_clerk,
    )
    counts = (Graduate.objects.count(), GraduateChange.objects.count(), GraduateSource.objects.count())
    with pytest.raises(actions.StaleCheck):
        actions.commit_upload(upload=upload, acting_user=university_clerk)
    assert (
        Graduate.objects.count(),
        GraduateChange.objects.count(),
        GraduateSource.objects.count(),
    ) == counts
    assert Graduate.objects.get(name="名单学生1").major == "计算机科学与技术"
    assert RosterUpload.objects.get(pk=upload.pk).status == RosterUpload.Status.CHECKED
    again = actions.check_upload(RosterUpload.objects.get(pk=upload.pk))
    assert (again.new, again.updated) == (1, 2)


def test_a_record_changed_after_the_check_stops_the_commit(university_clerk, province_admin):
    load(university_clerk, [roster_row(1)])
    upload = load(university_clerk, [roster_row(1, **{"邮编": "810099"})], commit=False)
    graduate = Graduate.objects.get()
    graduate.major = "改了"
    registry.update_graduate(graduate=graduate, acting_user=province_admin, expected_version=1)
    with pytest.raises(actions.StaleCheck):
        actions.commit_upload(upload=upload, acting_user=university_clerk)
    assert Graduate.objects.get().postcode == "810000"


def test_a_university_cannot_see_another_universitys_upload(client, university_clerk, demo_province):
    upload = load(university_clerk, [roster_row(1)], commit=False)
    other = Office.objects.get(name="青海师范大学")
    from tests.factories import UserFactory

    other_clerk = UserFactory(role="university_staff", office=other)
    client.force_login(other_clerk)
    assert client.get(reverse("roster:detail", args=[upload.pk])).status_code == 404
    assert upload.filename not in client.get(reverse("roster:list")).content.decode()
    client.force_login(university_clerk)
    assert client.get(reverse("roster:detail", args=[upload.pk])).status_code == 200


def test_education_dept_sees_which_universities_have_loaded(client, university_clerk, education_clerk):
    load(university_clerk, [roster_row(1)])
    client.force_login(education_clerk)
    response = client.get(reverse("roster:universities"), {"cohort": 2026})
    rows = {r["university"].name: r for r in response.context["rows"]}
    assert rows["青海大学"]["committed"] is not None
    assert rows["青海师范大学"]["committed"] is None
    assert "兰州大学" not in rows
    assert response.context["due"] == datetime.date(2026, 6, 15)


@pytest.mark.parametrize("bad", ["not a spreadsheet", b"\xd0\xcf\x11\xe0" + b"\0" * 600])
def test_an_unreadable_file_is_refused_whole(university_clerk, bad):
    upload = actions.create_upload(
        content=bad.encode() if isinstance(bad, str) else bad,
        filename="x.xlsx",
        source="university",
        cohort=2026,
        acting_user=university_clerk,
    )
    upload = actions.check_upload(upload)
    assert upload.status == RosterUpload.Status.REFUSED and upload.message
    assert Graduate.objects.count() == 0


def run_command(*args, tmp_path, rows=None, content=None):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(content if content is not None else roster_bytes(rows))
    db = connection.settings_dict
    env = {
        **__import__("os").environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "import_roster", str(path), *args],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_command_exit_codes_and_json(demo_province, tmp_path):
    args = ["--source", "university", "--university", "4163010743", "--cohort", "2026", "--json"]
    ok = run_command(*args, tmp_path=tmp_path, rows=[roster_row(1), roster_row(2)])
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {
        "rows": 2,
        "new": 2,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
        "errors": [],
    }
    bad = run_command(*args, tmp_path=tmp_path, rows=[roster_row(1), roster_row(3, **{"学历": "9"})])
    assert bad.returncode == 1
    result = json.loads(bad.stdout)
    assert (result["rows"], result["unchanged"], result["invalid"]) == (2, 1, 1)
    assert result["errors"] == [
        {"row": 3, "column": "学历", "value": "9", "message": result["errors"][0]["message"]}
    ]
    assert "学历" in result["errors"][0]["message"]
    dry = run_command(*args, "--dry-run", tmp_path=tmp_path, rows=[roster_row(5)])
    assert dry.returncode == 0 and json.loads(dry.stdout)["new"] == 1
    assert not Graduate.objects.filter(name="名单学生5").exists()
    unreadable = run_command(*args, tmp_path=tmp_path, content=b"plain text")
    assert unreadable.returncode == 2 and json.loads(unreadable.stdout)["errors"][0]["message"]


def test_summary_header_is_the_annex_2_column_list():
    assert SUMMARY_HEADER[1:19] == [
        "姓名", "性别", "民族", "公民身份号码", "毕业院校", "毕业日期", "学历", "所学专业", "入学前户口所在地", "电子邮箱",
        "邮编", "手机号码", "固定电话", "困难状况", "就业地意向", "就业意向", "就业服务需求", "就业去向（回访结果）",
    ]  # fmt: skip


def test_a_checked_upload_waits_on_the_uploaders_home_page(client, university_clerk):
    load(university_clerk, [roster_row(1)], commit=False)
    client.force_login(university_clerk)
    waiting = {item["label"]: item["count"] for item in client.get(reverse("home")).context["waiting"]}
    assert waiting["待确认的名单"] == 1


def test_the_django_admin_imports_through_the_same_engine(client, province_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(province_admin)
    url = reverse("admin:graduates_import_roster")
    assert client.get(url).status_code == 200
    bad = roster_row(2, **{"学历": "博士后"})
    upload_file = SimpleUploadedFile("教育厅名单.xlsx", roster_bytes([roster_row(1), bad]))
    response = client.post(url, {"file": upload_file, "source": "education", "cohort": 2026})
    upload = RosterUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("roster:detail", args=[upload.pk])
    assert (upload.status, upload.new, upload.invalid) == ("checked", 1, 1)  # the same checks as the page
    assert upload.errors[0]["row"] == 3 and upload.errors[0]["column"] == "学历"
    page = client.get(reverse("admin:graduates_rosterupload_changelist")).content.decode()
    assert "教育厅名单.xlsx" in page and "导入名单" in page
