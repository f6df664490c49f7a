"""Upward reports of the handover as .xlsx:

- the weekly progress table (吉人社发〔2022〕21号 annex 2 离校未就业高校毕业生信息衔接工作进展汇总表), prefecture →
  counties → province total, in the user's scope (reporting.progress.selectors.weekly_rows);
- the 汇总表 of the province-run universities' unemployed graduates for MOHRSS (人社厅发〔2012〕69号 annex 2).

Both are computed from the records (see reporting.progress.progress for the definitions) and written with openpyxl's
write-only workbook from a row generator, so 100,000 graduates stay in bounded memory. Every cell is text and
formula-safe.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from core.models import Office, Region, User
from graduates.codes import SchoolStatus, State
from graduates.models import Graduate
from handover.batches.selectors import works_for_bureau
from handover.models import BatchSource, HandoverItem
from reporting.cells import SUMMARY_HEADER, date_cn, safe_text, save_workbook, summary_values, text_cells

from .progress import level_for
from .selectors import WEEKLY_COLUMNS, weekly_rows


@dataclass(frozen=True)
class Export:
    content: bytes
    rows: int  # data rows written (offices for the weekly table, graduates for the 汇总表)


# --- weekly progress table ----------------------------------------------------------------------------------

WEEKLY_HEADER = ["单位", *(label for _, label in WEEKLY_COLUMNS)]


def weekly_title(*, cohort: int | None, as_of: datetime.date) -> str:
    return f"{f'{cohort}届' if cohort else ''}离校未就业高校毕业生信息衔接工作进展汇总表（截至 {date_cn(as_of)}）"


def weekly_workbook(
    *,
    office: Office,
    cohort: int | None,
    as_of: datetime.date,
    rows: list[dict],
    submitted_by: User | None,
    at: datetime.datetime,
) -> bytes:
    """The weekly table (rows of selectors.weekly_rows) as .xlsx: title, header block (填报单位, 填报时间,
    填报人), the columns, one row per office; prefecture and total rows in bold."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("信息衔接工作进展")
    title = WriteOnlyCell(sheet, value=weekly_title(cohort=cohort, as_of=as_of))
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    sheet.append([title])
    person = (
        (submitted_by.full_name or submitted_by.get_username()) if submitted_by is not None else "系统生成"
    )
    sheet.append(
        text_cells(
            sheet,
            [
                f"填报单位：{office.name}",
                "",
                "",
                f"填报时间：{date_cn(timezone.localtime(at).date())}",
                "",
                "",
                f"填报人：{person}",
            ],
        )
    )
    sheet.append(text_cells(sheet, WEEKLY_HEADER, bold=True))
    for row in rows:
        values = [row["label"], *(row[name] for name, _ in WEEKLY_COLUMNS)]
        sheet.append(text_cells(sheet, values, bold=row["kind"] in ("prefecture", "total")))
    return save_workbook(workbook)


def weekly_progress_export(*, user: User, as_of: datetime.date, cohort: int | None = None) -> Export:
    """The weekly table of the user's scope counted now, as of the end of AS_OF (the page's download)."""
    office = level_for(user=user).parent
    rows = weekly_rows(office=office, cohort=cohort, as_of=as_of)
    content = weekly_workbook(
        office=office, cohort=cohort, as_of=as_of, rows=rows, submitted_by=user, at=timezone.now()
    )
    return Export(content=content, rows=len(rows))


def weekly_progress_workbook(*, user: User, as_of: datetime.date, cohort: int | None = None) -> bytes:
    """The weekly progress table (吉人社发〔2022〕21号 annex 2) for the user's scope as .xlsx."""
    return weekly_progress_export(user=user, as_of=as_of, cohort=cohort).content


# --- the 汇总表 for MOHRSS ------------------------------------------------------------------------------------

SUMMARY_FIELDS = (
    "name", "gender", "ethnicity", "id_number", "university_name", "graduation_date", "education", "major",
    "origin_region_id", "email", "postcode", "mobile", "landline", "hardship", "location_intention", "intentions",
    "service_needs", "destination",
)  # fmt: skip


def mohrss_graduates(*, cohort: int):
    """The graduates of the Education Dept's batches of COHORT who are unemployed: not signed at leaving school,
    not employed since and not 升学出国 (settled, but not unemployed either)."""
    in_education_batch = HandoverItem.objects.filter(
        graduate_id=OuterRef("pk"), batch__source=BatchSource.EDUCATION, batch__cohort=cohort
    )
    return (
        Graduate.objects.filter(Exists(in_education_batch), cohort=cohort)
        .exclude(school_status=SchoolStatus.SIGNED)
        .exclude(state__in=[State.EMPLOYED, State.STUDYING])
        .order_by("id")
    )


def _summary_rows(cohort: int) -> Iterator[tuple]:
    return mohrss_graduates(cohort=cohort).values_list(*SUMMARY_FIELDS).iterator(chunk_size=2000)


def mohrss_summary_export(*, cohort: int, user: User) -> Export:
    if not works_for_bureau(user):
        raise PermissionDenied("向人社部报送的汇总表由省就业服务局导出。")
    province = Region.objects.filter(code=f"{settings.PROVINCE_CODE}0000").first()
    office = user.office
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("汇总表")
    title = WriteOnlyCell(sheet, value=f"{cohort}届离校未就业高校毕业生信息汇总表")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append(
        text_cells(
            sheet,
            [
                f"填报省份：{province.name if province else ''}",
                "",
                f"填报单位：{office.name if office else ''}",
                "",
                f"填报时间：{date_cn(timezone.localdate())}",
                "",
                f"填报人：{user.full_name or user.get_username()}",
                "",
                f"联系电话：{user.phone or (office.phone if office else '')}",
            ],
        )
    )
    sheet.append(text_cells(sheet, SUMMARY_HEADER, bold=True))
    count = 0
    for count, row in enumerate(_summary_rows(cohort), start=1):
        # Plain str values: stored as text strings (an ID number never becomes a number), and cheaper than a
        # styled cell each at 100,000 rows.
        sheet.append([safe_text(value) for value in summary_values(count, row)])
    return Export(content=save_workbook(workbook), rows=count)


def mohrss_summary_workbook(*, cohort: int, user: User) -> bytes:
    """The 汇总表 (人社厅发〔2012〕69号 annex 2) of the province-run universities' unemployed graduates of COHORT,
    one row per graduate, codes and ID numbers as text. Only the bureau may export it (PermissionDenied)."""
    return mohrss_summary_export(cohort=cohort, user=user).content
