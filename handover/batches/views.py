"""Thin views of the handover: the bureau dispatches and assigns, offices sign for and pass down."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.models import Office, OfficeKind
from core.permissions import employment_office_required
from graduates.paging import CappedPaginator, count_label
from handover.forms import CohortForm
from handover.models import BatchSource, HandoverBatch

from . import actions, selectors
from .forms import AssignForm, QueueViewForm

# The queue's counters stop at 1,000 ("1,000+"): counting further is a join over every held graduate, and the
# bureau works the queue from its top.
QUEUE_COUNT_CAP = 1_000


@employment_office_required
def handover_home(request: HttpRequest) -> HttpResponse:
    is_bureau = selectors.works_for_bureau(request.user)
    context = {
        "is_bureau": is_bureau,
        "batches": selectors.batches_visible_to(request.user)[:50],
        "status": selectors.acknowledgement_status(request.user),
        "share": selectors.my_share(request.user),
        # none outside the bureau
        "queue_count": count_label(selectors.unassigned_queue(request.user), QUEUE_COUNT_CAP),
    }
    if is_bureau:
        form, cohort = _cohort_from(request.GET)
        context.update(cohort_form=form, cohort=cohort, due_dates=selectors.handover_due_dates(cohort=cohort))
    return render(request, "handover/home.html", context)


def _cohort_from(data) -> tuple[CohortForm, int]:
    """The cohort asked for, else this year's (a bad value is answered on the form, not with an error page)."""
    this_year = timezone.localdate().year
    form = CohortForm(data if data.get("cohort") else {"cohort": this_year})
    return form, form.cleaned_data["cohort"] if form.is_valid() else this_year


@require_POST
@employment_office_required
def dispatch_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)
    result = actions.dispatch_batch(batch=batch, acting_user=request.user)
    messages.success(
        request,
        f"已分发 {result.dispatched} 名到 {len(result.by_office)} 个机构；待分配 {result.unassigned} 名；"
        f"已签约不分发 {result.kept} 名"
        + (
            f"；省属院校省外生源 {result.reported_to_mohrss} 名报人社部，不分发"
            if result.reported_to_mohrss
            else ""
        )
        + "。",
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
        form = AssignForm(request.POST, offices=offices)
        if not form.is_valid():
            messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
            return redirect("handover:unassigned")
        office = form.cleaned_data["office"]
        count = actions.assign_from_queue(
            graduate_ids=form.cleaned_data["ids"], office=office, acting_user=request.user
        )
        messages.success(request, f"已将 {count} 名分配给 {office.name}。")
        return redirect("handover:unassigned")
    show = QueueViewForm(request.GET).chosen()
    mohrss = selectors.reported_to_mohrss(request.user)
    listed = mohrss if show == QueueViewForm.MOHRSS else selectors.unassigned_queue(request.user)
    page = CappedPaginator(listed, 50, cap=QUEUE_COUNT_CAP).get_page(request.GET.get("page"))
    graduates = list(page.object_list)
    suggested = (
        selectors.suggested_offices([g.id_number for g in graduates]) if show == QueueViewForm.QUEUE else {}
    )
    rows = [{"g": g, "suggested": suggested.get(g.id_number)} for g in graduates]
    context = {
        "page": page,
        "rows": rows,
        "offices": offices,
        "show": show,
        "mohrss_count": count_label(mohrss, QUEUE_COUNT_CAP),
        "queue_count": count_label(selectors.unassigned_queue(request.user), QUEUE_COUNT_CAP)
        if show == QueueViewForm.MOHRSS
        else (f"{page.paginator.count:,}" if page.paginator.exact else f"{QUEUE_COUNT_CAP:,}+"),
    }
    return render(request, "handover/unassigned.html", context)


@login_required
def education_confirm_view(request: HttpRequest) -> HttpResponse:
    """The Education Dept: the universities' rosters loaded for a cohort, and 确认移交 (no second upload)."""
    from core.models import Role
    from graduates.roster import selectors as roster_selectors

    if request.user.role != Role.EDUCATION_STAFF:
        raise PermissionDenied("只有教育厅工作人员可以确认移交院校名单。")
    form, cohort = _cohort_from(request.POST if request.method == "POST" else request.GET)
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
