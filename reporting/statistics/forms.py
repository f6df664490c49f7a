from django import forms

from .selectors import BREAKDOWNS, FIRST_COHORT, LAST_COHORT

BOUNDS = f"届别应为 {FIRST_COHORT}–{LAST_COHORT} 之间的年份，例如 2026。"


class StatisticsFilterForm(forms.Form):
    """The page's filters, all in the URL: cohort, office to drill down to, one breakdown (empty: all)."""

    cohort = forms.IntegerField(
        label="届别",
        required=False,
        min_value=FIRST_COHORT,
        max_value=LAST_COHORT,
        error_messages={"invalid": BOUNDS, "min_value": BOUNDS, "max_value": BOUNDS},
    )
    office = forms.IntegerField(
        label="机构",
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": "机构编号无效。",
            "min_value": "机构编号无效。",
            "max_value": "机构编号无效。",
        },
    )
    breakdown = forms.ChoiceField(
        label="统计项目",
        required=False,
        choices=[("", "全部"), *BREAKDOWNS.items()],
        error_messages={"invalid_choice": "没有这个统计项目，已显示全部项目。"},
    )
    part = forms.BooleanField(required=False, widget=forms.HiddenInput)  # only the breakdown's section (htmx)
