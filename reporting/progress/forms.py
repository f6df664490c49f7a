"""Query parameters of the progress pages and their downloads, bounded by forms."""

from __future__ import annotations

from django import forms

from handover.forms import cohort_field


class ProgressForm(forms.Form):
    """?office= drills down (a bad value is a 404: no such office); ?cohort= narrows and ?week= picks the week of
    the weekly submissions (a bad value is ignored)."""

    office = forms.IntegerField(required=False, min_value=1, max_value=10**12)
    cohort = cohort_field(required=False)
    as_of = forms.DateField(required=False)
    week = forms.DateField(required=False)

    def value(self, name: str):
        """The field's value when it is valid, else None (the form is checked once)."""
        self.is_valid()
        return self.cleaned_data.get(name)


class WeeklySubmitForm(forms.Form):
    """报送本周进度: the cohort and the week (a Thursday of the last four weeks)."""

    cohort = cohort_field()
    week = forms.DateField(label="周", error_messages={"required": "请选择周。", "invalid": "周的日期无效。"})
