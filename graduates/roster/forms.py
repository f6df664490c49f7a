from django import forms
from django.utils import timezone

from core.models import Office, OfficeKind, User

from ..codes import RosterSource


class UploadForm(forms.Form):
    file = forms.FileField(
        label="名单文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    source = forms.ChoiceField(label="名单来源")
    cohort = forms.IntegerField(label="届别", min_value=2000)
    university = forms.ModelChoiceField(
        label="院校",
        queryset=Office.objects.filter(kind=OfficeKind.UNIVERSITY),
        required=False,
        empty_label="（不限）",
    )

    def __init__(self, *args, user: User, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, RosterSource(s).label) for s in sources]
        self.fields["cohort"].initial = timezone.localdate().year
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
