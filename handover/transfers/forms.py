"""Forms of transfers: the request, and the note of a decision."""

from __future__ import annotations

from django import forms

from core.models import Region
from handover.forms import text_messages
from handover.models import Transfer

from . import actions, selectors

OUT_OF_PROVINCE = "out"
NOTE_MAX = Transfer._meta.get_field("decision_note").max_length
REASON_MAX = Transfer._meta.get_field("reason").max_length


class TransferRequestForm(forms.Form):
    target = forms.ChoiceField(
        label="接收机构",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"required": "请选择接收机构。", "invalid_choice": "请选择列表中的接收机构。"},
    )
    region_code = forms.CharField(
        label="省外现居住地（区划代码）",
        max_length=6,
        required=False,
        error_messages=text_messages("区划代码", 6),
        help_text="转出省外时填写，6 位行政区划代码，如 620102",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm font-monospace", "size": 8}),
    )
    reason = forms.CharField(
        label="转移原因",
        max_length=REASON_MAX,
        error_messages=text_messages("转移原因", REASON_MAX),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, exclude_office_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = [
            (label, [(str(pk), name) for pk, name in options])
            for label, options in selectors.receiving_office_groups(exclude_id=exclude_office_id)
        ]
        self.fields["target"].choices = [
            ("", "请选择"),
            *groups,
            ("省外", [(OUT_OF_PROVINCE, "省外（转出本省）")]),
        ]

    def clean(self):
        data = super().clean()
        target = data.get("target")
        data["to_office"] = data["to_region"] = None
        if target == OUT_OF_PROVINCE:
            code = (data.get("region_code") or "").strip()
            region = Region.objects.filter(code=code).first() if code else None
            if region is None:
                self.add_error("region_code", "转出省外时请填写有效的 6 位区划代码。")
            data["to_region"] = region
        elif target:
            data["to_office"] = actions.receiving_offices().filter(pk=int(target)).first()
        return data


class DecisionForm(forms.Form):
    """The receiving office's opinion (required to reject: the action says so)."""

    note = forms.CharField(
        required=False, max_length=NOTE_MAX, error_messages=text_messages("处理意见", NOTE_MAX)
    )
