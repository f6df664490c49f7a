"""Form pieces the handover's parts share: a bounded cohort, a bounded list of ids, Chinese messages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

COHORT_MIN, COHORT_MAX = 2000, 2100
COHORT_MESSAGE = f"届别应为 {COHORT_MIN} 至 {COHORT_MAX} 之间的四位年份。"


def text_messages(label: str, max_length: int) -> dict[str, str]:
    """Chinese messages of a bounded text field (Django's own NUL message reads badly in zh_Hans)."""
    return {
        "required": f"请填写{label}。",
        "max_length": f"{label}不能超过 {max_length} 个字。",
        "null_characters_not_allowed": f"{label}不能包含空字符（NUL）。",
    }


def cohort_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label="届别",
        min_value=COHORT_MIN,
        max_value=COHORT_MAX,
        error_messages={
            "required": "请填写届别。",
            "invalid": COHORT_MESSAGE,
            "min_value": COHORT_MESSAGE,
            "max_value": COHORT_MESSAGE,
        },
        **kwargs,
    )


class CohortForm(forms.Form):
    cohort = cohort_field()


class IdListField(forms.Field):
    """Several ids posted under one name (checkboxes): whole numbers, at most MAX_IDS of them."""

    widget = forms.MultipleHiddenInput
    MAX_IDS = 500

    def to_python(self, value) -> list[int]:
        if value in (None, "", []):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        if len(values) > self.MAX_IDS:
            raise ValidationError(f"一次最多选择 {self.MAX_IDS} 名，请分批处理。", code="too_many")
        ids = []
        for item in values:
            text = str(item).strip()
            if not text.isascii() or not text.isdigit() or len(text) > 12:
                raise ValidationError("所选的人员无效，请刷新页面后重试。", code="invalid")
            ids.append(int(text))
        return ids
