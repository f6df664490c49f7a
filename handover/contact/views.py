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
from core.spreadsheets import xlsx_response
from graduates.selectors import get_graduate_for
from handover.models import ContactMethod, ContactOutcome, ReportIn

from . import actions, selectors


@employment_office_required
def worklist_view(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
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
    method, outcome = request.POST.get("method"), request.POST.get("outcome")
    note = request.POST.get("note", "")
    if method not in ContactMethod.values or outcome not in ContactOutcome.values:
        messages.error(request, "请选择联系方式和结果。")
    elif "\x00" in note or len(note) > 300:
        messages.error(request, "备注不能超过 300 个字，也不能包含空字符（NUL）；本次联系未记录。")
    else:
        actions.record_contact(
            graduate=graduate, method=method, outcome=outcome, note=note,
            acting_user=request.user,
        )  # fmt: skip
        messages.success(request, f"已记录对 {graduate.name} 的联系：{ContactOutcome(outcome).label}。")
        if outcome == ContactOutcome.LIVES_ELSEWHERE:
            messages.info(request, "该毕业生现居外地，请在其记录页申请转移。")
    return redirect(_same_site(request, request.POST.get("next")) or "handover:worklist")


def _same_site(request: HttpRequest, url: str | None) -> str | None:
    """A `next` address is followed only when it stays on this site (never to another host)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _parse_report_lines(text: str) -> tuple[list[dict], list[str]]:
    """Pasted lines: 姓名, 公民身份号码[, 转递编号/报到证编号[, 核验编号]] separated by tabs, commas or spaces."""
    import re

    from graduates.checks import check_id_number

    entries, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in re.split(r"[\t,，;；\s]+", line.strip()) if p]
        if not parts:
            continue
        if len(parts) < 2:
            errors.append(f"第 {number} 行：至少需要姓名和公民身份号码。")
            continue
        try:
            check_id_number(parts[1])
        except ValidationError as exc:
            errors.append(f"第 {number} 行：{'；'.join(exc.messages)}")
            continue
        entries.append({"name": parts[0], "id_number": parts[1], "numbers": parts[2:]})
    return entries, errors


@employment_office_required
def report_in_view(request: HttpRequest) -> HttpResponse:
    try:
        cohort = int(request.GET.get("cohort") or request.POST.get("cohort") or timezone.localdate().year)
    except ValueError:
        cohort = timezone.localdate().year
    errors: list[str] = []
    if request.method == "POST":
        kind = request.POST.get("kind")
        entries, errors = _parse_report_lines(request.POST.get("lines", ""))
        if kind not in ReportIn.Kind.values:
            errors.append("请选择报到依据。")
        if not errors and entries:
            for entry in entries:
                numbers = entry.pop("numbers")
                if kind == ReportIn.Kind.CERTIFICATE:
                    entry["certificate_no"] = numbers[0] if numbers else ""
                elif kind == ReportIn.Kind.DESTINATION_RECORD:
                    entry["transfer_no"], entry["verify_no"] = [*numbers, "", ""][:2]
                entry["kind"] = kind
            result = actions.record_report_ins(entries=entries, cohort=cohort, acting_user=request.user)
            messages.success(
                request,
                f"已登记报到 {result.matched + result.unknown} 人：与名单匹配 {result.matched} 人，不在名单中 "
                f"{result.unknown} 人{f'，{result.duplicates} 人此前已登记' if result.duplicates else ''}。",
            )
            return redirect(f"{request.path}?cohort={cohort}")
    lists = selectors.report_in_lists(user=request.user, cohort=cohort)
    return render(
        request,
        "handover/report_in.html",
        {"cohort": cohort, "lists": lists, "errors": errors, "kinds": ReportIn.Kind.choices,
         "lines": request.POST.get("lines", "")},
    )  # fmt: skip


@employment_office_required
def unreachable_export_view(request: HttpRequest) -> HttpResponse:
    from handover.contact.unreachable import unreachable_workbook

    return xlsx_response(unreachable_workbook(request.user), "无法联系名单.xlsx")


@require_POST
@employment_office_required
def unreachable_answers_view(request: HttpRequest) -> HttpResponse:
    from handover.contact.unreachable import load_answers

    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择教育部门反馈的名单文件（.xlsx）。")
        return redirect("handover:worklist")
    try:
        result = load_answers(content=upload.read(), acting_user=request.user)
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
