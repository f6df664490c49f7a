"""graduates/roster/parse.py: what people write in roster cells, read as codes, dates and numbers."""

from __future__ import annotations

import datetime
import time

import pytest

from graduates.codes import (
    EDUCATION_SHORT_LABELS,
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
from graduates.roster.parse import CellError


def error(function, *args, **kwargs) -> str:
    with pytest.raises(CellError) as caught:
        function(*args, **kwargs)
    return caught.value.message


# --- text ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  张　三  ", "张 三"),
        ("青海\n大学", "青海 大学"),
        ("ＡＢＣ１２３", "ABC123"),
        ("\u200b计算机\ufeff", "计算机"),
        (3.0, "3"),
        (3.5, "3.5"),
        (2026, "2026"),
        (datetime.datetime(2026, 6, 30), "2026-06-30"),  # noqa: DTZ001 (calamine gives naive datetimes)
        (datetime.date(2026, 6, 30), "2026-06-30"),
    ],
)
def test_text(value, expected):
    assert parse.text(value) == expected


# --- one code ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "choices", "expected"),
    [
        ("3", EducationLevel, "3"),
        (3, EducationLevel, "3"),
        (3.0, EducationLevel, "3"),
        ("３", EducationLevel, "3"),
        (" 3 ", EducationLevel, "3"),
        ("大学本科", EducationLevel, "3"),
        ("本科", EducationLevel, "3"),
        ("博士", EducationLevel, "1"),
        ("硕士研究生", EducationLevel, "2"),
        ("专科", EducationLevel, "4"),
        ("大专", EducationLevel, "4"),
        ("其他", EducationLevel, "5"),
        ("3.大学本科", EducationLevel, "3"),
        ("3-本科", EducationLevel, "3"),
        ("3、本科", EducationLevel, "3"),
        ("(3)本科", EducationLevel, "3"),
        ("3 大学本科", EducationLevel, "3"),
        ("男", Gender, "1"),
        ("女", Gender, "2"),
        ("男性", Gender, "1"),
        ("女性", Gender, "2"),
        ("1", Gender, "1"),
        (2.0, Gender, "2"),
        ("01", Ethnicity, "01"),
        ("1", Ethnicity, "01"),
        (1.0, Ethnicity, "01"),
        ("汉族", Ethnicity, "01"),
        ("汉", Ethnicity, "01"),
        ("土家族", Ethnicity, "15"),
        ("土", Ethnicity, "30"),
        ("蒙古", Ethnicity, "02"),
        ("01.汉族", Ethnicity, "01"),
        ("35.撒拉族", Ethnicity, "35"),
        ("其它", Ethnicity, "97"),
        ("准备在本地就业", LocationIntention, "2"),
        ("本地", LocationIntention, "2"),
        ("外地", LocationIntention, "1"),
        ("不确定", LocationIntention, "3"),
        ("2.准备在本地就业", LocationIntention, "2"),
        ("1", Destination, "1"),
        ("10", Destination, "10"),
        (15.0, Destination, "15"),
        ("升学出国", Destination, "13"),
        ("10.部队", Destination, "10"),
        ("4.非国有企业", Destination, "4"),
        ("", EducationLevel, ""),
        (None, Gender, ""),
    ],
)
def test_single_code(value, choices, expected):
    assert parse.code(value, choices) == expected


def test_aliases_add_spellings():
    assert parse.code("本科", EducationLevel, aliases=EDUCATION_SHORT_LABELS) == "3"
    assert parse.code("学士", EducationLevel, aliases={"学士": "3"}) == "3"


def test_unknown_code_says_what_is_expected():
    assert error(parse.code, "大专生", EducationLevel) == (
        "“学历”应为 1–5 或 博士/硕士/本科/专科/其他，而不是“大专生”。"
    )
    assert error(parse.code, "6", EducationLevel).endswith("而不是“6”。")
    assert error(parse.code, "16", Destination) == (
        "“就业去向”应为 1–15 的代码或去向名称（如 4 或 非国有企业），而不是“16”。"
    )
    assert error(parse.code, "M", Gender) == "“性别”应为 1 或 2，或 男/女，而不是“M”。"
    assert "民族代码" in error(parse.code, "穿青人", Ethnicity)
    assert error(parse.code, 3.5, EducationLevel).endswith("而不是“3.5”。")


def test_code_contradicting_its_label_is_refused():
    assert error(parse.code, "3.硕士", EducationLevel) == "“学历”的代码 3 与名称“硕士”不一致，请核对。"


# --- several codes ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "choices", "expected"),
    [
        ("13", Hardship, ["1", "3"]),
        (13.0, Hardship, ["1", "3"]),
        ("31", Hardship, ["1", "3"]),
        ("1,3", Hardship, ["1", "3"]),
        ("1，3", Hardship, ["1", "3"]),
        ("1、3", Hardship, ["1", "3"]),
        ("1 3", Hardship, ["1", "3"]),
        ("1;3", Hardship, ["1", "3"]),
        ("1/3", Hardship, ["1", "3"]),
        ("１３", Hardship, ["1", "3"]),
        ("零就业家庭、残疾", Hardship, ["1", "3"]),
        ("零就业家庭,残疾", Hardship, ["1", "3"]),
        ("残疾 零就业家庭 残疾", Hardship, ["1", "3"]),
        ("1.零就业家庭、3.残疾", Hardship, ["1", "3"]),
        ("4", Hardship, ["4"]),
        ("不属于困难情况", Hardship, ["4"]),
        ("T", Hardship, ["T"]),
        ("1t", Hardship, ["1", "T"]),
        ("脱贫家庭、低收入家庭、特殊困难家庭", Hardship, ["T", "L", "S"]),
        ("123456789A", Intention, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "A"]),
        ("a987654321", Intention, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "A"]),
        ("准备考公务员、准备创业", Intention, ["1", "4"]),
        ("考公务员，3", Intention, ["1", "3"]),
        ("9A", Intention, ["9", "A"]),
        ("12", ServiceNeed, ["1", "2"]),
        ("政策咨询、职业介绍", ServiceNeed, ["1", "2"]),
        ("", ServiceNeed, []),
        (None, Intention, []),
    ],
)
def test_several_codes_in_official_order(value, choices, expected):
    assert parse.codes(value, choices) == expected


def test_unknown_part_is_named():
    message = error(parse.codes, "1、零就业", Hardship)
    assert message.startswith(
        "“困难状况”中的“零就业”不是有效的选项：应为 1 零就业家庭、2 家庭经济困难、3 残疾"
    )
    assert message.endswith("多项可连写（如 13）或用顿号分隔（如 1、3）。")
    assert error(parse.codes, "10", Intention).startswith("“就业意向”中的“10”不是有效的选项")
    assert error(parse.codes, "1B", ServiceNeed).startswith("“就业服务需求”中的“1B”不是有效的选项")


# --- dates ----------------------------------------------------------------------------------------------------------------

JUNE_30 = datetime.date(2026, 6, 30)


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 6, 30, 0, 0),  # noqa: DTZ001 (calamine gives naive datetimes)
        datetime.date(2026, 6, 30),
        46203.0,
        46203,
        46203.75,
        "46203",
        20260630,
        20260630.0,
        "20260630",
        "2026-06-30",
        "2026-6-30",
        "2026/6/30",
        "2026/06/30",
        "2026.6.30",
        "2026年6月30日",
        "2026年06月30日",
        "２０２６年６月３０日",
        "２０２６０６３０",
        " 2026 / 6 / 30 ",
        "2026-06-30 00:00:00",
        "2026-06-30T00:00:00",
    ],
)
def test_date_forms(value):
    assert parse.date(value) == JUNE_30


def test_excel_serial_numbers_use_the_1900_date_system():
    assert parse.date(45658) == datetime.date(2025, 1, 1)
    assert parse.date(36526) == datetime.date(2000, 1, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-6", "日期“2026-6”缺少日：应为完整日期，如 20260630、2026-06-30、2026/6/30 或 2026年6月30日。"),
        ("2026年6月", "日期“2026年6月”缺少日"),
        ("202606", "日期“202606”缺少日"),
        ("2026", "日期“2026”缺少月和日"),
        ("20260230", "日期“20260230”不存在，请核对年、月、日。"),
        ("2026-13-01", "日期“2026-13-01”不存在"),
        ("2026年2月30日", "日期“2026年2月30日”不存在"),
        ("6/30/2026", "“6/30/2026”不是可识别的日期"),
        ("明年六月", "“明年六月”不是可识别的日期"),
        (5, "“5”不是日期"),
        ("", "请填写日期"),
        (None, "请填写日期"),
    ],
)
def test_bad_dates(value, message):
    assert error(parse.date, value).startswith(message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2026, 2026),
        (2026.0, 2026),
        ("2026", 2026),
        ("２０２６届", 2026),
        ("2026年", 2026),
        (None, None),
        ("", None),
    ],
)
def test_cohort(value, expected):
    assert parse.cohort(value) == expected


def test_bad_cohort():
    assert error(parse.cohort, "26届") == "“届别”应为四位年份，如 2026，而不是“26届”。"


# --- ID numbers and phones -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("630102200304151234", "630102200304151234"),
        (" 630102 20030415 123x ", "63010220030415123X"),
        ("６３０１０２２００３０４１５１２３ｘ", "63010220030415123X"),
        ("'630102200304151234", "630102200304151234"),
        ("63010220030415123", "63010220030415123"),  # the length is checked by graduates.checks
        (None, ""),
    ],
)
def test_id_number(value, expected):
    assert parse.id_number(value) == expected


@pytest.mark.parametrize(
    "value", [6.301022003041512e17, 630102200304151234, "6.30102E+17", "6.30102e17", "630102200304151000.0"]
)
def test_id_number_turned_into_a_number_by_excel_is_refused(value):
    message = error(parse.id_number, value)
    assert message.startswith("公民身份号码被 Excel 存成了数字")
    assert "末几位已经丢失" in message
    assert "“文本”格式" in message
    if isinstance(value, float):
        assert "6.30102E+17" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (13800000001.0, "13800000001"),
        (13800000001, "13800000001"),
        ("13800000001", "13800000001"),
        ("138 0000 0001", "13800000001"),
        ("138-0000-0001", "13800000001"),
        ("+86 138 0000 0001", "13800000001"),
        ("１３８００００００01", "13800000001"),
        ("0971-8123456", "0971-8123456"),
        ("(0971)8123456", "(0971)8123456"),
        (None, ""),
    ],
)
def test_phone(value, expected):
    assert parse.phone(value) == expected


def test_phone_in_scientific_notation_is_refused():
    assert error(parse.phone, "1.38E+10").startswith("电话号码被 Excel 转成了科学计数法")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("签约", "signed"),
        ("已签约", "signed"),
        ("已就业", "signed"),
        ("就业", "signed"),
        ("是", "signed"),
        (True, "signed"),
        ("未就业", "unemployed"),
        ("未签约", "unemployed"),
        ("否", "unemployed"),
        ("待就业", "unemployed"),
        (" 未 就 业 ", "unemployed"),
        (False, "unemployed"),
        ("", ""),
        (None, ""),
    ],
)
def test_employment_status(value, expected):
    assert parse.employment_status(value) == expected


def test_unknown_employment_status_is_refused():
    assert error(parse.employment_status, "在读") == "“就业状态”应为 签约 或 未就业，而不是“在读”。"


# --- regions ----------------------------------------------------------------------------------------------------------------


@pytest.fixture
def region_index(regions, django_assert_num_queries) -> parse.RegionIndex:
    with django_assert_num_queries(1):
        return parse.RegionIndex.load()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("630102", "630102"),
        (630102, "630102"),
        (630102.0, "630102"),
        ("630102.0", "630102"),
        ("６３０１０２", "630102"),
        ("632121", "632121"),  # 平安县, abolished in 2015: old rosters carry it
        ("青海省西宁市城东区", "630102"),
        ("西宁市城东区", "630102"),
        ("青海省城东区", "630102"),
        ("城东区", "630102"),
        (" 青海省 西宁市　城东区 ", "630102"),
        ("630102 青海省西宁市城东区", "630102"),
        ("城东区（630102）", "630102"),
        ("平安区", "630203"),
        ("青海省海东地区平安县", "632121"),
        ("西宁市", "630100"),
        ("青海省", "630000"),
        ("北京市东城区", "110101"),
        ("吉林省吉林市", "220200"),
        ("海南省五指山市", "469001"),
        ("", ""),
        (None, ""),
    ],
)
def test_region_codes_and_names(region_index, value, expected):
    assert region_index.resolve(value) == expected


@pytest.mark.django_db
def test_unknown_and_ambiguous_regions(region_index):
    assert error(region_index.resolve, "999999") == "行政区划代码“999999”不存在，请核对。"
    assert error(region_index.resolve, "63010") == "行政区划代码应为 6 位数字，而不是“63010”。"
    assert error(region_index.resolve, "火星市").startswith(
        "行政区划“火星市”不存在：请填写 6 位行政区划代码或完整名称"
    )
    message = error(region_index.resolve, "朝阳区")
    assert message == (
        "行政区划“朝阳区”不唯一，可能是 北京市朝阳区（110105）、吉林省长春市朝阳区（220104）：请填写完整名称或 6 位代码。"
    )
    message = error(region_index.resolve, "鼓楼区")
    assert message.count("（") == 3
    assert " 等：" in message
    # The same answer the second time (from the cache).
    assert (
        error(region_index.resolve, "朝阳区")
        == "行政区划“朝阳区”不唯一，可能是 北京市朝阳区（110105）、吉林省长春市朝阳区（220104）：请填写完整名称或 6 位代码。"
    )


@pytest.mark.django_db
def test_region_resolution_is_fast(region_index):
    codes = ["630102", "630103", "630104", "630105", "632221"]
    values = [codes[n % 5] for n in range(50_000)] + ["青海省西宁市城东区", 630103.0] * 25_000
    started = time.perf_counter()
    for value in values:
        region_index.resolve(value)
    assert time.perf_counter() - started < 0.5
