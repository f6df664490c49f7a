"""The checks of a self-registration: bounded fields with Chinese messages (a DRF serializer), then the registry's
own checks (graduates/checks.py, the ones Graduate.clean() runs for forms, imports and the API alike)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import SkipField, empty
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from core.models import Office, OfficeKind, Region
from graduates.actions import office_for_origin
from graduates.checks import (
    check_mobile,
    check_region_code,
    collect_graduate_errors,
    normalize_text,
)
from graduates.codes import Category, EducationLevel, Intention, ServiceNeed
from graduates.models import Graduate

from .tokens import check_form_token

MAX_CODES = 10  # each code list has 10 codes


class _Text(serializers.CharField):
    """A bounded text field whose every message names it (DRF's own NUL and surrogate messages do not)."""

    def __init__(self, *, field_label: str, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            ProhibitNullCharactersValidator(message=f"{field_label}不能包含空字符（NUL）。")
            if isinstance(v, ProhibitNullCharactersValidator)
            else _NoSurrogates(field_label)
            if isinstance(v, ProhibitSurrogateCharactersValidator)
            else v
            for v in self.validators
        ]


class _NoSurrogates(ProhibitSurrogateCharactersValidator):
    def __init__(self, label: str):
        self.message = f"{label}包含无法识别的字符。"


def _text(label: str, max_length: int, *, required: bool = True) -> serializers.CharField:
    return _Text(
        field_label=label,
        max_length=max_length,
        required=required,
        allow_blank=not required,
        trim_whitespace=True,
        error_messages={
            "required": f"请填写{label}。",
            "blank": f"请填写{label}。",
            "null": f"请填写{label}。",
            "invalid": f"{label}应为文字。",
            "max_length": f"{label}不能超过 {max_length} 个字符。",
        },
    )


def _codes(label: str, choices, *, allow_empty: bool, example: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(
            choices=choices,
            error_messages={"invalid_choice": f"{label}代码“{{input}}”不存在。"},
        ),
        allow_empty=allow_empty,
        max_length=MAX_CODES,
        required=not allow_empty,
        error_messages={
            "required": f"请选择{label}。",
            "empty": f"请至少选择一项{label}。",
            "not_a_list": f"{label}应为代码列表，如 {example}。",
            "max_length": f"{label}最多 {MAX_CODES} 项。",
            "null": f"请选择{label}。",
        },
    )


class SelfRegistrationSerializer(serializers.Serializer):
    """The request of POST /api/v1/self-registrations/: the registry's field names and codes."""

    name = _text("姓名", 50)
    id_number = _text("公民身份号码", 40)
    mobile = _text("手机号码", 30)
    university_name = _text("毕业院校", 100)
    graduation_date = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "请填写毕业日期。",
            "null": "请填写毕业日期。",
            "invalid": "毕业日期应为 YYYY-MM-DD 格式，如 2026-06-30。",
            "datetime": "毕业日期应为 YYYY-MM-DD 格式，如 2026-06-30。",
        },
    )
    education = serializers.ChoiceField(
        choices=EducationLevel.choices,
        error_messages={
            "required": "请选择学历。",
            "null": "请选择学历。",
            "invalid_choice": "学历代码应为 1–5（1 博士研究生，2 硕士研究生，3 大学本科，4 大学专科，5 其他）。",
        },
    )
    major = _text("所学专业", 100)
    origin_region = _text("入学前户口所在地", 12)
    intentions = _codes("就业意向", Intention.choices, allow_empty=False, example='["3"]')
    service_needs = _codes("就业服务需求", ServiceNeed.choices, allow_empty=True, example='["2", "3"]')
    email = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        error_messages={"max_length": "电子邮箱不能超过 254 个字符。", "invalid": "电子邮箱应为文字。"},
    )
    office = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="希望提供服务的就业服务机构所在地的 6 位行政区划代码；不填则按入学前户口所在地分配",
        error_messages={
            "max_length": "服务机构应为 6 位行政区划代码。",
            "invalid": "服务机构应为 6 位行政区划代码。",
        },
    )
    consent = serializers.BooleanField(
        help_text="已阅读并同意个人信息处理说明（必须为 true）",
        error_messages={
            "required": "请阅读并同意个人信息处理说明。",
            "invalid": "请阅读并同意个人信息处理说明。",
        },
    )
    # Anti-automation instead of a captcha: a field people never see (must stay empty) and the form's signed start
    # time (GET /api/v1/self-registrations/ gives one to a client that has no page).
    website = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="请留空",
        error_messages={"max_length": "此项请留空。"},
    )
    form_token = _Text(
        field_label="表单令牌",
        max_length=300,
        help_text="表单打开时取得的签名时间（GET 本接口取得）",
        error_messages={
            "required": "页面已过期，请刷新页面后重新提交。",
            "blank": "页面已过期，请刷新页面后重新提交。",
            "null": "页面已过期，请刷新页面后重新提交。",
            "invalid": "页面已过期，请刷新页面后重新提交。",
            "max_length": "页面已过期，请刷新页面后重新提交。",
        },
    )

    def validate_consent(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError("请阅读并同意个人信息处理说明。")
        return value


@dataclass
class CheckedRegistration:
    graduate: Graduate  # unsaved, every registry check passed, values in their canonical form
    office: Office  # where a new record goes
    requested_office: Office | None


class RegistrationInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid self-registration")
        self.errors = errors


def flatten_errors(detail) -> dict[str, list[str]]:
    """DRF's errors ({"intentions": {0: ["…"]}}) as the registry's shape: {"field": ["中文 message"]}."""

    def messages(value) -> list[str]:
        if isinstance(value, dict):
            return [m for v in value.values() for m in messages(v)]
        if isinstance(value, (list, tuple)):
            return [m for v in value for m in messages(v)]
        return [str(value)]

    return {str(field): list(dict.fromkeys(messages(value))) for field, value in detail.items()}


def check_mobile_or_blank(value: str) -> str:
    """The mobile's canonical form, or "" when it is not a valid one (check_mobile's message is given later)."""
    try:
        return check_mobile(value) or ""
    except ValidationError:
        return "invalid"


def _bureau() -> Office | None:
    return Office.objects.filter(
        kind=OfficeKind.BUREAU, region_id=f"{settings.PROVINCE_CODE[:2]}0000"
    ).first()


def _requested_office(code: str, errors: dict[str, list[str]]) -> Office | None:
    code = normalize_text(code)
    if not code:
        return None
    if not code.isdigit() or len(code) != 6:
        errors["office"] = ["服务机构应为 6 位行政区划代码。"]
        return None
    office = Office.objects.employment_offices().active().filter(region_id=code).first()
    if office is None:
        errors["office"] = ["该地区没有可选的就业服务机构，请重新选择。"]
    return office


def check_registration(data, *, today: datetime.date | None = None) -> CheckedRegistration | None:
    """Check DATA (JSON or the page's form); raise RegistrationInvalid({"field": ["message"]}). None: the
    honeypot field was filled (within its bounds), to be answered like a success and stored nowhere."""
    # Each field on its own (as Serializer.to_internal_value does), so that a request with several wrong fields
    # hears of all of them, the registry's checks included, in one answer.
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for name, field in SelfRegistrationSerializer().fields.items():
        try:
            raw = field.get_value(data)
            if raw == "" and isinstance(field, (serializers.ChoiceField, serializers.DateField)):
                raw = empty  # an empty select or date input is "please fill in", not "wrong code"
            value = field.run_validation(raw)
            if name == "consent" and value is not True:
                raise serializers.ValidationError("请阅读并同意个人信息处理说明。")
            values[name] = value
        except serializers.ValidationError as exc:
            errors.update(flatten_errors({name: exc.detail}))
        except SkipField:
            pass
    if values.get("website", "").strip() and not errors:
        return None  # the honeypot: a script filled the field people never see
    if "form_token" in values:
        try:
            check_form_token(values["form_token"])
        except ValidationError as exc:
            errors["form_token"] = exc.messages
    today = today or timezone.localdate()
    region: Region | None = None
    if "origin_region" in values:
        try:
            region = check_region_code(values["origin_region"])
        except ValidationError as exc:
            errors["origin_region"] = exc.messages
    if "mobile" in values and not check_mobile_or_blank(values["mobile"]):
        errors["mobile"] = ["请填写手机号码。"]  # the office must be able to call back
    requested = _requested_office(values.get("office") or "", errors)
    graduation_date = values.get("graduation_date")
    cohort = graduation_date.year if graduation_date else None
    graduate = Graduate(
        name=values.get("name", ""),
        id_number=values.get("id_number", ""),
        mobile=values.get("mobile", ""),
        email=values.get("email") or "",
        university_name=normalize_text(values.get("university_name", "")),
        graduation_date=graduation_date,
        education=values.get("education", ""),
        major=normalize_text(values.get("major", "")),
        origin_region=region,
        intentions=sorted(set(values.get("intentions") or []), key=Intention.values.index),
        service_needs=sorted(set(values.get("service_needs") or []), key=ServiceNeed.values.index),
        cohort=cohort,
        category=Category.FRESH if cohort and cohort >= today.year else Category.PREVIOUS,
    )
    # The registry's own checks (graduates/checks.py); a field the bounds above refused is not checked again.
    for field, messages in collect_graduate_errors(graduate, today=today).items():
        field = "graduation_date" if field == "cohort" else field
        if field not in errors and (field in values or field in ("service_needs", "graduation_date")):
            errors.setdefault(field, []).extend(messages)
    if graduation_date and graduation_date > today + datetime.timedelta(days=366):
        errors.setdefault("graduation_date", []).append("毕业日期不能晚于明年。")
    if "name" in values and not graduate.name:
        errors.setdefault("name", []).append("请填写姓名。")
    if errors:
        raise RegistrationInvalid({k: list(dict.fromkeys(v)) for k, v in errors.items()})
    graduate.university = Office.objects.universities().filter(name=graduate.university_name).first()
    office = requested or office_for_origin(region) or _bureau()
    if office is None:  # no bureau configured for the province: nothing can receive the lead
        raise RegistrationInvalid({"office": ["暂时无法受理，请联系当地就业服务机构。"]})
    return CheckedRegistration(graduate=graduate, office=office, requested_office=requested)
