"""The roster pages: upload, preview with row errors, commit or cancel, progress, downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.audit import record_export
from core.purpose import purpose_step
from core.spreadsheets import xlsx_response

from ..models import RosterUpload
from . import actions, selectors
from .export import invalid_rows_workbook
from .forms import CohortForm, UploadForm
from .template import build_template


@login_required
def upload_list_view(request: HttpRequest) -> HttpResponse:
    sources = actions.sources_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, sources=sources)
    if request.method == "POST":
        if not sources:
            raise PermissionDenied("您所在机构不能导入名单。")
        if form.is_valid():
            try:
                upload = actions.receive_upload(cleaned_data=form.cleaned_data, acting_user=request.user)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                return redirect("roster:detail", pk=upload.pk)
    uploads = Paginator(selectors.uploads_visible_to(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "graduates/roster/list.html",
        {"form": form, "uploads": uploads, "can_upload": bool(sources)},
        status=400 if form.errors else 200,
    )


@login_required
def upload_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.get_upload_for(user=request.user, pk=pk)
    errors = Paginator(upload.errors, 100).get_page(request.GET.get("page"))
    context = {
        "upload": upload,
        "errors": errors,
        "warnings": upload.warnings[:200],
        "conflicts": upload.conflict_list[:200],
    }
    if request.htmx:
        response = render(request, "graduates/roster/_status.html", context)
        if not upload.is_running:
            response["HX-Refresh"] = "true"  # the job ended: show the whole result
        return response
    return render(request, "graduates/roster/detail.html", context)


@require_POST
@login_required
def upload_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.get_upload_for(user=request.user, pk=pk)
    try:
        upload = actions.start_commit(upload=upload, acting_user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("roster:detail", pk=upload.pk)
    except actions.StaleCheck:
        actions.start_check(RosterUpload.objects.get(pk=upload.pk))
        messages.warning(request, "部分记录在检查后被修改过，已重新检查，请核对后再确认导入。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if upload.status == RosterUpload.Status.COMMITTED:
            messages.success(request, f"已导入：新增 {upload.new} 名，更新 {upload.updated} 名。")
            if getattr(upload, "changed_during_commit", 0):
                messages.warning(
                    request,
                    f"另有 {upload.changed_during_commit} 名在导入的同时被经办人员修改，保留了经办人员的值，"
                    "已列入下方的冲突。",
                )
    return redirect("roster:detail", pk=upload.pk)


@require_POST
@login_required
def upload_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.get_upload_for(user=request.user, pk=pk)
    try:
        actions.cancel_upload(upload=upload, acting_user=request.user)
        messages.info(request, "已取消，未导入任何记录。")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("roster:detail", pk=upload.pk)


@login_required
def invalid_rows_view(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.get_upload_for(user=request.user, pk=pk)
    step = purpose_step(request, rows=upload.invalid, what="名单中有误的行")
    if step.response is not None:
        return step.response
    record_export(
        action="roster.invalid_rows_downloaded",
        request=request,
        obj=upload,
        rows=upload.invalid,
        purpose=step.purpose,
    )
    return xlsx_response(invalid_rows_workbook(upload), f"有误的行-{upload.filename}")


@login_required
def template_view(request: HttpRequest) -> HttpResponse:
    cohort = timezone.localdate().year
    return xlsx_response(build_template(cohort=cohort), f"离校未就业高校毕业生名单模板（{cohort}届）.xlsx")


@login_required
def university_status_view(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    form = CohortForm(request.GET if request.GET.get("cohort") else {"cohort": this_year})
    cohort = form.cleaned_data["cohort"] if form.is_valid() else this_year
    rows = selectors.university_upload_status(user=request.user, cohort=cohort)
    due = selectors.due_date(cohort)
    return render(
        request,
        "graduates/roster/status.html",
        {
            "form": form,
            "rows": rows,
            "cohort": cohort,
            "due": due,
            "overdue": timezone.localdate() > due,
            "done": sum(1 for r in rows if r["committed"]),
        },
        status=200 if form.is_valid() else 400,
    )
