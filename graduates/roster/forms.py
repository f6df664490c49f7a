from django import forms
from django.utils import timezone

from core.models import Office, OfficeKind, User

from ..codes import RosterSource

FIRST_COHORT = 2000


def last_cohort() -> int:
    """Next year's cohort at the latest (a roster may be prepared before graduation); the same bound as the
    registry's check of a record's 届别."""
    return timezone.localdate().year + 1


def cohort_field(**kwargs) -> forms.IntegerField:
    """届别, a year the registry accepts; any other value answers a Chinese message."""
    message = f"届别应为 {FIRST_COHORT} 至 {last_cohort()} 年之间的四位年份。"
    return forms.IntegerField(
        label="届别",
        min_value=FIRST_COHORT,
        max_value=last_cohort(),
        error_messages={
            "required": "请填写届别。",
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "null_characters_not_allowed": message,
        },
        **kwargs,
    )


class UniversityChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        # Django's own refusal of a NUL byte here reads oddly in Chinese ("不允许是用空字符串"): say what is wrong.
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="名单文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={
            "required": "请选择要上传的名单文件。",
            "invalid": "没有收到文件，请重新选择后上传。",
            "missing": "没有收到文件，请重新选择后上传。",
            "empty": "上传的文件是空的。",
        },
    )
    source = forms.ChoiceField(
        label="名单来源",
        error_messages={
            "required": "请选择名单来源。",
            "invalid_choice": "名单来源无效，请从列表中选择。",
            "null_characters_not_allowed": "名单来源无效，请从列表中选择。",
        },
    )
    cohort = forms.IntegerField()  # replaced in __init__ (its bound follows the current year)
    university = UniversityChoiceField(
        label="院校",
        queryset=Office.objects.filter(kind=OfficeKind.UNIVERSITY),
        required=False,
        empty_label="（不限）",
        error_messages={
            "invalid_choice": "所选院校不存在，请从列表中选择。",
        },
    )

    def __init__(self, *args, user: User, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, RosterSource(s).label) for s in sources]
        self.fields["cohort"] = cohort_field(initial=timezone.localdate().year)
        # Keep the field order: file, source, cohort, university.
        self.order_fields(["file", "source", "cohort", "university"])
        if user.office and user.office.kind == OfficeKind.UNIVERSITY:
            del self.fields["university"]
        for field in self.fields.values():
            css = (
                "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm")):
            raise forms.ValidationError("请上传 Excel 2007 及以上版本的 .xlsx 文件（可先下载模板）。")
        return upload


class CohortForm(forms.Form):
    """The cohort chosen on the Education Dept's page of universities' rosters."""

    cohort = forms.IntegerField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"] = cohort_field()
