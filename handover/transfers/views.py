"""Thin views of transfers: the inbox and outbox page, the decisions, and the request form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.models import Region
from core.permissions import employment_office_required
from graduates.selectors import get_graduate_for

from . import actions, selectors

OUT_OF_PROVINCE = "out"


class TransferRequestForm(forms.Form):
    target = forms.ChoiceField(
        label="接收机构", widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    region_code = forms.CharField(
        label="省外现居住地（区划代码）",
        max_length=6,
        required=False,
        help_text="转出省外时填写，6 位行政区划代码，如 620102",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm font-monospace", "size": 8}),
    )
    reason = forms.CharField(
        label="转移原因",
        max_length=300,
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


@employment_office_required
def transfer_list_view(request: HttpRequest) -> HttpResponse:
    context = {
        "inbox": selectors.inbox(request.user),
        "outbox": selectors.outbox(request.user)[:100],
    }
    return render(request, "handover/transfers.html", context)


@employment_office_required
def transfer_request_view(request: HttpRequest, graduate_id: int) -> HttpResponse:
    graduate = get_graduate_for(user=request.user, pk=graduate_id)
    open_transfer = selectors.open_transfer_for(graduate.pk)
    form = TransferRequestForm(request.POST or None, exclude_office_id=graduate.responsible_office_id)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_transfer(
                graduate=graduate,
                to_office=form.cleaned_data["to_office"],
                to_region=form.cleaned_data["to_region"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, f"已提交 {graduate.name} 的转移。")
            return redirect("graduates:detail", pk=graduate.pk)
    context = {"graduate": graduate, "form": form, "open_transfer": open_transfer}
    return render(request, "handover/transfer_form.html", context)


def _decide(request: HttpRequest, pk: int, decide, box, done: str) -> HttpResponse:
    transfer = get_object_or_404(box(request.user), pk=pk)
    try:
        decide(transfer)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done.format(name=transfer.graduate.name))
    return redirect("transfers:list")


@require_POST
@employment_office_required
def accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _decide(
        request,
        pk,
        lambda t: actions.accept_transfer(transfer=t, acting_user=request.user, note=note),
        selectors.inbox,
        "已接收 {name}。",
    )


@require_POST
@employment_office_required
def reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _decide(
        request,
        pk,
        lambda t: actions.reject_transfer(transfer=t, acting_user=request.user, note=note),
        selectors.inbox,
        "已拒绝 {name} 的转移申请。",
    )


@require_POST
@employment_office_required
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda t: actions.cancel_transfer(transfer=t, acting_user=request.user),
        selectors.outbox,
        "已撤回 {name} 的转移申请。",
    )
