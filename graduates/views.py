"""Thin views: parse the request with a form, call an action or a selector, render."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.audit import record_audit
from core.permissions import employment_office_required
from core.scope import scope_for

from . import actions, paging, search_tokens, selectors
from .checks import check_id_number, origin_level_warnings
from .codes import State
from .filters import SORT_LABELS, GraduateFilter
from .forms import BulkActionForm, GraduateForm, PrefillForm, StateForm, VisitForm
from .models import Graduate

PAGE_SIZES = (25, 50, 100, 200)
MAX_PARAM_LENGTH = 100  # a list parameter longer than this is cut (and then refused by its filter)
MAX_PARAM_VALUES = 20


def _list_url(query) -> str:
    encoded = query.urlencode()
    return reverse("graduates:list") + (f"?{encoded}" if encoded else "")


@require_POST
@login_required
def graduate_search_view(request: HttpRequest) -> HttpResponse:
    """The filter bar posts here: an ID number or phone goes into the session, the list's URL gets a token."""
    posted = QueryDict(mutable=True)
    for key in (*GraduateFilter.base_filters, "per_page"):  # only the list's own parameters, each bounded
        values = [value[:MAX_PARAM_LENGTH] for value in request.POST.getlist(key)[:MAX_PARAM_VALUES]]
        if values:
            posted.setlist(key, values)
    url = _list_url(search_tokens.hide_sensitive(request.session, posted))
    if request.htmx:  # htmx fetches the list's results from the new URL and puts that URL in the history
        response = HttpResponse(status=200)
        response["HX-Location"] = json.dumps({"path": url, "target": "#results"})
        return response
    return redirect(url)


@login_required
def graduate_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    if q and not search_tokens.is_token(q) and search_tokens.is_sensitive(q):
        # An old bookmark or a hand-typed URL: take the number out of the address bar at once.
        return redirect(_list_url(search_tokens.hide_sensitive(request.session, request.GET)))
    params = request.GET
    if search_tokens.is_token(q):
        text = search_tokens.load(request.session, q)
        if text is None:
            messages.warning(request, "该查询已失效（只在本次登录内有效），请重新输入身份证号或手机号。")
            query = request.GET.copy()
            query.pop("q")
            return redirect(_list_url(query))
        params = request.GET.copy()
        params["q"] = text
    filterset, queryset = selectors.graduate_list(user=request.user, params=params)
    try:
        per_page = int(request.GET.get("per_page", 50))
    except ValueError:
        per_page = 50
    per_page = per_page if per_page in PAGE_SIZES else 50
    # Counted on the bare filtered rows (the page's joins would keep PostgreSQL from an index-only count),
    # capped, and paged by keyset links: graduates/paging.py.
    page = paging.keyset_page(
        queryset,
        key=filterset.order_by[0],
        params=request.GET,
        per_page=per_page,
        count_queryset=filterset.qs,
        boundary_queryset=selectors.graduates_visible_to(request.user),
    )
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "unsorted_query": unsorted.urlencode(),
        "current_sort": request.GET.get("sort") or "updated",
        "sort_labels": SORT_LABELS,
        "page_sizes": PAGE_SIZES,
        "count_cap": paging.COUNT_CAP,
        "can_act": request.user.office is not None and request.user.office.is_employment_office,
        "staff_options": selectors.staff_for_assignment(request.user),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "graduates/_results.html" if partial else "graduates/list.html"
    return render(request, template, context)


PREFILL_FIELDS = ("name", "id_number", "cohort")


def _prefill_redirect(request: HttpRequest, source) -> HttpResponse:
    form = PrefillForm(source)
    form.is_valid()
    values = form.cleaned_data  # the fields that passed (a bad cohort does not lose the name)
    known = {k: str(v) for k, v in values.items() if v not in ("", None)}
    if not known:
        return redirect("graduates:create")
    token = search_tokens.store(request.session, json.dumps(known, ensure_ascii=False, sort_keys=True))
    return redirect(reverse("graduates:create") + f"?prefill={token}")


@require_POST
@employment_office_required
def graduate_prefill_view(request: HttpRequest) -> HttpResponse:
    """Other pages (report-in) post what they already know about a person to register: name, ID number, cohort.
    It waits in the session; the form's URL carries only a token."""
    return _prefill_redirect(request, request.POST)


def _prefill_initial(request: HttpRequest) -> dict:
    token = request.GET.get("prefill", "")
    text = search_tokens.load(request.session, token) if search_tokens.is_token(token) else None
    try:
        values = json.loads(text) if text else {}
    except ValueError:
        values = {}
    return {k: v for k, v in values.items() if k in PREFILL_FIELDS} if isinstance(values, dict) else {}


@employment_office_required
def graduate_create_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and any(request.GET.get(k) for k in PREFILL_FIELDS):
        # A link that still carries the ID number in its URL: move it into the session and out of the address bar.
        return _prefill_redirect(request, request.GET)
    form = GraduateForm(request.POST or None, initial=_prefill_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            graduate = actions.create_graduate(graduate=form.instance, acting_user=request.user)
        except actions.DuplicateGraduate as dup:
            return _duplicate_response(request, form, dup.existing)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已登记：{graduate.name}（{graduate.cohort}届）。")
            for warning in check_id_number(graduate.id_number).warnings:
                messages.warning(request, f"请注意：{warning}")
            return redirect("graduates:detail", pk=graduate.pk)
    return _render_form(request, form)


def _render_form(request, form, graduate: Graduate | None = None) -> HttpResponse:
    context = {
        "form": form,
        "g": graduate,
        "creating": graduate is None,
        "region_options": selectors.region_options(),
    }
    return render(request, "graduates/form.html", context, status=400 if form.errors else 200)


def _duplicate_response(request, form, existing: Graduate) -> HttpResponse:
    if scope_for(request.user).covers_office(existing.responsible_office_id):
        messages.info(
            request,
            f"该毕业生（{existing.cohort}届）已经登记，已为您打开已有记录；如需修改请点“修改”。",
        )
        return redirect("graduates:detail", pk=existing.pk)
    # Never name the holding office: that would tell anyone who types an ID number where the person lives.
    form.add_error(
        "id_number",
        f"该公民身份号码在 {existing.cohort} 届已在其他机构登记，不能重复登记。如需由本单位服务，"
        "请联系省就业服务局：由登记机构在该记录上办理转移（申请转移）后，记录即转到本单位。",
    )
    return _render_form(request, form)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def graduate_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    graduate = selectors.get_graduate_for(user=request.user, pk=pk)
    record_audit(action="graduate.viewed", actor=request.user, obj=graduate, request=request)
    return _render_record(request, graduate, visit_form=VisitForm())


def _render_record(
    request: HttpRequest, graduate: Graduate, *, visit_form, status: int = 200
) -> HttpResponse:
    can_act = scope_for(request.user).covers_office(graduate.responsible_office_id)
    context = {
        "g": graduate,
        "id_warnings": check_id_number(graduate.id_number).warnings,
        "origin_warnings": _origin_warnings(graduate),
        "missing": graduate.missing_information,
        "timeline": selectors.graduate_timeline(graduate),
        "next_states": selectors.allowed_next_states(graduate) if can_act else [],
        "visit_form": visit_form,
        "can_act": can_act,
    }
    return render(request, "graduates/detail.html", context, status=status)


def _origin_warnings(graduate: Graduate) -> list[str]:
    region = graduate.origin_region
    return origin_level_warnings(region.code, region.full_name) if region else []


@employment_office_required
def graduate_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    graduate = selectors.get_graduate_for(user=request.user, pk=pk)
    form = GraduateForm(request.POST or None, instance=graduate)
    if request.method == "POST" and form.is_valid():
        loaded_version = form.cleaned_data["version"]
        try:
            actions.update_graduate(
                graduate=form.instance, acting_user=request.user, expected_version=loaded_version
            )
        except actions.StaleRecord:
            fresh = selectors.get_graduate_for(user=request.user, pk=pk)
            return _render_form(request, _stale_form(form, fresh, loaded_version), fresh)
        except actions.DuplicateGraduate as dup:
            form.add_error("id_number", f"该公民身份号码在 {dup.existing.cohort} 届已有另一条登记记录。")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("graduates:detail", pk=graduate.pk)
    if request.method != "POST":  # the form shows the full record: a view like the record page's
        record_audit(
            action="graduate.viewed", actor=request.user, obj=graduate, request=request, data={"page": "edit"}
        )
    return _render_form(request, form, graduate)


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _stale_form(form: GraduateForm, fresh: Graduate, loaded_version: int) -> GraduateForm:
    """The edit form again after someone else saved the record in between: says who changed what, takes their
    values where this user left a field as it was, and marks the fields both changed for the user to decide."""
    changes = selectors.changes_since(fresh, loaded_version)
    loaded: dict[str, object] = {}  # field → its value when this user opened the form
    for change in changes:
        for field, (old, _new) in change.changes.items():
            loaded.setdefault(field, old)
    data = form.data.copy()
    data["version"] = str(fresh.version)
    conflicts = []
    for field, old in loaded.items():
        name = field.removesuffix("_id")
        if name not in form.fields or name == "version":
            continue
        current = getattr(fresh, field)
        if _jsonable(getattr(form.instance, field)) == old:  # this user left it: take the other's value
            if isinstance(current, list):
                data.setlist(name, current)
            else:
                data[name] = _form_value(current)
        elif _jsonable(current) != _jsonable(getattr(form.instance, field)):
            conflicts.append((name, field, old, current))
    stale = GraduateForm(data, instance=Graduate.objects.get(pk=fresh.pk))  # the form's copy takes the input
    stale.is_valid()
    lines = [
        f"{change.actor or '系统'}（{change.office.name if change.office else '系统'}）"
        f"于 {timezone.localtime(change.at):%m-%d %H:%M} {change.get_kind_display()}："
        + "；".join(selectors.change_lines(change))
        for change in changes
    ]
    stale.add_error(
        None,
        ["保存失败：您打开表单后，这条记录已被他人修改，您的修改尚未保存。", *lines,
         "您未改动的项目已换成对方修改后的内容；双方都改动的项目已标出，请核对后再次保存。"],
    )  # fmt: skip
    for name, field, old, current in conflicts:
        stale.add_error(
            name,
            f"他人已将此项由“{selectors.display_value(field, old)}”改为“{selectors.display_value(field, _jsonable(current))}”，"
            "再次保存将以您填写的内容为准。",
        )
    return stale


def _jsonable(value):
    """A field's value as the history stores it (dates as ISO text, arrays as lists)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


@require_POST
@employment_office_required
def graduate_state_view(request: HttpRequest, pk: int) -> HttpResponse:
    graduate = selectors.get_graduate_for(user=request.user, pk=pk)
    form = StateForm(request.POST)
    if form.is_valid():
        try:
            actions.change_state(
                graduate=graduate,
                to_state=form.cleaned_data["to_state"],
                acting_user=request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"状态已变更为“{State(form.cleaned_data['to_state']).label}”。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(
            request, "状态未变更：" + "；".join(e for errors in form.errors.values() for e in errors)
        )
    return redirect("graduates:detail", pk=graduate.pk)


@require_POST
@employment_office_required
def graduate_visit_view(request: HttpRequest, pk: int) -> HttpResponse:
    graduate = selectors.get_graduate_for(user=request.user, pk=pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            actions.record_visit(graduate=graduate, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "回访已记录。")
            return redirect("graduates:detail", pk=graduate.pk)
    graduate.refresh_from_db()
    return _render_record(request, graduate, visit_form=form, status=400)


@require_POST
@employment_office_required
def graduate_bulk_view(request: HttpRequest) -> HttpResponse:
    form = BulkActionForm(request.POST, staff_queryset=selectors.staff_for_assignment(request.user))
    # The way back to the filtered list, re-encoded: only parameters, never a header break or another site.
    back = _list_url(QueryDict(request.POST.get("query", "")[:2000]))
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    selected = Graduate.objects.filter(pk__in=form.cleaned_data["ids"])
    if form.cleaned_data["action"] == "assign":
        staff = form.cleaned_data["staff"]
        count = actions.assign_staff(graduates=selected, staff=staff, acting_user=request.user)
        messages.success(request, f"已将 {count} 名毕业生指定给 {staff}。")
    else:
        count = actions.mark_unreachable(graduates=selected, acting_user=request.user)
        skipped = len(form.cleaned_data["ids"]) - count
        note = f"（{skipped} 名因当前状态不能标记，未变更）" if skipped else ""
        messages.success(request, f"已将 {count} 名毕业生标记为无法联系{note}。")
    return redirect(back)
