"""Thin views of the handover progress and its upward reports (吉人社发〔2022〕21号 annex 2; 人社厅发〔2012〕69号
annex 2): the progress page with the weekly submissions (报送本周进度, and for the bureau every office's status),
the stored weekly tables and the live downloads. Every download is written to the audit log with its row count."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import record_audit
from core.models import Office
from core.permissions import employment_office_required
from core.spreadsheets import xlsx_response
from handover.batches.selectors import works_for_bureau

from . import actions, progress, selectors
from . import exports as reports
from .forms import ProgressForm, WeeklySubmitForm
from .snapshot import refresh_snapshot

# The 刷新 button recounts at most this often (a refresh of a million graduates takes seconds).
REFRESH_MIN_AGE = datetime.timedelta(seconds=60)


def _params(request: HttpRequest) -> ProgressForm:
    form = ProgressForm(request.GET)
    form.is_valid()
    return form


def _default_cohort(week: datetime.date) -> int:
    """The cohort whose handover year (July – June) holds WEEK."""
    return week.year if week.month >= 7 else week.year - 1


def _weekly_context(request: HttpRequest, params: ProgressForm, today: datetime.date) -> dict:
    weeks = selectors.recent_weeks(today)
    week = params.value("week")
    if week not in weeks:
        week = weeks[0]
    cohort = params.value("cohort") or _default_cohort(week)
    office = request.user.office
    submissions = selectors.weekly_snapshots_visible_to(request.user).filter(cohort=cohort)
    if not works_for_bureau(request.user):
        submissions = submissions.filter(office=office)
    status = None
    if works_for_bureau(request.user):
        status = selectors.weekly_submission_status(cohort=cohort, week=week, today=today)
    own = selectors.submission_of(office=office, cohort=cohort, week=week) if office is not None else None
    shown = selectors.stored_table(office=office, cohort=cohort, week=week) if office is not None else None
    return {
        "weekly_weeks": weeks,
        "weekly_week": week,
        "weekly_cohort": cohort,
        "weekly_own": own,
        "weekly_table": shown,
        "weekly_table_rows": [
            {**row, "figures": [row.get(name, 0) for name, _ in selectors.WEEKLY_COLUMNS]}
            for row in (shown.rows if shown is not None else [])
        ],
        "weekly_late": today > week,
        "weekly_snapshots": submissions.filter(week__in=weeks).order_by("-week", "office__region_id")[:60],
        "weekly_status": status,
        "weekly_columns": selectors.WEEKLY_COLUMNS,
    }


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
    today = timezone.localdate()
    context = {
        "level": level,
        "rows": table.rows,
        "computed_at": table.computed_at,
        "up": level.parent.parent if level.parent != own and level.parent.parent_id else None,
        "is_bureau": works_for_bureau(request.user),
        "today": today,
        "cohort": cohort or today.year,
        "selected_cohort": cohort,
        **_weekly_context(request, params, today),
    }
    return render(request, "reporting/progress.html", context)


@employment_office_required
@require_POST
def weekly_submit(request: HttpRequest) -> HttpResponse:
    """报送本周进度: store the office's table for the week; back to the page with a message."""
    form = WeeklySubmitForm(request.POST)
    query = {}
    if form.is_valid():
        cohort, week = form.cleaned_data["cohort"], form.cleaned_data["week"]
        query = {"cohort": cohort, "week": week.isoformat()}
        try:
            snapshot = actions.submit_weekly_progress(user=request.user, cohort=cohort, week=week)
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", None) or [str(error)]:
                messages.error(request, message)
        else:
            late = "（逾期报送）" if timezone.localtime(snapshot.generated_at).date() > week else ""
            messages.success(
                request,
                f"已报送 {cohort}届 {week:%Y-%m-%d}（周四）当周进度{late}，共 {snapshot.row_count} 行。",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(f"{reverse('reporting:progress')}?{urlencode(query)}#weekly")


@employment_office_required
def weekly_snapshot_download(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = selectors.weekly_snapshots_visible_to(request.user).defer(None).filter(pk=pk).first()
    if snapshot is None:
        raise Http404("没有这份周进度汇总表。")
    record_audit(
        action="reporting.weekly.downloaded",
        request=request,
        obj=snapshot,
        data={"cohort": snapshot.cohort, "week": snapshot.week.isoformat(), "rows": snapshot.row_count},
    )
    response = xlsx_response(bytes(snapshot.content), snapshot.filename)
    response["Cache-Control"] = "no-store"
    return response


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
