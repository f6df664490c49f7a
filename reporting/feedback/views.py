"""The January feedback to universities: the list of universities with their row counts, and the audited
downloads (one university's .xlsx; every visible university's in one zip for the Education Dept and the bureau)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.audit import record_export
from core.models import Role
from core.purpose import purpose_step
from core.spreadsheets import xlsx_response
from reporting.cells import date_cn

from . import selectors, workbook
from .forms import CohortForm


def _cohort(request: HttpRequest) -> tuple[CohortForm, int | None]:
    """The asked cohort (default: the one whose feedback is due this January), or None with the form's errors."""
    form = CohortForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["cohort"] or selectors.default_cohort(timezone.localdate())


def _back_to_page(request: HttpRequest) -> HttpResponse:
    query = urlencode({"cohort": request.GET.get("cohort", "")[:20]})
    return redirect(f"{reverse('reporting:feedback')}?{query}")


def _download_cohort(request: HttpRequest) -> int | None:
    """A download's cohort, or None after putting the reason on the page the user is sent back to."""
    _form, cohort = _cohort(request)
    if cohort is None:
        return None
    if not selectors.is_open(cohort, timezone.localdate()):
        messages.error(
            request, f"{cohort}届的服务情况反馈于 {date_cn(selectors.opens_on(cohort))} 开放下载。"
        )
        return None
    return cohort


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def feedback_page(request: HttpRequest) -> HttpResponse:
    if not selectors.may_see_feedback(request.user):
        raise PermissionDenied("毕业生服务反馈仅供院校、教育厅和省就业服务局查看。")
    today = timezone.localdate()
    form, cohort = _cohort(request)
    universities = list(selectors.feedback_universities(request.user))
    rows = []
    is_open = cohort is not None and selectors.is_open(cohort, today)
    if cohort is not None and is_open:
        counts = selectors.row_counts(cohort=cohort, universities=universities)
        rows = [{"university": u, "count": counts.get(u.pk, 0)} for u in universities]
    context = {
        "form": form,
        "cohort": cohort,
        "is_open": is_open,
        "opens_on": selectors.opens_on(cohort) if cohort is not None else None,
        "due_on": selectors.due_on(cohort) if cohort is not None else None,
        "overdue_passed": cohort is not None and today > selectors.due_on(cohort),
        "rows": rows,
        "total": sum(r["count"] for r in rows),
        "may_zip": len(universities) > 1,
        "is_university": request.user.role == Role.UNIVERSITY_STAFF,
        "today": today,
    }
    return _no_store(render(request, "reporting/feedback.html", context))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])  # POST: the purpose step (core/purpose.py)
def feedback_download(request: HttpRequest, university_id: int) -> HttpResponse:
    university = selectors.feedback_universities(request.user).filter(pk=university_id).first()
    if university is None:
        raise Http404("没有这所院校的反馈表。")
    cohort = _download_cohort(request)
    if cohort is None:
        return _back_to_page(request)
    rows = selectors.row_counts(cohort=cohort, universities=[university]).get(university.pk, 0)
    step = purpose_step(request, rows=rows, what=f"{university.name}服务情况反馈表")
    if step.response is not None:
        return step.response
    content, count = workbook.write_feedback(
        cohort=cohort,
        university=university,
        rows=selectors.feedback_rows(cohort=cohort, university=university),
        user=request.user,
        generated_at=timezone.now(),
    )
    record_export(
        action="reporting.feedback.downloaded",
        request=request,
        obj=university,
        rows=count,
        purpose=step.purpose,
        scope=university.name,
        data={"cohort": cohort},
    )
    return _no_store(xlsx_response(content, workbook.filename(cohort, university)))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])  # POST: the purpose step (core/purpose.py)
def feedback_zip(request: HttpRequest) -> HttpResponse:
    universities = list(selectors.feedback_universities(request.user))
    if len(universities) < 2:
        raise Http404("请下载本校的反馈表。")
    cohort = _download_cohort(request)
    if cohort is None:
        return _back_to_page(request)
    rows = sum(selectors.row_counts(cohort=cohort, universities=universities).values())
    step = purpose_step(request, rows=rows, what="全部院校服务情况反馈表")
    if step.response is not None:
        return step.response
    content, count = workbook.write_feedback_zip(
        cohort=cohort, universities=universities, user=request.user, generated_at=timezone.now()
    )
    record_export(
        action="reporting.feedback.downloaded_all",
        request=request,
        rows=count,
        purpose=step.purpose,
        data={"cohort": cohort, "universities": len(universities)},
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'{cohort}届毕业生就业服务情况反馈.zip')}"
    )
    return _no_store(response)
