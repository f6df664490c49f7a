"""graduates/roster/template.py: the template to download, and that what it invites people to type reads back."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from graduates import checks
from graduates.codes import (
    Destination,
    EducationLevel,
    Ethnicity,
    Gender,
    Hardship,
    Intention,
    LocationIntention,
    ServiceNeed,
)
from graduates.roster import parse
from graduates.roster.reader import open_roster
from graduates.roster.template import STATUS_CHOICES, build_template, choice_entries
from tests.factories import make_id_number

SUMMARY_COLUMNS = [
    "序号", "姓名", "性别", "民族", "公民身份号码", "毕业院校", "毕业日期", "学历", "所学专业", "入学前户口所在地",
    "电子邮箱", "邮编", "手机号码", "固定电话", "困难状况", "就业地意向", "就业意向", "就业服务需求",
    "就业去向（回访结果）", "就业状态",
]  # fmt: skip


@pytest.fixture(scope="module")
def template() -> bytes:
    return build_template(cohort=2026)


def test_sheets_and_header(template):
    workbook = load_workbook(io.BytesIO(template))
    assert workbook.sheetnames == ["名单", "填写说明", "代码表"]
    assert [sheet.sheet_state for sheet in workbook] == ["visible", "visible", "hidden"]
    roster = workbook["名单"]
    assert [cell.value for cell in roster[1]] == SUMMARY_COLUMNS
    assert roster.max_row == 1
    assert roster.freeze_panes == "C2"
    assert roster.column_dimensions["E"].width >= 20


def test_numbers_are_kept_as_text(template):
    roster = load_workbook(io.BytesIO(template))["名单"]
    text_columns = {"E": "公民身份号码", "G": "毕业日期", "J": "入学前户口所在地", "L": "邮编", "M": "手机号码",
                    "N": "固定电话", "O": "困难状况", "Q": "就业意向", "R": "就业服务需求"}  # fmt: skip
    for letter, header in text_columns.items():
        assert roster[f"{letter}1"].value == header
        assert roster.column_dimensions[letter].number_format == "@", header
    assert roster.column_dimensions["B"].number_format == "General"


def test_drop_down_lists_for_single_code_columns(template):
    workbook = load_workbook(io.BytesIO(template))
    roster, codes = workbook["名单"], workbook["代码表"]
    lists = {}
    for validation in roster.data_validations.dataValidation:
        if validation.type == "list":
            column = str(validation.sqref).split(":")[0].rstrip("0123456789")
            sheet, cells = validation.formula1.split("!")
            assert sheet == "'代码表'"
            first, last = cells.replace("$", "").split(":")
            lists[roster[f"{column}1"].value] = [cell.value for (cell,) in codes[f"{first}:{last}"]]
    assert lists == {
        "性别": ["男", "女"],
        "民族": choice_entries(Ethnicity),
        "学历": ["1.博士研究生", "2.硕士研究生", "3.大学本科", "4.大学专科", "5.其他"],
        "就业地意向": ["1.准备到外地就业", "2.准备在本地就业", "3.不确定"],
        "就业去向（回访结果）": choice_entries(Destination),
        "就业状态": ["签约", "未就业"],
    }
    assert lists["民族"][0] == "01.汉族"
    assert lists["就业去向（回访结果）"][-1] == "15.其他"
    prompts = {
        roster[str(v.sqref).split(":")[0].rstrip("0123456789") + "1"].value: v.prompt
        for v in roster.data_validations.dataValidation
        if v.type is None
    }
    assert set(prompts) == {"困难状况", "就业意向", "就业服务需求"}
    assert "如 13" in prompts["困难状况"]


def test_every_drop_down_entry_is_accepted_by_the_parser():
    for choices in (Gender, Ethnicity, EducationLevel, LocationIntention, Destination):
        for entry, code in zip(choice_entries(choices), choices.values, strict=True):
            assert parse.code(entry, choices) == code
    for choices in (Hardship, Intention, ServiceNeed):
        for entry, code in zip(choice_entries(choices), choices.values, strict=True):
            assert parse.codes(entry, choices) == [code]
    assert [parse.employment_status(entry) for entry in STATUS_CHOICES] == ["signed", "unemployed"]


def test_instructions(template):
    sheet = load_workbook(io.BytesIO(template))["填写说明"]
    text = "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None)
    assert "2026届离校未就业高校毕业生名单 填写说明" in text
    assert "6月15日" in text
    assert "YYYYMMDD，如 20260630" in text
    assert "13、123456789A" in text
    assert "“文本”格式" in text
    assert "6.30102E+17" in text
    for header in SUMMARY_COLUMNS:
        assert header in text
    assert "1.零就业家庭" in text
    assert "9.自愿暂时不就业" in text
    assert "T.脱贫家庭" in text


def test_template_without_cohort():
    sheet = load_workbook(io.BytesIO(build_template()))["填写说明"]
    assert sheet["A1"].value == "离校未就业高校毕业生名单 填写说明"


@pytest.mark.django_db
def test_filled_template_reads_back_without_errors(template, tmp_path, regions):
    """Fill the template as a university would (drop-down entries, codes, labels) and read it back."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["名单"]
    ethnicities = choice_entries(Ethnicity)
    destinations = choice_entries(Destination)
    educations = choice_entries(EducationLevel)
    locations = choice_entries(LocationIntention)
    expected = []
    for number in range(1, 61):
        id_number = make_id_number(seq=number * 2 + 1 if number % 2 else number * 2)
        gender = "男" if number % 2 else "女"
        row = [
            number,
            f"学生{number}",
            gender,
            ethnicities[number % len(ethnicities)],
            id_number.lower() if number == 7 else id_number,
            "青海大学",
            "20260630" if number % 3 else "2026-06-30",
            educations[number % len(educations)],
            "计算机科学与技术",
            "630102" if number % 2 else "青海省西宁市城东区",
            f"s{number}@example.com",
            "810000",
            f"138{number:08d}",
            "0971-8123456",
            "13" if number % 2 else "4",
            locations[number % len(locations)],
            "123456789A" if number == 1 else "3",
            "" if number == 1 else "12",
            destinations[number % len(destinations)] if number % 4 == 0 else None,
            STATUS_CHOICES[number % 2],
        ]
        sheet.append(row)
        expected.append((number + 1, id_number))
    path = tmp_path / "filled.xlsx"
    workbook.save(path)

    roster = open_roster(path)
    assert roster.header_row == 1
    assert roster.ignored_columns == []
    assert len(roster.columns) == 19  # every column but 序号
    index = parse.RegionIndex.load()
    parsers = {
        "name": parse.text,
        "gender": lambda v: parse.code(v, Gender),
        "ethnicity": lambda v: parse.code(v, Ethnicity),
        "id_number": parse.id_number,
        "university_name": parse.text,
        "graduation_date": parse.date,
        "education": lambda v: parse.code(v, EducationLevel),
        "major": parse.text,
        "origin_region": index.resolve,
        "email": parse.text,
        "postcode": parse.text,
        "mobile": parse.phone,
        "landline": parse.text,
        "hardship": lambda v: parse.codes(v, Hardship),
        "location_intention": lambda v: parse.code(v, LocationIntention),
        "intentions": lambda v: parse.codes(v, Intention),
        "service_needs": lambda v: parse.codes(v, ServiceNeed),
        "destination": lambda v: parse.code(v, Destination),
        "employment_status": parse.employment_status,
    }
    seen = []
    for row in roster.rows():
        values = {name: parsers[name](value) for name, value in row.values.items() if value is not None}
        info = checks.check_id_number(values["id_number"], today=datetime.date(2026, 7, 1))
        assert values["gender"] == info.gender
        assert values["graduation_date"] == datetime.date(2026, 6, 30)
        assert values["origin_region"] == "630102"
        assert checks.check_mobile(values["mobile"]) == values["mobile"]
        assert checks.check_landline(values["landline"]) == "0971-8123456"
        assert values["employment_status"] in ("signed", "unemployed")
        seen.append((row.row_number, values["id_number"]))
    assert seen == expected
