"""Thin views of the handover progress and its upward reports (吉人社发〔2022〕21号 annex 2; 人社厅发〔2012〕69号
annex 2). Every download is written to the audit log with its row count."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.audit import record_audit
from core.models import Office
from core.permissions import employment_office_required
from core.spreadsheets import xlsx_response
from handover.batches.selectors import works_for_bureau

from . import exports as reports
from . import progress


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise Http404(f"参数 {name} 无效。")
    return int(value)


def _cohort_param(request: HttpRequest) -> int | None:
    """An optional cohort (届别); anything outside 2000–2100 or not a number is ignored (all cohorts)."""
    value = request.GET.get("cohort", "").strip()
    if value.isdigit() and len(value) == 4 and 2000 <= int(value) <= 2100:
        return int(value)
    return None


@employment_office_required
def progress_view(request: HttpRequest) -> HttpResponse:
    office_id = _int_param(request, "office")
    parent = None
    if office_id is not None:
        parent = Office.objects.filter(pk=office_id).first()
        if parent is None:
            raise Http404("没有这个机构。")
    level = progress.level_for(user=request.user, parent_office=parent)  # PermissionDenied outside the scope
    cohort = _cohort_param(request)
    rows = progress.progress_rows(user=request.user, parent_office=level.parent, cohort=cohort)
    own = progress.level_for(user=request.user).parent
    context = {
        "level": level,
        "rows": rows,
        "up": level.parent.parent if level.parent != own and level.parent.parent_id else None,
        "is_bureau": works_for_bureau(request.user),
        "today": timezone.localdate(),
        "cohort": cohort or timezone.localdate().year,
        "selected_cohort": cohort,
    }
    return render(request, "handover/progress.html", context)


@employment_office_required
def weekly_download(request: HttpRequest) -> HttpResponse:
    as_of = timezone.localdate()
    if request.GET.get("as_of"):
        try:
            as_of = datetime.date.fromisoformat(request.GET["as_of"])
        except ValueError:
            raise Http404("日期无效。") from None
    cohort = _cohort_param(request)
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
    cohort = _cohort_param(request) or timezone.localdate().year
    export = reports.mohrss_summary_export(cohort=cohort, user=request.user)
    record_audit(
        action="handover.report.exported",
        request=request,
        data={"report": "mohrss_summary", "cohort": cohort, "rows": export.rows},
    )
    return xlsx_response(export.content, f"mohrss-summary-{cohort}.xlsx")
