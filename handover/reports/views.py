"""Thin views of the handover progress and its upward reports (吉人社发〔2022〕21号 annex 2; 人社厅发〔2012〕69号
annex 2). Every download is written to the audit log with its row count."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.audit import record_audit
from core.models import Office
from core.permissions import employment_office_required
from core.spreadsheets import xlsx_response
from handover.batches.selectors import works_for_bureau

from . import exports as reports
from . import progress
from .forms import ProgressForm
from .snapshot import refresh_snapshot

# The 刷新 button recounts at most this often (a refresh of a million graduates takes seconds).
REFRESH_MIN_AGE = datetime.timedelta(seconds=60)


def _params(request: HttpRequest) -> ProgressForm:
    form = ProgressForm(request.GET)
    form.is_valid()
    return form


@employment_office_required
@require_http_methods(["GET", "HEAD", "POST"])
def progress_view(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    if "office" in params.errors:
        raise Http404("参数 office 无效。")
    office_id = params.value("office")
    parent = None
    if office_id is not None:
        parent = Office.objects.filter(pk=office_id).first()
        if parent is None:
            raise Http404("没有这个机构。")
    level = progress.level_for(user=request.user, parent_office=parent)  # PermissionDenied outside the scope
    cohort = params.value("cohort")
    if request.method == "POST":  # 刷新: recount the snapshot now, then show the page again
        if refresh_snapshot(min_age=REFRESH_MIN_AGE) is None:
            messages.info(request, "统计刚刚更新过或正在更新，请稍候再看。")
        return redirect(request.get_full_path())
    table = progress.progress_table(user=request.user, parent_office=level.parent, cohort=cohort)
    own = progress.level_for(user=request.user).parent
    context = {
        "level": level,
        "rows": table.rows,
        "computed_at": table.computed_at,
        "up": level.parent.parent if level.parent != own and level.parent.parent_id else None,
        "is_bureau": works_for_bureau(request.user),
        "today": timezone.localdate(),
        "cohort": cohort or timezone.localdate().year,
        "selected_cohort": cohort,
    }
    return render(request, "handover/progress.html", context)


@employment_office_required
def weekly_download(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    if "as_of" in params.errors:
        raise Http404("日期无效。")
    as_of = params.value("as_of") or timezone.localdate()
    cohort = params.value("cohort")
    export = reports.weekly_progress_export(user=request.user, as_of=as_of, cohort=cohort)
    record_audit(
        action="handover.report.exported",
        request=request,
        data={"report": "weekly_progress", "as_of": as_of.isoformat(), "cohort": cohort, "rows": export.rows},
    )
    return xlsx_response(export.content, f"weekly-progress-{as_of:%Y%m%d}.xlsx")


@employment_office_required
def mohrss_download(request: HttpRequest) -> HttpResponse:
    if not works_for_bureau(request.user):
        raise PermissionDenied("向人社部报送的汇总表由省就业服务局导出。")
    cohort = _params(request).value("cohort") or timezone.localdate().year
    export = reports.mohrss_summary_export(cohort=cohort, user=request.user)
    record_audit(
        action="handover.report.exported",
        request=request,
        data={"report": "mohrss_summary", "cohort": cohort, "rows": export.rows},
    )
    return xlsx_response(export.content, f"mohrss-summary-{cohort}.xlsx")
