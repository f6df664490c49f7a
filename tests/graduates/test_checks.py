"""Every check of the registration form, with the Chinese message the user reads."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from graduates import checks
from graduates.codes import Gender
from tests.factories import make_id_number, wrong_check_digit

pytestmark = pytest.mark.django_db


def error_of(func, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        func(*args, **kwargs)
    return "".join(exc.value.messages)


def test_valid_id_number_gives_birth_date_and_gender():
    info = checks.check_id_number(make_id_number(birth="20030415", seq=123))
    assert info.birth_date == datetime.date(2003, 4, 15)
    assert info.gender == Gender.MALE
    assert info.warnings == []
    assert checks.check_id_number(make_id_number(seq=124)).gender == Gender.FEMALE


def test_lower_case_x_and_full_width_characters_are_normalised():
    number = next(n for n in (make_id_number(seq=s) for s in range(1, 200)) if n.endswith("X"))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:-1]) + "ｘ"
    assert checks.check_id_number(f" {number[:-1]}x ").number == number
    assert checks.check_id_number(full_width).number == number


def test_wrong_check_digit_is_an_error_naming_the_expected_digit():
    number = make_id_number()
    message = error_of(checks.check_id_number, wrong_check_digit(number))
    assert "校验码错误" in message and f"应为 {number[-1]}" in message


def test_length_and_format_and_birth_date_errors():
    assert "应为 18 位，现为 17 位" in error_of(checks.check_id_number, make_id_number()[:17])
    assert "前 17 位必须是数字" in error_of(checks.check_id_number, "63010220030415A23X")
    impossible = "630102" + "20030230" + "123"
    assert "不是有效日期" in error_of(checks.check_id_number, impossible + "0")
    future = make_id_number(birth="20990101")
    assert "不合理" in error_of(checks.check_id_number, future)


def test_excel_scientific_notation_is_explained():
    assert "科学计数法" in error_of(checks.check_id_number, "6.30102E+17")


def test_region_created_after_birth_is_accepted_not_rejected_like_stdnum_validate():
    # 630106 湟中区 exists only since 2019; a person born in 2001 with a late-registered ID is genuine.
    number = make_id_number(region="630106", birth="20010101")
    info = checks.check_id_number(number)
    assert info.warnings == []


def test_abolished_region_in_id_is_a_warning_not_an_error():
    info = checks.check_id_number(make_id_number(region="632121", birth="19990101"))
    assert any("已撤销" in w for w in info.warnings)


def test_unknown_region_in_id_is_a_warning():
    info = checks.check_id_number(make_id_number(region="639999"))
    assert any("不是已知的行政区划代码" in w for w in info.warnings)


def test_stdnum_crashing_region_code_is_handled():
    # python-stdnum 2.2's get_birth_place raises KeyError on 620201; we never call it.
    assert checks.check_id_number(make_id_number(region="620201")).number.startswith("620201")


def test_gender_contradicting_the_id_is_an_error():
    info = checks.check_id_number(make_id_number(seq=123))
    assert "性别与公民身份号码不符" in error_of(checks.check_gender_matches_id, Gender.FEMALE, info)


@pytest.mark.parametrize("value", ["1380000000", "23800000000", "138000000001", "1380000000a"])
def test_bad_mobile_numbers(value):
    assert "以 1 开头的 11 位数字" in error_of(checks.check_mobile, value)


def test_mobile_normalised_from_full_width_and_country_code():
    assert checks.check_mobile("+86 138 0000 0001") == "13800000001"
    assert checks.check_mobile("１３８００００００01") == "13800000001"


def test_postcode_email_landline():
    assert "6 位数字" in error_of(checks.check_postcode, "8100")
    assert "电子邮箱格式不正确" in error_of(checks.check_email, "a@")
    assert checks.check_landline("0971-8123456") == "0971-8123456"
    assert "固定电话格式不正确" in error_of(checks.check_landline, "12")


def test_graduation_date_beyond_the_cohort_is_an_error():
    assert "晚于届别" in error_of(checks.check_graduation_date, datetime.date(2027, 1, 1), cohort=2026)
    checks.check_graduation_date(datetime.date(2026, 6, 30), cohort=2026)


def test_not_seeking_means_no_service_needs():
    assert "不填写就业服务需求" in error_of(checks.check_needs_against_intentions, ["9"], ["1"])
    checks.check_needs_against_intentions(["9"], [])


def test_no_hardship_excludes_other_hardships():
    assert "不能与其他困难状况同时选择" in error_of(checks.check_hardship, ["4", "1"])


def test_region_code_must_exist():
    assert checks.check_region_code("630102").full_name == "青海省西宁市城东区"
    assert "不存在" in error_of(checks.check_region_code, "639999")
    assert "6 位" in error_of(checks.check_region_code, "6301")


def test_masks():
    assert checks.mask_id_number("63010220030415123X") == "630102********123X"
    assert checks.mask_phone("13812345678") == "138****5678"
