from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from core.models import Office, OfficeKind, Region, User

from .checks import check_landline, check_mobile, check_postcode, normalize_text
from .codes import Destination, Hardship, Intention, ServiceNeed, State, VisitMethod, VisitOutcome
from .models import FollowUpVisit, Graduate


class RegionCodeField(forms.ModelChoiceField):
    """A region typed as its 6-digit code (any code in the table, current or abolished)."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Region.objects.all(),
            to_field_name="code",
            widget=forms.TextInput(attrs={"list": "region-options", "inputmode": "numeric", "maxlength": 6}),
            error_messages={"invalid_choice": "行政区划代码不存在，请填写 6 位代码（如 630102）。"},
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, Region):
            return value.code
        return value


class CodeMultipleChoiceField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


NUL_MESSAGE = "不能包含空字符（NUL），请删除后重新填写。"


def refuse_nul(form: forms.BaseForm) -> None:
    """Every text field of FORM refuses NUL bytes with our own Chinese message (PostgreSQL cannot store them)."""
    for field in form.fields.values():
        field.error_messages["null_characters_not_allowed"] = NUL_MESSAGE


MISSING_VERSION = "保存失败：表单缺少版本信息，无法判断记录是否已被他人修改。请重新打开修改页面后再保存。"


class GraduateForm(forms.ModelForm):
    """The 登记表. All checks live in Graduate.clean() (graduates/checks.py), shared with imports and the API."""

    origin_region = RegionCodeField(label="入学前户口所在地")
    hardship = CodeMultipleChoiceField(label="困难状况", choices=Hardship.choices, required=False)
    intentions = CodeMultipleChoiceField(label="就业意向", choices=Intention.choices, required=False)
    service_needs = CodeMultipleChoiceField(
        label="就业服务需求",
        choices=ServiceNeed.choices,
        required=False,
        help_text="就业意向为“自愿暂时不就业”的不填",
    )
    # Required on the edit form (checked in clean(), so the message reaches the top of the form): without it a
    # save could not tell whether someone else changed the record in between.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)
    # Typed or pasted numbers may carry blanks, dashes, +86 or invisible characters: bounded here, loosely, and
    # brought to their canonical form by the checks (graduates/checks.py) before the model's own lengths apply.
    id_number = forms.CharField(
        label="公民身份号码",
        max_length=40,
        widget=forms.TextInput(attrs={"maxlength": 40, "autocomplete": "off"}),
        error_messages={"required": "请填写公民身份号码。", "max_length": "公民身份号码过长，应为 18 位。"},
    )
    mobile = forms.CharField(
        label="手机号码", max_length=30, required=False, error_messages={"max_length": "手机号码过长。"}
    )
    landline = forms.CharField(
        label="固定电话", max_length=30, required=False, error_messages={"max_length": "固定电话过长。"}
    )
    postcode = forms.CharField(
        label="邮编", max_length=20, required=False, error_messages={"max_length": "邮编应为 6 位数字。"}
    )

    class Meta:
        model = Graduate
        fields = [
            "name",
            "gender",
            "ethnicity",
            "id_number",
            "cohort",
            "category",
            "university",
            "university_name",
            "graduation_date",
            "education",
            "major",
            "origin_region",
            "mobile",
            "landline",
            "email",
            "postcode",
            "hardship",
            "location_intention",
            "intentions",
            "service_needs",
            "unemployment_cert_no",
            "unemployment_cert_date",
        ]
        widgets = {
            "graduation_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "unemployment_cert_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_nul(self)
        self.fields["gender"].required = False
        self.fields["gender"].help_text = "可不填，由公民身份号码得出"
        self.fields["university"].queryset = Office.objects.filter(kind=OfficeKind.UNIVERSITY).order_by(
            "name"
        )
        self.fields["university"].empty_label = "（不在列表中，只填名称）"
        self.fields["university_name"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["cohort"].initial = timezone.localdate().year
        for field in self.fields.values():
            if type(field) is forms.TypedChoiceField and field.choices and field.choices[0][0] == "":
                field.choices = [("", "请选择"), *field.choices[1:]]
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )
            widget.attrs.setdefault("class", css)
            widget.attrs.setdefault("id", f"id_{name}")

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean_id_number(self):
        return normalize_text(self.cleaned_data["id_number"]).upper()

    def clean_mobile(self):
        return check_mobile(self.cleaned_data["mobile"])

    def clean_landline(self):
        return check_landline(self.cleaned_data["landline"])

    def clean_postcode(self):
        return check_postcode(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") is None:
            self._errors.pop("version", None)
            self.add_error(None, MISSING_VERSION)
        university = cleaned.get("university")
        if university is not None and not cleaned.get("university_name"):
            cleaned["university_name"] = university.name
            self.instance.university_name = university.name
        if not cleaned.get("university_name"):
            self.add_error("university_name", "请选择或填写毕业院校。")
        return cleaned

    def _get_validation_exclusions(self):
        # A duplicate (same ID number and cohort) is answered by the action with the existing record, not by the
        # unique constraint's generic error; excluding "cohort" skips just that constraint. The cohort's own
        # checks run in Graduate.clean().
        return {*super()._get_validation_exclusions(), "cohort"}


class VisitForm(forms.ModelForm):
    class Meta:
        model = FollowUpVisit
        fields = ["visited_on", "method", "outcome", "destination", "employer", "note"]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_nul(self)
        self.fields["note"].max_length = 1000
        self.fields["note"].validators.append(MaxLengthValidator(1000, "回访情况不能超过 1000 个字。"))
        self.fields["note"].widget.attrs["maxlength"] = 1000
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["method"].initial = VisitMethod.PHONE
        self.fields["outcome"].initial = VisitOutcome.REACHED
        self.fields["destination"].choices = [("", "（未落实/不变）"), *Destination.choices]
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class StateForm(forms.Form):
    to_state = forms.ChoiceField(
        choices=State.choices,
        error_messages={
            "required": "请选择要变更的状态。",
            "invalid_choice": "没有这种状态，请在页面上选择。",
        },
    )
    note = forms.CharField(
        max_length=200, required=False, error_messages={"max_length": "说明不能超过 200 个字。"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_nul(self)


class BulkActionForm(forms.Form):
    ACTIONS = [("assign", "指定责任人"), ("unreachable", "标记为无法联系")]

    MAX_IDS = 500  # more than the biggest page (200 rows)

    action = forms.ChoiceField(choices=ACTIONS, error_messages={"invalid_choice": "没有这种批量操作。"})
    ids = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=(),
        required=True,
        error_messages={"required": "请先勾选毕业生。", "invalid_choice": "勾选的记录编号不正确。"},
    )
    staff = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": "该责任人不在可选范围内。"},
    )

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_queryset is not None:
            self.fields["staff"].queryset = staff_queryset
        # The ids are checked against the user's scope by the actions; here only that they are numbers.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit() and len(str(value)) <= 18
        refuse_nul(self)

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if len(ids) > self.MAX_IDS:
            raise forms.ValidationError(f"一次最多处理 {self.MAX_IDS} 名毕业生，请分批操作。")
        return ids

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "assign" and not cleaned.get("staff"):
            self.add_error("staff", "请选择责任人。")
        return cleaned


class PrefillForm(forms.Form):
    """What another page already knows about a person to register (report-in): bounded, never trusted further."""

    name = forms.CharField(max_length=50, required=False)
    id_number = forms.CharField(max_length=30, required=False)
    cohort = forms.IntegerField(min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_nul(self)
