"""统计分析: a cohort's figures for the user's scope with charts and tables, drill-down to child offices, and the
audited .xlsx of every chart's numbers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.audit import record_audit
from core.spreadsheets import xlsx_response
from services.plans import active_standard

from . import selectors, workbook
from .forms import StatisticsFilterForm


def _parse(request: HttpRequest) -> tuple[StatisticsFilterForm, dict]:
    """The filters: invalid ones are dropped (the form keeps their messages), the rest with their defaults."""
    if not selectors.may_see_statistics(request.user):
        raise PermissionDenied("统计分析仅供就业服务机构和教育厅查看。")
    form = StatisticsFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    office_id = data.get("office") if "office" not in form.errors else None
    if "office" in form.errors:
        raise Http404("没有这个机构的统计。")
    try:
        scope = selectors.statistics_scope(request.user, office_id)
    except selectors.OutOfScope:
        raise Http404("没有这个机构的统计。") from None
    cohort = data.get("cohort") or selectors.default_cohort(timezone.localdate())
    return form, {"scope": scope, "cohort": cohort, "only": data.get("breakdown") or None}


def _query(**values) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@login_required
@require_safe
def statistics_page(request: HttpRequest) -> HttpResponse:
    form, f = _parse(request)
    scope, cohort, only = f["scope"], f["cohort"], f["only"]
    bad_cohort = "cohort" in form.errors
    breakdowns = [] if bad_cohort else selectors.statistics(
        scope=scope, cohort=cohort, as_of=timezone.localdate(), only=only
    )  # fmt: skip
    office_id = scope.office.pk if scope.office is not None and scope.office != scope.home else None
    shown = {b.key for b in breakdowns}
    context = {
        "form": form,
        "scope": scope,
        "cohort": cohort,
        "only": only,
        "bad_cohort": bad_cohort,
        "breakdowns": breakdowns,
        "choices": {
            k: v for k, v in selectors.BREAKDOWNS.items() if k != "compliance" or not scope.by_university
        },
        "crumbs": selectors.breadcrumbs(scope),
        "office_id": office_id,
        "has_standard": active_standard() is not None,
        "compliance_missing": "compliance" not in shown
        and only in (None, "compliance")
        and scope.office_ids is not None,
        "charts": {b.key: b.chart_data() for b in breakdowns},
        "base_query": _query(cohort=cohort, office=office_id),
        "download_query": _query(cohort=cohort, office=office_id, breakdown=only),
        "cohorts": list(range(cohort - 2, cohort + 2)),
    }
    response = render(request, "reporting/statistics.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def statistics_download(request: HttpRequest) -> HttpResponse:
    form, f = _parse(request)
    if form.errors:
        raise Http404("统计条件有误，请在统计分析页重新选择。")
    scope, cohort, only = f["scope"], f["cohort"], f["only"]
    breakdowns = selectors.statistics(scope=scope, cohort=cohort, as_of=timezone.localdate(), only=only)
    content = workbook.write_statistics(
        breakdowns=breakdowns,
        cohort=cohort,
        scope=scope,
        user=request.user,
        generated_at=timezone.localtime(),
    )
    record_audit(
        action="reporting.statistics.downloaded",
        request=request,
        obj=scope.office,
        data={"cohort": cohort, "breakdowns": [b.key for b in breakdowns], "scope": scope.level},
    )
    response = xlsx_response(content, workbook.filename(cohort, scope, only))
    response["Cache-Control"] = "no-store"
    return response
