"""Forms of the service pages: every field bounded and answered in Chinese (the actions check again)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils import timezone

from core.models import Region
from graduates.roster import parse

from .codes import CONTENT_MAX, OUTCOME_MAX, VOID_REASON_MAX, Channel, ServiceType
from .models import JobPosting, RecruitmentEvent

NUL_MESSAGE = "不能包含空字符（NUL），请删除后重新填写。"
MAX_PASTED = 2000  # ID numbers pasted at once
MAX_PASTE_CHARS = MAX_PASTED * 20


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        field.error_messages["null_characters_not_allowed"] = NUL_MESSAGE
        field.error_messages.setdefault("max_length", "最多 %(limit_value)d 个字（现有 %(show_value)d 个）。")
        if isinstance(field.widget, forms.CheckboxInput):
            continue
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else "form-control form-control-sm"
        )
        field.widget.attrs.setdefault("class", css)


class ServiceForm(forms.Form):
    """One service: the record page's quick form and the top of the bulk page."""

    service_type = forms.ChoiceField(
        label="服务类型",
        choices=[("", "请选择…"), *ServiceType.choices],
        error_messages={"required": "请选择服务类型。", "invalid_choice": "请选择列表中的服务类型。"},
    )
    date = forms.DateField(
        label="服务日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "请填写服务日期。",
            "invalid": "服务日期格式不对，应为 2026-07-01 这样的日期。",
        },
    )
    channel = forms.ChoiceField(
        label="服务方式",
        choices=Channel.choices,
        error_messages={"required": "请选择服务方式。", "invalid_choice": "请选择列表中的服务方式。"},
    )
    content = forms.CharField(
        label="服务内容",
        required=False,
        max_length=CONTENT_MAX,
        widget=forms.TextInput(attrs={"placeholder": "如：推荐某公司会计岗位"}),
    )
    outcome = forms.CharField(label="服务结果", required=False, max_length=OUTCOME_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["channel"].initial = Channel.WINDOW
        _style(self)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="作废原因",
        max_length=VOID_REASON_MAX,
        error_messages={"required": "请填写作废原因。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class LogFilterForm(forms.Form):
    """The log's filters, read from the URL (no personal data in them)."""

    service_type = forms.ChoiceField(
        label="服务类型", required=False, choices=[("", "全部"), *ServiceType.choices]
    )
    date_from = forms.DateField(
        label="日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="日期到", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    staff = forms.ModelChoiceField(label="经办人员", required=False, queryset=None, empty_label="全部")
    channel = forms.ChoiceField(label="服务方式", required=False, choices=[("", "全部"), *Channel.choices])
    voided = forms.ChoiceField(
        label="作废",
        required=False,
        choices=[("", "全部"), ("no", "有效"), ("yes", "已作废")],
    )

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_queryset
        self.fields["staff"].error_messages["invalid_choice"] = "经办人员不存在或不在本单位范围内。"
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = "日期格式不对，应为 2026-07-01 这样的日期。"
        for name in ("service_type", "channel", "voided"):
            self.fields[name].error_messages["invalid_choice"] = "请选择列表中的选项。"
        _style(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("开始日期晚于结束日期。")
        return data


_ID_SPLIT = re.compile(r"[\s,，;；、]+")


class BulkForm(ServiceForm):
    """One service for many graduates: ticked in the list below, or ID numbers pasted (never in a URL)."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])  # filled by the view
    id_numbers = forms.CharField(
        label="或粘贴公民身份号码",
        required=False,
        max_length=MAX_PASTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "每行一个，或用逗号、空格分隔"}),
    )

    def __init__(self, *args, id_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(str(i), str(i)) for i in id_choices]
        self.fields["ids"].error_messages["invalid_choice"] = "所选毕业生不在本单位的服务范围内。"

    def clean_id_numbers(self) -> list[str]:
        raw = self.cleaned_data.get("id_numbers") or ""
        numbers: list[str] = []
        bad: list[str] = []
        for piece in _ID_SPLIT.split(raw):
            if not piece:
                continue
            try:
                number = parse.id_number(piece)
            except parse.CellError as exc:
                raise forms.ValidationError(exc.message) from None
            if not re.fullmatch(r"\d{17}[\dX]", number):
                bad.append(piece[:20])
            elif number not in numbers:
                numbers.append(number)
        if bad:
            raise forms.ValidationError(
                f"以下不是 18 位公民身份号码：{'、'.join(bad[:5])}" + ("等" if len(bad) > 5 else "")
            )
        if len(numbers) > MAX_PASTED:
            raise forms.ValidationError(f"一次最多粘贴 {MAX_PASTED} 个公民身份号码，现有 {len(numbers)} 个。")
        return numbers


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label="台账文件（.xlsx）",
        error_messages={"required": "请选择台账文件。", "empty": "文件是空的。"},
    )
    dry_run = forms.BooleanField(label="只检查，不记录", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["file"].widget.attrs["accept"] = ".xlsx"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = int(getattr(settings, "ROSTER_MAX_UPLOAD_MB", 20))
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(f"文件大小 {upload.size / 1024 / 1024:.1f} MB，超过上限 {limit} MB。")
        return upload


class PlanViewForm(forms.Form):
    """The plan pages' options, read from the URL: the as-of day and (worklist) only my graduates."""

    as_of = forms.DateField(
        label="截至日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    mine = forms.BooleanField(label="只看我负责的", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].error_messages["invalid"] = "日期格式不对，应为 2026-07-01 这样的日期。"
        _style(self)

    def clean_as_of(self):
        value = self.cleaned_data.get("as_of")
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError("截至日期应在 2000 年至 2100 年之间。")
        return value or timezone.localdate()


class PostingForm(forms.ModelForm):
    """A new job posting; the work location by its region code or name, majors as comma-separated keywords."""

    location_text = forms.CharField(
        label="工作地点", max_length=30, help_text="区划代码或名称，如 630102 或 城东区"
    )
    majors_text = forms.CharField(
        label="专业要求", max_length=300, required=False, help_text="用逗号分隔，不填为不限"
    )

    class Meta:
        model = JobPosting
        fields = ["employer", "title", "category", "pay_min", "pay_max", "education", "head_count",
                  "valid_until", "source"]  # fmt: skip
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].error_messages["invalid"] = "日期格式不对，应为 2026-07-01 这样的日期。"
        for name in ("pay_min", "pay_max"):
            self.fields[name].max_value = 1_000_000
            self.fields[name].validators.append(MaxValueValidator(1_000_000, "月薪不能超过 1,000,000 元。"))
        self.fields["head_count"].validators.append(MaxValueValidator(10_000, "招聘人数不能超过 10,000。"))
        _style(self)

    def clean_location_text(self):
        text = self.cleaned_data["location_text"].strip()
        regions = Region.objects.current().filter(code__startswith=settings.PROVINCE_CODE)
        found = regions.filter(code=text).first() or regions.filter(name=text).order_by("code").first()
        if found is None:
            raise forms.ValidationError(f"本省没有区划“{text}”，请填写区划代码或名称（如 630102、城东区）。")
        return found

    def clean_majors_text(self):
        parts = re.split(r"[,，、;；\s]+", self.cleaned_data.get("majors_text") or "")
        majors = [p for p in parts if p]
        if any(len(p) > 50 for p in majors) or len(majors) > 20:
            raise forms.ValidationError("专业要求最多 20 项，每项不超过 50 个字。")
        return majors

    def clean(self):
        data = super().clean()
        if data.get("pay_min") and data.get("pay_max") and data["pay_min"] > data["pay_max"]:
            self.add_error("pay_max", "月薪上限不能低于下限。")
        return data

    def save(self, commit: bool = False):
        posting = super().save(commit=False)
        posting.location = self.cleaned_data["location_text"]
        posting.majors = self.cleaned_data["majors_text"]
        return posting


class EventForm(forms.ModelForm):
    class Meta:
        model = RecruitmentEvent
        fields = ["name", "date", "kind", "online", "place"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].error_messages["invalid"] = "日期格式不对，应为 2026-07-01 这样的日期。"
        _style(self)

    def clean(self):
        data = super().clean()
        if not data.get("online") and not (data.get("place") or "").strip():
            self.add_error("place", "请填写举办地点，或勾选“网络招聘”。")
        return data


class SpecialistForm(forms.Form):
    """Name a hardship graduate's specialist with the help plan and the follow-up interval."""

    specialist = forms.ModelChoiceField(label="就业和人才服务专员", queryset=None, empty_label=None)
    plan = forms.CharField(label="帮扶计划", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_days = forms.IntegerField(label="回访间隔（天）", min_value=1, max_value=180, initial=30)

    def __init__(self, *args, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = specialists
        self.fields["specialist"].error_messages["invalid_choice"] = "请从本机构的工作人员中选择专员。"
        self.fields["follow_up_days"].error_messages.update(
            {
                "min_value": "回访间隔至少 1 天。",
                "max_value": "回访间隔最多 180 天。",
                "invalid": "请填写天数。",
            }
        )
        _style(self)
