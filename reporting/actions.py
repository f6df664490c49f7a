"""Writes of the reporting app: it writes only its own snapshots."""

from __future__ import annotations

import datetime
import hashlib
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.models import Office, Region, User
from reporting.cells import SUMMARY_HEADER, date_cn, safe_text, summary_values, text_cells

from . import selectors
from .models import MonthlySnapshot


def _header_block(*, office: Office | None, user: User | None, generated_at: datetime.datetime) -> list[str]:
    province = Region.objects.filter(code=f"{settings.PROVINCE_CODE}0000").first()
    unit = office or (user.office if user is not None else None)
    person = (user.full_name or user.get_username()) if user is not None else "系统生成"
    phone = (user.phone if user is not None else "") or (unit.phone if unit is not None else "")
    return [
        f"填报省份：{province.name if province else ''}",
        "",
        f"填报单位：{unit.name if unit is not None else ''}",
        "",
        f"填报时间：{date_cn(timezone.localtime(generated_at).date())}",
        "",
        f"填报人：{person}",
        "",
        f"联系电话：{phone}",
    ]


def write_summary_table(
    *,
    cohort: int,
    as_of: datetime.date,
    office: Office | None,
    user: User | None,
    generated_at: datetime.datetime,
) -> tuple[bytes, int]:
    """The 汇总表 as .xlsx (openpyxl write-only: rows streamed from the cursor straight into the file)."""
    workbook = Workbook(write_only=True)
    person = (user.full_name or user.get_username()) if user is not None else "系统"
    workbook.properties.creator = person
    sheet = workbook.create_sheet("汇总表")
    title = WriteOnlyCell(sheet, value=f"{cohort}届离校未就业高校毕业生信息汇总表")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append(text_cells(sheet, _header_block(office=office, user=user, generated_at=generated_at)))
    sheet.append(text_cells(sheet, SUMMARY_HEADER, bold=True))
    count = 0
    for count, row in enumerate(selectors.summary_rows(cohort=cohort, as_of=as_of, office=office), start=1):
        sheet.append([safe_text(value) for value in summary_values(count, row)])
    stamp = timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M")
    sheet.append([])
    sheet.append([safe_text(f"数据截至 {date_cn(as_of)}；由 {person} 于 {stamp} 生成（共 {count} 人）。")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def generate_monthly_snapshot(
    *, cohort: int, month: datetime.date, office: Office | None, user: User | None
) -> MonthlySnapshot:
    """Generate and store the table for (COHORT, MONTH, OFFICE or the province) as a new immutable version.
    USER None: the command or a scheduled task. Raises selectors.ReportingWindowError (month outside the
    reporting year) or PermissionDenied (USER may not report for OFFICE)."""
    if user is not None and not selectors.may_report_for(user, office):
        raise PermissionDenied("您无权生成该单位的汇总表。")
    month = selectors.month_start(month)
    as_of = selectors.check_window(cohort=cohort, month=month)
    generated_at = timezone.now()
    content, rows = write_summary_table(
        cohort=cohort, as_of=as_of, office=office, user=user, generated_at=generated_at
    )
    code = office.region_id if office is not None else f"{settings.PROVINCE_CODE}0000"
    with transaction.atomic():
        # One writer per (cohort, month, office) at a time, so versions never collide.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reporting.monthly:{cohort}:{month}:{code}"]
            )
        office_filter = {"office__isnull": True} if office is None else {"office": office}
        latest = MonthlySnapshot.objects.filter(cohort=cohort, month=month, **office_filter).aggregate(
            v=Max("version")
        )["v"]
        version = (latest or 0) + 1
        return MonthlySnapshot.objects.create(
            cohort=cohort,
            month=month,
            office=office,
            version=version,
            content=content,
            filename=f"{cohort}届汇总表_{code}_{month:%Y%m}_v{version}.xlsx",
            sha256=hashlib.sha256(content).hexdigest(),
            row_count=rows,
            as_of=as_of,
            generated_by=user,
            generated_at=generated_at,
        )
