"""The monthly 汇总表 page: generate, list, download (audited), difference to last month, submission status."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.audit import record_export
from core.models import Office, OfficeKind
from core.permissions import employment_office_required
from core.purpose import purpose_step
from core.spreadsheets import xlsx_response

from . import actions, selectors
from .forms import JobForm, MonthForm


def _own_scope(request: HttpRequest) -> Office | None:
    """The scope the user reports for: the whole province for the bureau, else their office's subtree."""
    office = request.user.office
    return None if office is not None and office.kind == OfficeKind.BUREAU else office


@employment_office_required
@require_http_methods(["GET", "HEAD", "POST"])
def monthly_view(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.POST if request.method == "POST" else request.GET)
    month = form.month_value()
    cohort = form.cohort_value()
    office = _own_scope(request)
    if request.method == "POST":
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        elif cohort is None:
            messages.error(request, "7月不属于任何届别的报送期（8月至次年6月），请指定届别。")
        else:
            try:
                started = actions.start_monthly_generation(
                    cohort=cohort, month=month, office=office, user=request.user
                )
            except selectors.ReportingWindowError as error:
                messages.error(request, str(error))
            except PermissionDenied as error:
                messages.error(request, str(error))
            else:
                if started.snapshot is not None:
                    snapshot = started.snapshot
                    messages.success(
                        request,
                        f"已生成 {snapshot.cohort}届 {month:%Y-%m} 汇总表第 {snapshot.version} 版，"
                        f"共 {snapshot.row_count} 人。",
                    )
                else:
                    messages.info(
                        request,
                        f"该表共 {started.rows} 人，已交由后台生成；可以离开本页，完成后在本页列表中查看新版本。",
                    )
                    return redirect(
                        f"{reverse('reporting:monthly')}?month={month:%Y-%m}&cohort={cohort}&job={started.job_id}"
                    )
        return redirect(f"{reverse('reporting:monthly')}?month={month:%Y-%m}&cohort={cohort or ''}")
    visible = selectors.snapshots_visible_to(request.user)
    listed = visible.filter(month=month)
    if cohort is not None:
        listed = listed.filter(cohort=cohort)
    difference = previous = current = None
    if cohort is not None:
        current = selectors.latest_snapshot(cohort=cohort, month=month, office=office)
        if current is not None:
            previous = selectors.latest_snapshot(
                cohort=cohort, month=selectors.previous_month(month), office=office
            )
            difference = selectors.snapshot_difference(current, previous)
    status = None
    if office is None and cohort is not None:
        status = [
            {**row, "label": selectors.STATUS_LABELS[row["status"]]}
            for row in selectors.submission_status(cohort=cohort, month=month)
        ]
    job = None
    job_form = JobForm(request.GET)
    if request.method != "POST" and job_form.is_valid() and job_form.cleaned_data["job"]:
        job = selectors.monthly_job(job_id=str(job_form.cleaned_data["job"]), user=request.user)
    context = {
        "job": job,
        "form": form,
        "month": month,
        "cohort": cohort,
        "scope_name": office.name if office is not None else "全省",
        "snapshots": listed[:100],
        "current": current,
        "previous": previous,
        "difference": difference,
        "status": status,
        "due": selectors.due_date(month),
        "today": timezone.localdate(),
    }
    return render(request, "reporting/monthly.html", context)


@employment_office_required
def snapshot_download(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = selectors.snapshots_visible_to(request.user).defer(None).filter(pk=pk).first()
    if snapshot is None:
        raise Http404("没有这份汇总表。")
    step = purpose_step(request, rows=snapshot.row_count, what="月度汇总表")
    if step.response is not None:
        return step.response
    record_export(
        action="reporting.monthly.downloaded",
        request=request,
        obj=snapshot,
        rows=snapshot.row_count,
        purpose=step.purpose,
        scope=snapshot.office.name if snapshot.office_id else "全省",
        data={"cohort": snapshot.cohort, "month": f"{snapshot.month:%Y-%m}", "version": snapshot.version},
    )
    response = xlsx_response(bytes(snapshot.content), snapshot.filename)
    response["Cache-Control"] = "no-store"
    return response


@employment_office_required
def monthly_job_view(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The progress bar of a table a worker builds (polled by htmx every second until it ends)."""
    job = selectors.monthly_job(job_id=str(job_id), user=request.user)
    if job is None:
        raise Http404("没有这项生成任务。")
    response = render(request, "reporting/_monthly_job.html", {"job": job})
    if job["state"] == "done":
        response["HX-Refresh"] = "true"  # reload the page once: its list of versions shows the new one
    return response
