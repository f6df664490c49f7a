"""The purpose step before a bulk download of personal data (GB/T 35273-2020 §7: use only for the stated purpose).

A download of more rows than EXPORT_PURPOSE_THRESHOLD first shows a small form (templates/core/purpose.html) that
posts back to the same address with the purpose; the view then builds the file and stores the purpose with its
audit row (`core.audit.record_export`). In a view:

    step = purpose_step(request, rows=count, what="无法联系名单")
    if step.response is not None:
        return step.response
    ... record_export(..., rows=count, purpose=step.purpose) ...

The view must accept POST (the form posts back, with its CSRF token, to the same URL and query)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from import_export.forms import SelectableFieldsExportForm

PURPOSE_MIN_LENGTH = 4
PURPOSE_MAX_LENGTH = 200


class PurposeForm(forms.Form):
    purpose = forms.CharField(
        label="使用目的",
        min_length=PURPOSE_MIN_LENGTH,
        max_length=PURPOSE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": PURPOSE_MAX_LENGTH}),
        help_text=f"{PURPOSE_MIN_LENGTH}–{PURPOSE_MAX_LENGTH} 字，例如“按月向人社部报送汇总表”。",
        error_messages={
            "required": "请填写使用目的。",
            "min_length": f"使用目的至少 {PURPOSE_MIN_LENGTH} 个字。",
            "max_length": f"使用目的最多 {PURPOSE_MAX_LENGTH} 个字。",
        },
    )

    def clean_purpose(self) -> str:
        return " ".join(self.cleaned_data["purpose"].replace("\x00", "").split())


def needs_purpose(rows: int) -> bool:
    return rows > settings.EXPORT_PURPOSE_THRESHOLD


@dataclass
class PurposeStep:
    purpose: str  # "" when the download is small enough to need none
    response: HttpResponse | None  # the form to show instead of the download, when one is still needed


def purpose_step(request: HttpRequest, *, rows: int, what: str) -> PurposeStep:
    """The stated purpose of this download of ROWS rows of WHAT, or the form asking for it."""
    form = PurposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return PurposeStep(form.cleaned_data["purpose"], None)
    if not needs_purpose(rows):
        return PurposeStep("", None)
    response = render(
        request,
        "core/purpose.html",
        {
            "form": form,
            "what": what,
            "rows": rows,
            "threshold": settings.EXPORT_PURPOSE_THRESHOLD,
            "action": request.get_full_path(),
            "back": request.headers.get("Referer", "") if _same_site(request) else "",
        },
        status=400 if form.is_bound else 200,
    )
    response["Cache-Control"] = "no-store"
    return PurposeStep("", response)


def _same_site(request: HttpRequest) -> bool:
    referer = request.headers.get("Referer", "")
    return referer.startswith(f"{request.scheme}://{request.get_host()}/")


# --- the admin's export (django-import-export): the purpose is one more field of its export form ---------------


class PurposeExportForm(SelectableFieldsExportForm):
    """import-export's form plus the purpose, required when the export holds more than the threshold."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["purpose"] = forms.CharField(
            label="使用目的",
            required=False,
            min_length=PURPOSE_MIN_LENGTH,
            max_length=PURPOSE_MAX_LENGTH,
            strip=True,
            widget=forms.Textarea(attrs={"rows": 2, "cols": 60, "maxlength": PURPOSE_MAX_LENGTH}),
            help_text=f"导出超过 {settings.EXPORT_PURPOSE_THRESHOLD} 人时必填（GB/T 35273-2020 第 7 条），"
            "与本次导出一同记入审计日志。",
        )


def export_form_purpose(form, rows: int) -> str:
    """The purpose typed into the admin's export FORM; a ValueError (shown by import-export above the form) when
    ROWS need one and none was given."""
    purpose = " ".join(form.cleaned_data.get("purpose", "").split()) if form is not None else ""
    if needs_purpose(rows) and not purpose:
        message = (
            f"本次导出 {rows} 人，超过 {settings.EXPORT_PURPOSE_THRESHOLD} 人：请填写使用目的"
            "（GB/T 35273-2020 第 7 条）。"
        )
        if form is not None:
            form.add_error("purpose", message)
        raise ValueError(message)
    return purpose
