from __future__ import annotations

from django import forms

from graduates.forms import refuse_nul


class ContactedForm(forms.Form):
    note = forms.CharField(
        max_length=200, required=False, error_messages={"max_length": "联系情况不能超过 200 个字。"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_nul(self)


class ConflictForm(forms.Form):
    field = forms.CharField(max_length=40, error_messages={"required": "请选择要处理的字段。"})
    decision = forms.ChoiceField(
        choices=[("accept", "采用本人填写"), ("keep", "保留现有")],
        error_messages={"required": "请选择处理方式。", "invalid_choice": "请选择处理方式。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_nul(self)
