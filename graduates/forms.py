from __future__ import annotations

from django import forms
from django.utils import timezone

from core.models import Office, OfficeKind, Region, User

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
            "id_number": forms.TextInput(attrs={"maxlength": 18, "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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

    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), required=True, error_messages={"required": "请先勾选毕业生。"}
    )
    staff = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_queryset is not None:
            self.fields["staff"].queryset = staff_queryset
        # The ids are checked against the user's scope by the actions; here only that they are numbers.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()

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
