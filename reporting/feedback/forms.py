from django import forms

from .selectors import FIRST_COHORT, LAST_COHORT

BOUNDS = f"届别应为 {FIRST_COHORT}–{LAST_COHORT} 之间的年份，例如 2025。"


class CohortForm(forms.Form):
    cohort = forms.IntegerField(
        label="届别",
        required=False,
        min_value=FIRST_COHORT,
        max_value=LAST_COHORT,
        error_messages={"invalid": BOUNDS, "min_value": BOUNDS, "max_value": BOUNDS},
    )
