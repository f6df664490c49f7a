"""The checks of the registration form, as plain functions shared by forms, imports, API and admin.

Each raises django.core.exceptions.ValidationError with a Chinese message for the user, or returns the
canonical value. Warnings (an ID number whose region code is unknown or abolished, an origin above the county)
are returned, not raised.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from stdnum.cn import ric

from core.models import Region
from core.regions import COUNTY, PROVINCE, level_of

from .codes import Gender, Intention

ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
MOBILE_PATTERN = re.compile(r"^1\d{10}$")
POSTCODE_PATTERN = re.compile(r"^\d{6}$")
LANDLINE_PATTERN = re.compile(r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$")
SCIENTIFIC_PATTERN = re.compile(r"\d(\.\d+)?E\+?\d+")
REGION_CODE_PATTERN = re.compile(r"\d{6}")


# Invisible characters that come along when a number is copied from a web page, a PDF or a chat: zero-width
# spaces and joiners, direction marks and embeddings, word joiners, the BOM, and the no-break space.
INVISIBLE_PATTERN = re.compile("[\u00a0\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def normalize_text(value: str | None) -> str:
    """Invisible characters dropped, NFKC (full-width digits and letters to half-width), trimmed, inner runs of
    blanks removed."""
    if value is None:
        return ""
    text = str(value)
    # ASCII holds no invisible characters and is already NFKC: skip both (imports call this a lot).
    if not text.isascii():
        text = INVISIBLE_PATTERN.sub("", text)
        if not unicodedata.is_normalized("NFKC", text):  # the common case skips the copy
            text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


class RegionState(NamedTuple):
    full_name: str
    valid_to: int | None


def region_states() -> dict[str, RegionState]:
    """Every region code with its name and end year: lets a bulk check look codes up without a query per row."""
    return {
        code: RegionState(name, valid_to)
        for code, name, valid_to in Region.objects.values_list("code", "full_name", "valid_to")
    }


@dataclass(frozen=True)
class IdNumberInfo:
    number: str
    birth_date: datetime.date
    gender: str
    region_code: str
    warnings: list[str] = field(default_factory=list)


def check_id_number(
    value: str | None, *, today: datetime.date | None = None, regions: Mapping[str, RegionState] | None = None
) -> IdNumberInfo:
    """Check a 公民身份号码 (GB 11643): 18 characters, a real birth date, the ISO 7064 MOD 11-2 check digit.

    Hard errors raise. The region code is only looked up for a warning: python-stdnum's validate() would reject
    genuine numbers whose region code was created after the birth year (late registrations), so it is not used.
    """
    number = normalize_text(value).upper()
    if not number:
        raise ValidationError("请填写公民身份号码。", code="required")
    if SCIENTIFIC_PATTERN.fullmatch(number):
        raise ValidationError(
            "公民身份号码被表格软件转成了科学计数法（如 1.2E+17），末几位已丢失：请把该列设为文本后重新填写。",
            code="scientific",
        )
    if len(number) != 18:
        raise ValidationError(f"公民身份号码应为 18 位，现为 {len(number)} 位。", code="length")
    if not ID_PATTERN.match(number):
        raise ValidationError("公民身份号码前 17 位必须是数字，最后一位是数字或 X。", code="format")
    try:  # ric.get_birth_date without its compact(): the pattern above leaves nothing to strip
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            f"公民身份号码中的出生日期 {number[6:14]} 不是有效日期。", code="birth_date"
        ) from None
    today = today or timezone.localdate()
    if birth_date > today or birth_date.year < 1900:
        raise ValidationError(f"公民身份号码中的出生日期 {birth_date:%Y-%m-%d} 不合理。", code="birth_date")
    expected = ric.calc_check_digit(number)  # takes all 18 characters and ignores the last
    if number[-1] != expected:
        raise ValidationError(
            f"公民身份号码校验码错误：最后一位应为 {expected}，请核对号码。", code="check_digit"
        )
    warnings = []
    if regions is None:
        found = Region.objects.filter(code=number[:6]).values_list("full_name", "valid_to").first()
        region = RegionState(*found) if found else None
    else:
        region = regions.get(number[:6])
    if region is None:
        warnings.append(f"公民身份号码前 6 位 {number[:6]} 不是已知的行政区划代码，请核对。")
    elif region.valid_to is not None:
        warnings.append(f"公民身份号码前 6 位 {number[:6]} 是已撤销的行政区划代码（{region.full_name}）。")
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return IdNumberInfo(
        number=number, birth_date=birth_date, gender=gender, region_code=number[:6], warnings=warnings
    )


def check_gender_matches_id(gender: str, info: IdNumberInfo) -> None:
    if gender and gender != info.gender:
        raise ValidationError(
            f"性别与公民身份号码不符：号码第 17 位表示{Gender(info.gender).label}性。", code="gender_mismatch"
        )


def check_mobile(value: str | None) -> str:
    number = normalize_text(value).replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    if number and not MOBILE_PATTERN.match(number):
        raise ValidationError("手机号码应为以 1 开头的 11 位数字。", code="mobile")
    return number


def check_landline(value: str | None) -> str:
    number = normalize_text(value)
    if number and not LANDLINE_PATTERN.match(number):
        raise ValidationError("固定电话格式不正确，例如 0971-8123456。", code="landline")
    return number


def check_postcode(value: str | None) -> str:
    code = normalize_text(value)
    if code and not POSTCODE_PATTERN.match(code):
        raise ValidationError("邮编应为 6 位数字。", code="postcode")
    return code


def check_email(value: str | None) -> str:
    email = normalize_text(value).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError("电子邮箱格式不正确。", code="email") from None
    return email


def check_region_code(value: str | None) -> Region:
    code = normalize_text(value)
    if not REGION_CODE_PATTERN.fullmatch(code):
        raise ValidationError("入学前户口所在地应为 6 位行政区划代码。", code="region_format")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError(f"行政区划代码 {code} 不存在。", code="region_unknown")
    return region


def origin_level_warnings(code: str | None, full_name: str = "") -> list[str]:
    """入学前户口所在地 is asked down to the county (annex 1: 省市县（区）): a province- or prefecture-level code is a
    warning, not an error — the record is kept, and the office completes it (the handover only needs the
    prefecture, but the county office is where the graduate is served)."""
    code = normalize_text(code)
    if not REGION_CODE_PATTERN.fullmatch(code):
        return []
    level = level_of(code)
    if level == COUNTY:
        return []
    named = f"{code}（{full_name}）" if full_name else code
    unit = "省级" if level == PROVINCE else "地市级"
    return [f"入学前户口所在地 {named} 只到{unit}，请补全到县级（县、市、区）。"]


def check_graduation_date(value: datetime.date | None, *, cohort: int | None) -> None:
    """The graduation date may not lie beyond the cohort's year (a 2026 graduate graduated in 2026 at latest)."""
    if value is None or cohort is None:
        return
    if value.year > cohort:
        raise ValidationError(
            f"毕业日期 {value:%Y-%m-%d} 晚于届别 {cohort} 年。", code="graduation_after_cohort"
        )


def check_cohort(value: int | None, *, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if value is not None and not (2000 <= value <= today.year + 1):
        raise ValidationError(f"届别应在 2000 至 {today.year + 1} 年之间。", code="cohort")


def check_needs_against_intentions(intentions: list[str], service_needs: list[str]) -> None:
    if Intention.NOT_SEEKING in intentions and service_needs:
        raise ValidationError(
            "就业意向为“自愿暂时不就业”时，不填写就业服务需求。", code="needs_when_not_seeking"
        )


def check_hardship(codes: list[str]) -> None:
    if "4" in codes and len(set(codes)) > 1:
        raise ValidationError("“不属于困难情况”不能与其他困难状况同时选择。", code="hardship_exclusive")


def mask_id_number(number: str) -> str:
    """630102199901011234 → 630102********1234."""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}********{number[-4:]}"


def mask_phone(number: str) -> str:
    """13812345678 → 138****5678; landlines keep their area code and last 4 digits."""
    if not number:
        return ""
    if len(number) <= 4:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}" if len(number) > 7 else f"****{number[-4:]}"


CONTACT_CHECKS = [
    ("mobile", check_mobile),
    ("landline", check_landline),
    ("postcode", check_postcode),
    ("email", check_email),
]


def collect_graduate_errors(
    graduate, *, today: datetime.date | None = None, regions: Mapping[str, RegionState] | None = None
) -> dict[str, list[str]]:
    """Run every check on an unsaved or changed Graduate; normalise its values in place; return the errors.

    The ID number's birth date and gender are derived here, so a record can never disagree with its ID.
    """
    errors: dict[str, list[str]] = {}

    def run(field_name: str, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValidationError as exc:
            errors.setdefault(field_name, []).extend(exc.messages)
            return None

    graduate.name = normalize_text(graduate.name)
    info = run("id_number", check_id_number, graduate.id_number, today=today, regions=regions)
    if info is not None:
        graduate.id_number = info.number
        graduate.birth_date = info.birth_date
        if graduate.gender:
            run("gender", check_gender_matches_id, graduate.gender, info)
        else:
            graduate.gender = info.gender
    for field_name, check in CONTACT_CHECKS:  # each returns the canonical form it stores
        value = run(field_name, check, getattr(graduate, field_name))
        if value is not None:
            setattr(graduate, field_name, value)
    run("cohort", check_cohort, graduate.cohort, today=today)
    run("graduation_date", check_graduation_date, graduate.graduation_date, cohort=graduate.cohort)
    run(
        "service_needs",
        check_needs_against_intentions,
        graduate.intentions or [],
        graduate.service_needs or [],
    )
    run("hardship", check_hardship, graduate.hardship or [])
    return errors
