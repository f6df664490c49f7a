"""The public page /register/ (mobile-first; a plain form with Django's CSRF protection, no script needed) and the
offices' worklist of self-registrations."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.models import Office, Region, RegionLevel
from core.permissions import employment_office_required
from graduates.actions import mark_self_registration_contacted, resolve_self_registration_conflict
from graduates.codes import EducationLevel, Intention, ServiceNeed, labels
from graduates.models import SelfRegistration

from . import selectors
from .forms import ConflictForm, ContactedForm
from .submit import ANSWER, RegistrationInvalid, submit_registration
from .throttles import check_throttles, throttled_message
from .tokens import issue_form_token, min_fill_seconds

OTHER_REGION = "other"
TEXT_FIELDS = ["name", "id_number", "mobile", "university_name", "graduation_date", "education", "major",
               "email", "office", "website", "form_token"]  # fmt: skip


def _province_prefix() -> str:
    return settings.PROVINCE_CODE[:2]


def _region_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The province's current counties under their prefecture, for the 户口所在地 select."""
    prefix = _province_prefix()
    current = Region.objects.current().filter(code__startswith=prefix)
    prefectures = {r.code: r.name for r in current.filter(level=RegionLevel.PREFECTURE)}
    counties: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for region in current.filter(level=RegionLevel.COUNTY).order_by("code"):
        if region.name in ("市辖区",):
            continue
        counties[region.code[:4] + "00"].append((region.code, region.name))
    return [(name, counties[code]) for code, name in sorted(prefectures.items()) if counties[code]]


def _office_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    offices = (
        Office.objects.employment_offices()
        .active()
        .filter(region__code__startswith=_province_prefix())
        .exclude(kind="bureau")
        .order_by("region_id")
    )
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    names: dict[str, str] = {}
    for office in offices:
        prefecture = office.region_id[:4] + "00"
        if office.region_id == prefecture:
            names[prefecture] = office.name
        groups[prefecture].append((office.region_id, office.name))
    return [(names.get(code, code), groups[code]) for code in sorted(groups)]


def _submitted(request: HttpRequest) -> dict:
    """The page's form as the API's JSON: the same names and codes."""
    post = request.POST
    data: dict = {name: post.get(name, "") for name in TEXT_FIELDS}
    origin = post.get("origin_region", "")
    data["origin_region"] = post.get("origin_region_other", "") if origin == OTHER_REGION else origin
    data["intentions"] = post.getlist("intentions")[:20]
    data["service_needs"] = post.getlist("service_needs")[:20]
    data["consent"] = post.get("consent") == "on"
    return data


def register_view(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    status = 200
    if request.method == "POST":
        values = _submitted(request)
        wait = check_throttles(request)
        if wait is not None:
            errors = {"page": [throttled_message(wait)]}
            status = 429
        else:
            try:
                submit_registration(values)
            except RegistrationInvalid as exc:
                errors = exc.errors
                status = 400
            else:
                return redirect(reverse("self_register") + "?sent=1")
    elif request.method != "GET":
        return HttpResponse(status=405)
    if request.method == "GET" and request.GET.get("sent") == "1":
        return render(request, "selfreg/sent.html", {"answer": ANSWER})
    token = values.get("form_token") or issue_form_token()
    if "form_token" in errors:  # stale or too fast: a fresh start time, the message stays
        token = issue_form_token()
    origin = values.get("origin_region", "")
    region_groups = _region_groups()
    known = {code for _, items in region_groups for code, _ in items}
    context = {
        "values": values,
        "errors": errors,
        "error_count": sum(len(v) for v in errors.values()),
        "form_token": token,
        "min_fill_seconds": min_fill_seconds(),
        "region_groups": region_groups,
        "origin_other": bool(origin) and origin not in known,
        "office_groups": _office_groups(),
        "educations": EducationLevel.choices,
        "intentions": Intention.choices,
        "service_needs": ServiceNeed.choices,
        "retention_years": 3,
        "other_region": OTHER_REGION,
    }
    return render(request, "selfreg/register.html", context, status=status)


def _display(field: str, value) -> str:
    """A conflict's value as the office reads it (codes as their labels)."""
    if value in (None, "", []):
        return "（空）"
    if field == "education":
        return dict(EducationLevel.choices).get(value, value)
    if field == "intentions":
        return labels(value, Intention)
    if field == "service_needs":
        return labels(value, ServiceNeed)
    if field == "origin_region":
        region = Region.objects.filter(code=value).first()
        return f"{value} {region.full_name}" if region else str(value)
    return str(value)


@employment_office_required
def worklist_view(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    status = SelfRegistration.Status.CONTACTED if show == "contacted" else SelfRegistration.Status.OPEN
    leads = list(selectors.worklist(request.user, status=status)[:200])
    today = timezone.localdate()
    for lead in leads:
        lead.intention_labels = labels(lead.graduate.intentions, Intention)
        lead.need_labels = labels(lead.graduate.service_needs, ServiceNeed)
        lead.is_overdue = lead.status == SelfRegistration.Status.OPEN and lead.due_on < today
        lead.is_due_today = lead.status == SelfRegistration.Status.OPEN and lead.due_on == today
        lead.conflict_rows = [
            {
                "field": c["field"],
                "label": c["label"],
                "office": _display(c["field"], c["office_value"]),
                "self": _display(c["field"], c["self_value"]),
            }
            for c in lead.conflicts
        ]
    return render(
        request,
        "selfreg/worklist.html",
        {
            "leads": leads,
            "show": "contacted" if status == SelfRegistration.Status.CONTACTED else "open",
            "open_count": selectors.open_count(request.user),
            "today": today,
        },
    )


def _lead_or_404(request: HttpRequest, pk: int) -> SelfRegistration:
    lead = selectors.open_lead(request.user, pk)
    if lead is None:
        raise Http404("没有这条本人登记，或不在您的管辖范围内。")
    return lead


@require_POST
@employment_office_required
def contacted_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    form = ContactedForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("note", []):
            messages.error(request, message)
        return redirect("selfreg:worklist")
    try:
        done = mark_self_registration_contacted(
            lead_id=lead.pk, acting_user=request.user, note=form.cleaned_data["note"]
        )
    except PermissionDenied as exc:
        raise Http404(str(exc)) from None
    if done:
        messages.success(request, f"已标记为已联系：{lead.graduate.name}。")
    else:
        messages.info(request, "该登记已处理过。")
    return redirect("selfreg:worklist")


@require_POST
@employment_office_required
def conflict_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect("selfreg:worklist")
    try:
        resolve_self_registration_conflict(
            lead_id=lead.pk,
            field=form.cleaned_data["field"],
            accept=form.cleaned_data["decision"] == "accept",
            acting_user=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise Http404(str(exc)) from None
    else:
        messages.success(request, "冲突已处理。")
    return redirect("selfreg:worklist")
