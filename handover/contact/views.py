"""Thin views of the contact work: the worklist, contact attempts, report-in, the unreachable list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.permissions import employment_office_required
from core.purpose import purpose_step
from core.spreadsheets import xlsx_response
from graduates.selectors import get_graduate_for
from handover.forms import CohortForm
from handover.models import ContactMethod, ContactOutcome, ReportIn

from . import actions, selectors
from .forms import MAX_TEXT, AnswersForm, ContactForm, ReportInForm, WorklistForm


@employment_office_required
def worklist_view(request: HttpRequest) -> HttpResponse:
    mine = WorklistForm(request.GET).mine_only()
    page = selectors.worklist_page(user=request.user, mine_only=mine, params=request.GET)
    return render(
        request,
        "handover/worklist.html",
        {"page": page, "mine": mine, "methods": ContactMethod.choices, "outcomes": ContactOutcome.choices},
    )


@require_POST
@employment_office_required
def contact_view(request: HttpRequest, pk: int) -> HttpResponse:
    graduate = get_graduate_for(user=request.user, pk=pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        outcome = form.cleaned_data["outcome"]
        actions.record_contact(
            graduate=graduate, method=form.cleaned_data["method"], outcome=outcome,
            note=form.cleaned_data["note"], acting_user=request.user,
        )  # fmt: skip
        messages.success(request, f"已记录对 {graduate.name} 的联系：{ContactOutcome(outcome).label}。")
        if outcome == ContactOutcome.LIVES_ELSEWHERE:
            messages.info(request, "该毕业生现居外地，请在其记录页申请转移。")
    else:
        messages.error(request, f"{_messages(form)}本次联系未记录。")
    return redirect(_same_site(request, form.cleaned_data.get("next")) or "handover:worklist")


def _messages(form) -> str:
    return "".join(message for errors in form.errors.values() for message in errors)


def _same_site(request: HttpRequest, url: str | None) -> str | None:
    """A `next` address is followed only when it is a path on this site (never another host, and never a bare
    word, which redirect() would take for a view name)."""
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


@employment_office_required
def report_in_view(request: HttpRequest) -> HttpResponse:
    cohort_form = CohortForm(
        request.GET if request.GET.get("cohort") else {"cohort": timezone.localdate().year}
    )
    cohort = cohort_form.cleaned_data["cohort"] if cohort_form.is_valid() else timezone.localdate().year
    form = ReportInForm(request.POST or None, initial={"cohort": cohort})
    if request.method == "POST":
        if form.is_valid():
            cohort = form.cleaned_data["cohort"]
            result = actions.record_report_ins(
                entries=form.cleaned_data["entries"], cohort=cohort, acting_user=request.user
            )
            messages.success(
                request,
                f"已登记报到 {result.matched + result.unknown} 人：与名单匹配 {result.matched} 人，不在名单中 "
                f"{result.unknown} 人{f'，{result.duplicates} 人此前已登记' if result.duplicates else ''}。",
            )
            return redirect(f"{request.path}?cohort={cohort}")
        cohort = form.cleaned_data.get("cohort", cohort)
    errors = [message for errors in form.errors.values() for message in errors]
    errors += cohort_form.errors.get("cohort", [])
    lists = selectors.report_in_lists(user=request.user, cohort=cohort)
    return render(
        request,
        "handover/report_in.html",
        {"cohort": cohort, "lists": lists, "errors": errors, "form": form, "kinds": ReportIn.Kind.choices,
         "kind": form.data.get("kind") if form.is_bound else ReportIn.Kind.DESTINATION_RECORD,  # certificates ended in 2023
         "lines": form.data.get("lines", "")[:MAX_TEXT].replace("\x00", "") if form.is_bound else ""},
        status=400 if form.errors else 200,
    )  # fmt: skip


@employment_office_required
def unreachable_export_view(request: HttpRequest) -> HttpResponse:
    from handover.contact.unreachable import unreachable_in_scope, unreachable_workbook

    step = purpose_step(request, rows=unreachable_in_scope(request.user).count(), what="无法联系名单")
    if step.response is not None:
        return step.response
    return xlsx_response(unreachable_workbook(request.user, purpose=step.purpose), "无法联系名单.xlsx")


@require_POST
@employment_office_required
def unreachable_answers_view(request: HttpRequest) -> HttpResponse:
    from handover.contact.unreachable import load_answers

    form = AnswersForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _messages(form))
        return redirect("handover:worklist")
    try:
        result = load_answers(content=form.cleaned_data["file"].read(), acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("handover:worklist")
    if result.errors:
        shown = "；".join(f"第 {e['row']} 行 {e['column']}：{e['message']}" for e in result.errors[:10])
        messages.error(request, f"名单有误，未更新任何记录：{shown}")
    else:
        messages.success(
            request,
            f"已更新 {result.updated} 名的联系方式，转为待联系；{result.not_found} 名不在本机构的无法联系名单中。",
        )
    return redirect("handover:worklist")
