"""Thin views of the handover: the bureau dispatches and assigns, offices sign for and pass down."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.models import Office, OfficeKind
from core.permissions import employment_office_required
from handover.models import BatchSource, HandoverBatch

from . import actions, selectors


@employment_office_required
def handover_home(request: HttpRequest) -> HttpResponse:
    context = {
        "is_bureau": selectors.works_for_bureau(request.user),
        "batches": selectors.batches_visible_to(request.user)[:50],
        "status": selectors.acknowledgement_status(request.user),
        "share": selectors.my_share(request.user),
        "queue_count": selectors.unassigned_queue(request.user).count(),  # none outside the bureau
    }
    return render(request, "handover/home.html", context)


@require_POST
@employment_office_required
def dispatch_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)
    result = actions.dispatch_batch(batch=batch, acting_user=request.user)
    messages.success(
        request,
        f"已分发 {result.dispatched} 名到 {len(result.by_office)} 个机构；待分配 {result.unassigned} 名；"
        f"已签约不分发 {result.kept} 名。",
    )
    return redirect("handover:home")


@require_POST
@employment_office_required
def acknowledge_view(request: HttpRequest) -> HttpResponse:
    count = actions.acknowledge(office=request.user.office, acting_user=request.user)
    messages.success(request, f"已签收 {count} 名毕业生。请逐一联系核实。")
    return redirect("handover:home")


@require_POST
@employment_office_required
def pass_down_view(request: HttpRequest) -> HttpResponse:
    try:
        by_county = actions.pass_down_to_counties(office=request.user.office, acting_user=request.user)
    except ValidationError as exc:
        raise PermissionDenied("；".join(exc.messages)) from None
    messages.success(request, f"已下发 {sum(by_county.values())} 名到 {len(by_county)} 个县（市、区）。")
    return redirect("handover:home")


@employment_office_required
def unassigned_view(request: HttpRequest) -> HttpResponse:
    if not selectors.works_for_bureau(request.user):
        raise PermissionDenied("待分配名单由省就业服务局处理。")
    offices = (
        Office.objects.employment_offices().active().exclude(kind=OfficeKind.BUREAU).order_by("region_id")
    )
    if request.method == "POST":
        office_id = request.POST.get("office", "").strip()
        office = (
            offices.filter(pk=int(office_id)).first() if office_id.isdigit() and len(office_id) < 12 else None
        )
        if office is None:
            messages.error(request, "请选择一个接收机构。")
            return redirect("handover:unassigned")
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        count = actions.assign_from_queue(graduate_ids=ids, office=office, acting_user=request.user)
        messages.success(request, f"已将 {count} 名分配给 {office.name}。")
        return redirect("handover:unassigned")
    page = Paginator(selectors.unassigned_queue(request.user), 50).get_page(request.GET.get("page"))
    rows = [{"g": g, "suggested": actions.suggested_office(g.id_number)} for g in page.object_list]
    return render(request, "handover/unassigned.html", {"page": page, "rows": rows, "offices": offices})


class CohortForm(forms.Form):
    cohort = forms.IntegerField(
        label="届别",
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "届别应为四位年份。",
            "min_value": "届别应在 2000 至 2100 之间。",
            "max_value": "届别应在 2000 至 2100 之间。",
        },
    )


@login_required
def education_confirm_view(request: HttpRequest) -> HttpResponse:
    """The Education Dept: the universities' rosters loaded for a cohort, and 确认移交 (no second upload)."""
    from core.models import Role
    from graduates.roster import selectors as roster_selectors

    if request.user.role != Role.EDUCATION_STAFF:
        raise PermissionDenied("只有教育厅工作人员可以确认移交院校名单。")
    data = request.POST if request.method == "POST" else request.GET
    form = CohortForm(data if data.get("cohort") else {"cohort": timezone.localdate().year})
    cohort = form.cleaned_data["cohort"] if form.is_valid() else timezone.localdate().year
    if request.method == "POST" and form.is_valid():
        batch = actions.confirm_university_rosters(cohort=cohort, acting_user=request.user)
        if batch is None:
            messages.info(request, f"{cohort}届没有尚未移交的院校名单人员。")
        else:
            messages.success(
                request, f"已确认移交 {batch.total} 名（{cohort}届），省就业服务局将按生源地分发。"
            )
        return redirect(f"{reverse('handover:education')}?cohort={cohort}")
    rows = roster_selectors.university_upload_status(user=request.user, cohort=cohort)
    due = roster_selectors.due_date(cohort)
    confirmed = HandoverBatch.objects.filter(source=BatchSource.EDUCATION, cohort=cohort).order_by(
        "-created_at"
    )
    return render(
        request,
        "handover/education.html",
        {"form": form, "cohort": cohort, "rows": rows, "due": due, "confirmed": confirmed},
    )
