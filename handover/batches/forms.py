"""Forms of the batches part: the 待分配 queue's assignment and its view switch."""

from __future__ import annotations

from django import forms

from handover.forms import IdListField


class AssignForm(forms.Form):
    """The bureau gives the ticked graduates of its 待分配 queue to one office."""

    office = forms.ModelChoiceField(
        queryset=None,
        error_messages={
            "required": "请选择一个接收机构。",
            "invalid_choice": "请选择一个接收机构。",
        },
    )
    ids = IdListField(required=False)

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices

    def clean_ids(self) -> list[int]:
        ids = self.cleaned_data["ids"]
        if not ids:
            raise forms.ValidationError("请勾选要分配的毕业生。")
        return ids


class QueueViewForm(forms.Form):
    """Which list the queue page shows: the 待分配 queue or the graduates reported to MOHRSS."""

    QUEUE, MOHRSS = "queue", "mohrss"
    show = forms.ChoiceField(choices=[(QUEUE, "待分配"), (MOHRSS, "省外生源（报人社部）")], required=False)

    def chosen(self) -> str:
        return (self.cleaned_data.get("show") if self.is_valid() else None) or self.QUEUE
