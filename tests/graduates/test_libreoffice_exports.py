"""The registry's spreadsheets open in LibreOffice (a real headless soffice converting each sheet to CSV) with the
cells openpyxl reads back: the roster template (its list and its instructions), a roster's invalid rows and the
Django admin's export of the registry. ID numbers stay whole, codes keep their leading zeros, formula-like text
stays text."""

import datetime

from django.urls import reverse

from graduates import actions as registry
from tests.factories import make_id_number, unsaved_graduate, wrong_check_digit
from tests.graduates.test_admin import export_field_params, two_graduates  # noqa: F401 - fixture
from tests.graduates.test_roster_import import load
from tests.libreoffice import assert_same_cells, assert_same_cells_in_every_sheet
from tests.roster_files import SUMMARY_HEADER, roster_row


def test_libreoffice_reads_the_roster_template_and_its_instructions(client, university_clerk, tmp_path):
    client.force_login(university_clerk)
    response = client.get(reverse("roster:template"))
    assert response.status_code == 200
    source = tmp_path / "template.xlsx"
    source.write_bytes(response.content)
    sheets = assert_same_cells_in_every_sheet(source)
    assert list(sheets) == ["名单", "填写说明", "代码表"]
    roster = sheets["名单"]
    assert roster[0][: len(SUMMARY_HEADER)] == SUMMARY_HEADER
    instructions = sheets["填写说明"]
    assert "填写说明" in instructions[0][0]
    assert any("公民身份号码" in cell for row in instructions for cell in row)


def test_libreoffice_reads_the_invalid_rows_of_a_roster(client, university_clerk, tmp_path):
    x_number = next(n for n in (make_id_number(seq=s) for s in range(1, 400)) if n.endswith("X"))
    rows = [
        roster_row(1),
        roster_row(2, **{"公民身份号码": wrong_check_digit(make_id_number(seq=301))}),
        roster_row(3, **{"姓名": "-张三", "学历": "大专生", "邮编": "010010"}),
        roster_row(4, **{"公民身份号码": 6.30102200304151e17}),
        roster_row(5, **{"公民身份号码": x_number, "毕业日期": datetime.date(2026, 7, 1), "就业意向": "9",
                         "就业服务需求": "1"}),
    ]  # fmt: skip
    upload = load(university_clerk, rows, commit=False)
    assert upload.invalid == 4
    client.force_login(university_clerk)
    response = client.get(reverse("roster:invalid_rows", args=[upload.pk]))
    assert response.status_code == 200, response.content[:300]
    source = tmp_path / "invalid.xlsx"
    source.write_bytes(response.content)
    table = assert_same_cells(source)
    header = table[0]
    assert header[0] == "原行号" and header[-1] == "错误原因"
    by_row = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert set(by_row) == {"3", "4", "5", "6"}
    assert by_row["4"]["姓名"] == "'-张三" and by_row["4"]["邮编"] == "010010"
    assert by_row["6"]["公民身份号码"] == x_number  # all 18 digits and the X, not 6.3E+17
    assert "校验码错误" in by_row["3"]["错误原因"]


def test_libreoffice_reads_the_admin_export_of_the_registry(
    client,
    province_admin,
    county_clerk,
    two_graduates,  # noqa: F811 - the fixture
    tmp_path,
):
    registry.create_graduate(
        graduate=unsaved_graduate(
            name="邮编生", id_number=make_id_number(seq=555), postcode="010010", landline="0971-8123456"
        ),
        acting_user=county_clerk,
    )
    client.force_login(province_admin)
    response = client.post(
        reverse("admin:graduates_graduate_export"), {"format": "0", "resource": "0", **export_field_params()}
    )
    assert response.status_code == 200, response.content[:300]
    source = tmp_path / "export.xlsx"
    source.write_bytes(response.content)
    table = assert_same_cells(source)
    header = table[0]
    rows = {row[header.index("公民身份号码")]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert set(rows) == {two_graduates[0].id_number, two_graduates[1].id_number, make_id_number(seq=555)}
    postcode = rows[make_id_number(seq=555)]
    assert postcode["邮编"] == "010010" and postcode["固定电话"] == "0971-8123456"
    assert postcode["入学前户口所在地"] == "630102" and postcode["毕业日期"] == "20260630"
    assert not rows[two_graduates[1].id_number]["姓名"].startswith("=")
