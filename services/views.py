"""Thin views of the service log: parse with a form, call an action or a selector, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.models import OfficeKind
from core.permissions import employment_office_required
from graduates import search_tokens
from graduates import selectors as registry
from graduates.checks import mask_id_number
from graduates.paging import CappedPaginator

from . import actions, selectors
from .codes import PlanState, ServiceType
from .forms import (
    MAX_PASTED,
    BulkForm,
    EventForm,
    LedgerUploadForm,
    LogFilterForm,
    PlanViewForm,
    PostingForm,
    ServiceForm,
    SpecialistForm,
    VoidForm,
)
from .ledger import import_ledger
from .models import JobPosting

PAGE_SIZE = 50
BULK_LIST_SIZE = 200
MAX_PAGE = 10_000


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@require_POST
@employment_office_required
def record_service_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The record page's quick form: log one service, then back to the record with a message."""
    graduate = registry.get_graduate_for(user=request.user, pk=pk)
    form = ServiceForm(request.POST)
    if not form.is_valid():
        errors = [f"{form.fields[name].label}：{'；'.join(errs)}" for name, errs in form.errors.items()]
        messages.error(request, "未记录服务。" + "；".join(errors))
        return redirect("graduates:detail", pk=graduate.pk)
    try:
        entry = actions.log_service(graduate=graduate, acting_user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "未记录服务：" + _messages(exc))
    else:
        messages.success(
            request, f"已记录服务：{entry.get_service_type_display()}（{entry.date:%Y-%m-%d}）。"
        )
    return redirect("graduates:detail", pk=graduate.pk)


@require_POST
@employment_office_required
def void_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_entry_for(user=request.user, pk=pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未作废：" + "；".join(form.errors["reason"]))
    else:
        try:
            actions.void_service(entry=entry, reason=form.cleaned_data["reason"], acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, "未作废：" + _messages(exc))
        else:
            messages.success(request, f"已作废服务记录：{entry}。如需更正，请重新记录一条。")
    if registry.graduates_visible_to(request.user).filter(pk=entry.graduate_id).exists():
        return redirect("graduates:detail", pk=entry.graduate_id)
    return redirect("services:log")


@employment_office_required
def service_log_view(request: HttpRequest) -> HttpResponse:
    """The office's service log: a dense table, filters in the URL, ID numbers masked."""
    form = LogFilterForm(request.GET or None, staff_queryset=selectors.staff_options(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.service_log(user=request.user, filters=filters)
    paginator = CappedPaginator(entries, PAGE_SIZE)  # exact to 10,000 entries, then "约 N"
    page = paginator.get_page(_page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "services/log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "type_labels": dict(ServiceType.choices),
        },
    )


def _posted_ids(request: HttpRequest) -> list[str]:
    values = request.POST.getlist("ids")[: actions.MAX_BULK + 1]
    return [v for v in values if v.isdigit() and len(v) < 19]


@employment_office_required
def bulk_view(request: HttpRequest) -> HttpResponse:
    """One service for many graduates: ticked in the list (the registry's filters in the URL) or pasted ID
    numbers (posted, never in a URL)."""
    params = request.GET.copy()
    if search_tokens.is_token(params.get("q", "")) or search_tokens.is_sensitive(params.get("q", "")):
        params.pop("q")  # an ID number or phone never travels in this page's URL: paste it below instead
    filterset, graduates = registry.graduate_list(user=request.user, params=params)
    listed = list(graduates[:BULK_LIST_SIZE])
    event = _event_from(request)
    if request.method == "POST":
        posted = _posted_ids(request)
        form = BulkForm(request.POST, id_choices=posted)
        if form.is_valid():
            data = form.cleaned_data
            ids = set(data["ids"])
            numbers = data["id_numbers"]
            if numbers:
                found, missing = selectors.graduates_by_id_number(user=request.user, id_numbers=numbers)
                if missing:
                    shown = "、".join(mask_id_number(n) for n in missing[:10])
                    form.add_error(
                        "id_numbers",
                        f"以下 {len(missing)} 个公民身份号码不在本单位的服务范围内（或尚未登记）：{shown}"
                        + ("等" if len(missing) > 10 else "")
                        + "。请删去后再提交。",
                    )
                ids |= {g.pk for g in found}
            if not form.errors:
                try:
                    result = actions.log_service_bulk(
                        graduate_ids=ids,
                        service_type=data["service_type"],
                        date=data["date"],
                        channel=data["channel"],
                        content=data["content"],
                        outcome=data["outcome"],
                        acting_user=request.user,
                        event=event,
                    )
                except ValidationError as exc:
                    form.add_error(None, _messages(exc))
                else:
                    messages.success(
                        request,
                        f"已为 {result.logged} 名毕业生记录服务：{ServiceType(data['service_type']).label}"
                        f"（{data['date']:%Y-%m-%d}）。",
                    )
                    return redirect(reverse("services:log") + f"?service_type={data['service_type']}")
        checked = set(posted)
        status = 400
    else:
        initial = {}
        if event is not None:  # everyone who attended the event: 招聘活动 at the event, its day, its name
            initial = {"service_type": ServiceType.RECRUITMENT, "channel": "event", "date": event.date,
                       "content": event.name}  # fmt: skip
        form = BulkForm(initial=initial)
        checked = set()
        status = 200
    return render(
        request,
        "services/bulk.html",
        {
            "form": form,
            "filter": filterset,
            "graduates": listed,
            "checked": checked,
            "more": len(listed) == BULK_LIST_SIZE,
            "max_pasted": MAX_PASTED,
            "event": event,
        },
        status=status,
    )


@employment_office_required
def ledger_view(request: HttpRequest) -> HttpResponse:
    """Upload the office's ledger (台账): the same checks and report as `import_services`."""
    report = None
    status = 200
    if request.method == "POST":
        form = LedgerUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_ledger(
                    content=upload.read(),
                    office=request.user.office,
                    acting_user=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                if report.file_error:
                    form.add_error("file", report.file_error)
                    report, status = None, 400
        else:
            status = 400
    else:
        form = LedgerUploadForm()
    return render(request, "services/ledger.html", {"form": form, "report": report}, status=status)


def _plan_options(request: HttpRequest) -> tuple[PlanViewForm, datetime.date, bool]:
    form = PlanViewForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["as_of"], form.cleaned_data["mine"]
    return form, timezone.localdate(), False


@employment_office_required
def plan_worklist_view(request: HttpRequest) -> HttpResponse:
    """Obligations overdue and due this week, for the office or only the clerk's own graduates."""
    form, as_of, mine = _plan_options(request)
    rows = selectors.plan_worklist(user=request.user, as_of=as_of, mine=mine)
    return render(
        request,
        "services/plans.html",
        {
            "form": form,
            "as_of": as_of,
            "mine": mine,
            **rows,
            **_one_on_one_context(request.user, as_of=as_of, mine=mine),
        },
        status=400 if form.errors else 200,
    )


@employment_office_required
def compliance_view(request: HttpRequest) -> HttpResponse:
    """Met / late / due / overdue / closed per rule and per office (the bureau: per prefecture)."""
    form, as_of, _mine = _plan_options(request)
    table = selectors.compliance_for(user=request.user, as_of=as_of)
    return render(
        request,
        "services/compliance.html",
        {"form": form, "as_of": as_of, "table": table, "states": PlanState.choices},
        status=400 if form.errors else 200,
    )


@employment_office_required
def postings_view(request: HttpRequest) -> HttpResponse:
    """The office's job postings (its subtree's) and a form to add one."""
    status = 200
    if request.method == "POST":
        form = PostingForm(request.POST)
        if form.is_valid():
            try:
                posting = actions.create_posting(posting=form.save(), acting_user=request.user)
            except ValidationError as exc:
                form.add_error(None, _messages(exc))
            else:
                messages.success(request, f"已添加岗位：{posting}。")
                return redirect("services:postings")
        status = 400
    else:
        form = PostingForm()
    postings = selectors.postings_visible_to(request.user)
    page = Paginator(postings, PAGE_SIZE).get_page(_page_number(request))
    return render(request, "services/postings.html", {"form": form, "page": page}, status=status)


@employment_office_required
def events_view(request: HttpRequest) -> HttpResponse:
    """Recruitment events of the office's subtree, a form to add one, and each prefecture's rhythm (seed 002:
    ≥1 专业性 a week, ≥1 综合性 a month)."""
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = actions.create_event(event=form.save(commit=False), acting_user=request.user)
            except ValidationError as exc:
                form.add_error(None, _messages(exc))
            else:
                messages.success(request, f"已添加招聘活动：{event}。")
                return redirect("services:events")
        status = 400
    else:
        form = EventForm()
    events = selectors.events_visible_to(request.user)
    page = Paginator(events, PAGE_SIZE).get_page(_page_number(request))
    weeks, months, coverage = selectors.event_coverage()
    office = request.user.office
    if office is not None and office.kind != OfficeKind.BUREAU:
        coverage = [row for row in coverage if row.code[:4] == office.region_id[:4]]
    return render(
        request,
        "services/events.html",
        {"form": form, "page": page, "weeks": weeks, "months": months, "coverage": coverage},
        status=status,
    )


@require_POST
@employment_office_required
def recommend_view(request: HttpRequest, pk: int, posting_pk: int) -> HttpResponse:
    """One click on the record page: log a 岗位推荐 of the posting."""
    graduate = registry.get_graduate_for(user=request.user, pk=pk)
    posting = get_object_or_404(JobPosting, pk=posting_pk)
    try:
        actions.recommend_posting(graduate=graduate, posting=posting, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "未记录推荐：" + _messages(exc))
    else:
        messages.success(request, f"已记录岗位推荐：{posting}。")
    return redirect("graduates:detail", pk=graduate.pk)


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 6 else 1


@require_POST
@employment_office_required
def assign_specialist_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Name (or change) a hardship graduate's specialist, plan and follow-up interval."""
    graduate = registry.get_graduate_for(user=request.user, pk=pk)
    form = SpecialistForm(request.POST, specialists=selectors.specialist_options(graduate))
    if not form.is_valid():
        errors = [f"{form.fields[name].label}：{'；'.join(errs)}" for name, errs in form.errors.items()]
        messages.error(request, "未保存一对一帮扶：" + "；".join(errors))
        return redirect("graduates:detail", pk=graduate.pk)
    try:
        help_ = actions.assign_specialist(graduate=graduate, acting_user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "未保存一对一帮扶：" + _messages(exc))
    else:
        scheduled = selectors.one_on_one_of(graduate)
        when = f"，下次回访 {scheduled.next_follow_up:%Y-%m-%d}" if scheduled else ""  # type: ignore[attr-defined]
        messages.success(request, f"已指定专员 {help_.specialist}{when}。")
    return redirect("graduates:detail", pk=graduate.pk)


def _one_on_one_context(user, *, as_of: datetime.date, mine: bool) -> dict:
    return {
        "one_on_one": True,
        "without_specialist": selectors.hardship_without_specialist(user=user),
        "follow_ups": selectors.follow_ups_due(user=user, as_of=as_of, mine=mine),
    }


def _event_from(request: HttpRequest):
    """The recruitment event the bulk page logs attendance of (?event=<id>, posted along), if in scope."""
    value = request.POST.get("event") or request.GET.get("event") or ""
    if not value.isdigit() or len(value) > 12:
        return None
    return selectors.events_visible_to(request.user).filter(pk=int(value)).first()
