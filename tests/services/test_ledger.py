"""The office's ledger (台账) from a spreadsheet: `import_services` and the upload page share `services.ledger`."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from core.models import AuditEvent
from services.models import ServiceEntry
from tests.factories import make_id_number

HEADER = ["公民身份号码", "姓名", "服务类型", "服务日期", "服务内容", "经办人", "岗位编号"]


def ledger_bytes(rows, *, header=HEADER, title_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(graduate, **overrides):
    values = {
        "公民身份号码": graduate.id_number,
        "姓名": graduate.name,
        "服务类型": "岗位推荐",
        "服务日期": "2026-07-01",
        "服务内容": "推荐会计岗位",
        "经办人": "演示·城东区经办员",
        "岗位编号": "GW-001",
    }
    values.update(overrides)
    return values


def run(tmp_path, content, *args, office="630102"):
    """The command in-process: (exit code, stdout)."""
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(content)
    out = io.StringIO()
    code = 0
    try:
        call_command(
            "import_services", str(path), "--office", office, *args, stdout=out, stderr=io.StringIO()
        )
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


@pytest.fixture
def graduates(county_clerk, register):
    return [register(county_clerk, seq=seq) for seq in (1, 3, 5)]


def test_ledger_rows_are_logged_and_the_same_file_twice_logs_nothing(tmp_path, graduates, county_clerk):
    rows = [
        row(graduates[0]),
        row(graduates[1], 服务类型="招聘会", 服务日期="2026/7/2", 经办人="外聘人员"),
        row(graduates[2], 服务类型="就业援助", 服务日期="20260703", 服务内容=""),
    ]
    content = ledger_bytes(rows, title_rows=["城东区2026年7月就业服务台账"])
    code, out = run(tmp_path, content, "--json")
    assert code == 0
    assert json.loads(out) == {"rows": 3, "logged": 3, "duplicates": 0, "invalid": 0, "errors": []}
    entries = {e.graduate_id: e for e in ServiceEntry.objects.all()}
    first = entries[graduates[0].pk]
    assert (first.service_type, first.date, first.office, first.origin) == (
        "job_referral",
        datetime.date(2026, 7, 1),
        county_clerk.office,
        "ledger",
    )
    assert first.staff == county_clerk  # 经办人 named as a user of the office
    assert first.posting_ref == "GW-001"
    second = entries[graduates[1].pk]
    assert (second.service_type, second.staff, second.staff_name) == ("recruitment", None, "外聘人员")
    assert entries[graduates[2].pk].service_type == "one_on_one"
    assert AuditEvent.objects.filter(action="services.logged").count() == 3
    assert AuditEvent.objects.filter(action="services.ledger_imported").count() == 1

    code, out = run(tmp_path, content, "--json")
    assert code == 0
    assert json.loads(out) == {"rows": 3, "logged": 0, "duplicates": 3, "invalid": 0, "errors": []}
    assert ServiceEntry.objects.count() == 3


def test_a_row_repeated_inside_the_file_is_a_duplicate_and_other_content_is_not(tmp_path, graduates):
    rows = [row(graduates[0]), row(graduates[0]), row(graduates[0], 服务内容="推荐出纳岗位")]
    code, out = run(tmp_path, ledger_bytes(rows), "--json")
    assert (code, json.loads(out)["logged"], json.loads(out)["duplicates"]) == (0, 2, 1)


def test_messy_ledger_headers_in_any_order_full_width_digits_and_lower_case_x(
    tmp_path, county_clerk, register
):
    number = next(make_id_number(seq=s) for s in range(1, 999, 2) if make_id_number(seq=s).endswith("X"))
    graduate = register(county_clerk, id_number=number)
    header = ["服务日期", "序号", "身份证号", "服务类型", "备注"]
    rows = [
        {"服务日期": "２０２６年７月１日", "序号": 1, "身份证号": number.lower(), "服务类型": " 职业介绍 "}
    ]
    code, out = run(tmp_path, ledger_bytes(rows, header=header), "--json")
    assert (code, json.loads(out)["logged"]) == (0, 1), out
    assert ServiceEntry.objects.get().graduate == graduate


def test_invalid_rows_name_row_column_value_and_reason_and_valid_ones_are_logged(
    tmp_path, graduates, haidong_graduate
):
    future = "2099-01-01"
    rows = [
        row(graduates[0]),  # row 2: valid
        row(graduates[1], 服务日期=future),  # row 3
        row(graduates[2], 服务类型="外出旅游"),  # row 4
        row(graduates[0], 姓名="别人"),  # row 5
        row(haidong_graduate),  # row 6: another prefecture's graduate
        row(graduates[0], 公民身份号码=make_id_number(seq=777)),  # row 7: registered nowhere
        row(graduates[0], 公民身份号码=graduates[0].id_number[:-1] + "0"),  # row 8: bad check digit
        row(graduates[1], 服务日期=""),  # row 9
    ]
    code, out = run(tmp_path, ledger_bytes(rows), "--json")
    assert code == 1
    result = json.loads(out)
    assert (result["rows"], result["logged"], result["invalid"]) == (8, 1, 7)
    errors = {(e["row"], e["column"]): e for e in result["errors"]}
    assert set(errors) == {
        (3, "服务日期"),
        (4, "服务类型"),
        (5, "姓名"),
        (6, "公民身份号码"),
        (7, "公民身份号码"),
        (8, "公民身份号码"),
        (9, "服务日期"),
    }
    assert errors[(3, "服务日期")]["value"] == future and "晚于今天" in errors[(3, "服务日期")]["message"]
    assert errors[(4, "服务类型")]["value"] == "外出旅游"
    # Another office's graduate and an unregistered number read the same: nothing is revealed.
    assert errors[(6, "公民身份号码")]["message"] == errors[(7, "公民身份号码")]["message"]
    assert "校验码" in errors[(8, "公民身份号码")]["message"]
    assert ServiceEntry.objects.count() == 1


def test_dry_run_logs_nothing_and_says_what_would_be_logged(tmp_path, graduates):
    code, out = run(tmp_path, ledger_bytes([row(g) for g in graduates]), "--dry-run", "--json")
    assert (code, json.loads(out)["logged"]) == (0, 3)
    assert ServiceEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="services.").exists()


def test_unreadable_files_exit_2_with_the_json_shape(tmp_path, graduates):
    code, out = run(tmp_path, b"not a spreadsheet", "--json")
    assert code == 2
    result = json.loads(out)
    assert list(result) == ["rows", "logged", "duplicates", "invalid", "errors"]
    assert result["errors"][0]["row"] == 0 and "xlsx" in result["errors"][0]["message"]
    code, out = run(tmp_path, ledger_bytes([{"姓名": "某人"}], header=["姓名", "服务内容"]), "--json")
    assert code == 2
    code, out = run(
        tmp_path, ledger_bytes([row(graduates[0])], header=["公民身份号码", "服务日期"]), "--json"
    )
    assert code == 2 and "服务类型" in json.loads(out)["errors"][0]["message"]


def test_plain_output_and_an_office_outside_the_users_scope(tmp_path, graduates):
    code, out = run(tmp_path, ledger_bytes([row(graduates[0])]))
    assert code == 0 and "已记录 1" in out
    code, out = run(tmp_path, ledger_bytes([row(graduates[1])]), "--user", "haidong", "--json")
    assert code == 2 and "不能为该机构导入台账" in json.loads(out)["errors"][0]["message"]


def test_graduates_outside_the_named_office_are_not_logged_even_for_the_bureau(tmp_path, graduates):
    """The bureau loads 海东's ledger: 城东区's graduates are not 海东's to serve."""
    code, out = run(tmp_path, ledger_bytes([row(graduates[0])]), "--json", office="630200")
    assert code == 1 and json.loads(out)["errors"][0]["column"] == "公民身份号码"


def test_upload_page_shows_the_same_report(client, county_clerk, graduates):
    client.force_login(county_clerk)
    page = client.get(reverse("services:ledger"))
    assert page.status_code == 200
    content = ledger_bytes([row(graduates[0]), row(graduates[1], 服务类型="外出旅游")])
    upload = io.BytesIO(content)
    upload.name = "台账.xlsx"
    response = client.post(reverse("services:ledger"), {"file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "已记录 <strong>1</strong>" in text
    assert "第 3 行" in text and "服务类型" in text and "外出旅游" in text and "不是可识别的服务类型" in text
    assert ServiceEntry.objects.count() == 1
    upload = io.BytesIO(content)
    upload.name = "台账.xlsx"
    text = client.post(reverse("services:ledger"), {"file": upload}).content.decode()
    assert "重复 <strong>1</strong>" in text
    assert ServiceEntry.objects.count() == 1


def test_upload_page_refuses_a_hostile_file_in_chinese(client, county_clerk):
    client.force_login(county_clerk)
    upload = io.BytesIO(b"PK\x03\x04 not really a zip")
    upload.name = "台账.xlsx"
    response = client.post(reverse("services:ledger"), {"file": upload})
    assert response.status_code == 400
    assert "xlsx" in response.content.decode()


def test_upload_page_is_for_employment_offices_only(client, university_clerk):
    client.force_login(university_clerk)
    assert client.get(reverse("services:ledger")).status_code == 403
