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
    """The page. With every breakdown (the default) it is a frame whose sections each load their own figures
    (htmx, one request a breakdown: at province scale each is an aggregate over hundreds of thousands of rows, so
    the first ones show while the others are counted); with ?breakdown=X that one is computed in the page, and
    with &part=1 only its section is sent (what the frame loads)."""
    form, f = _parse(request)
    scope, cohort, only = f["scope"], f["cohort"], f["only"]
    bad_cohort = "cohort" in form.errors
    office_id = scope.office.pk if scope.office is not None and scope.office != scope.home else None
    choices = {k: v for k, v in selectors.BREAKDOWNS.items() if k != "compliance" or not scope.by_university}
    part = bool(form.cleaned_data.get("part")) and only is not None
    breakdowns = []
    if only is not None and not bad_cohort:
        breakdowns = selectors.statistics(
            scope=scope, cohort=cohort, as_of=timezone.localdate(), only=only, live=not part
        )
    context = {
        "form": form,
        "scope": scope,
        "cohort": cohort,
        "only": only,
        "bad_cohort": bad_cohort,
        "breakdowns": breakdowns,
        "sections": [] if only is not None or bad_cohort else list(choices.items()),
        "part": part,
        "choices": choices,
        "crumbs": selectors.breadcrumbs(scope),
        "office_id": office_id,
        "has_standard": active_standard() is not None,
        "compliance_missing": only == "compliance" and not breakdowns and scope.office_ids is not None,
        "may_compute_live": scope.level != "province",
        "base_query": _query(cohort=cohort, office=office_id),
        "download_query": _query(cohort=cohort, office=office_id, breakdown=only),
    }
    template = (
        "reporting/statistics_part.html"
        if form.cleaned_data.get("part") and only
        else "reporting/statistics.html"
    )
    response = render(request, template, context)
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
