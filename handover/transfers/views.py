"""Thin views of transfers: the inbox and outbox page, the decisions, and the request form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.permissions import employment_office_required
from graduates.paging import count_label
from graduates.selectors import get_graduate_for
from handover.models import Transfer

from . import actions, selectors
from .forms import DecisionForm, TransferRequestForm

SHOWN = 100  # rows of each list on the page


@employment_office_required
def transfer_list_view(request: HttpRequest) -> HttpResponse:
    inbox = selectors.inbox(request.user)
    context = {
        "inbox": inbox[:SHOWN],  # oldest first: what waits longest is decided first
        "inbox_count": count_label(inbox),
        "shown": SHOWN,
        "outbox": selectors.outbox(request.user)[:SHOWN],
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


def _decide(request: HttpRequest, pk: int, decide, visible, done: str) -> HttpResponse:
    """Decide a transfer the user may see (any status); one already decided — by the other side, or on a stale
    page — is answered with what happened, not a bare 404."""
    transfer = get_object_or_404(visible(request.user).select_related("decided_by__office"), pk=pk)
    form = DecisionForm(request.POST)
    if transfer.status != Transfer.Status.REQUESTED:
        messages.info(request, actions.decided_message(transfer))
    elif not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
    else:
        try:
            decide(transfer, form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, done.format(name=transfer.graduate.name))
    return redirect("transfers:list")


@require_POST
@employment_office_required
def accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda t, note: actions.accept_transfer(transfer=t, acting_user=request.user, note=note),
        selectors.addressed_to,
        "已接收 {name}。",
    )


@require_POST
@employment_office_required
def reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda t, note: actions.reject_transfer(transfer=t, acting_user=request.user, note=note),
        selectors.addressed_to,
        "已拒绝 {name} 的转移申请。",
    )


@require_POST
@employment_office_required
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda t, note: actions.cancel_transfer(transfer=t, acting_user=request.user),
        selectors.outbox,
        "已撤回 {name} 的转移申请。",
    )
