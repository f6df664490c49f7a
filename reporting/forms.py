import datetime

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone

from .selectors import cohort_for_month


class MonthForm(forms.Form):
    month = forms.CharField(
        label="月份",
        max_length=7,
        required=False,
        validators=[RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "月份应为 YYYY-MM，例如 2025-09。")],
    )
    cohort = forms.IntegerField(
        label="届别",
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"min_value": "届别应在 2000–2100 之间。", "max_value": "届别应在 2000–2100 之间。"},
    )

    def month_value(self) -> datetime.date:
        text = self.cleaned_data.get("month") if self.is_valid() else None
        if text:
            year, month = text.split("-")
            return datetime.date(int(year), int(month), 1)
        return timezone.localdate().replace(day=1)

    def cohort_value(self) -> int | None:
        cohort = self.cleaned_data.get("cohort") if self.is_valid() else None
        return cohort or cohort_for_month(self.month_value())


class JobForm(forms.Form):
    """?job=<uuid>: the worker's job whose progress the page shows."""

    job = forms.UUIDField(required=False)
