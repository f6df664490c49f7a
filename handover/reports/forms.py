"""Query parameters of the progress pages and their downloads, bounded by forms."""

from __future__ import annotations

from django import forms

from handover.forms import cohort_field


class ProgressForm(forms.Form):
    """?office= drills down (a bad value is a 404: no such office); ?cohort= narrows (a bad value is ignored)."""

    office = forms.IntegerField(required=False, min_value=1, max_value=10**12)
    cohort = cohort_field(required=False)
    as_of = forms.DateField(required=False)

    def value(self, name: str):
        """The field's value when it is valid, else None (the form is checked once)."""
        self.is_valid()
        return self.cleaned_data.get(name)
