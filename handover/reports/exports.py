"""Upward reports of the handover as .xlsx:

- the weekly progress table (吉人社发〔2022〕21号 annex 2 离校未就业高校毕业生信息衔接工作进展汇总表), county →
  prefecture subtotal → province total, in the user's scope;
- the 汇总表 of the province-run universities' unemployed graduates for MOHRSS (人社厅发〔2012〕69号 annex 2).

Both are computed from the records (see handover.reports.progress for the definitions) and written with openpyxl's
write-only workbook from a row generator, so 100,000 graduates stay in bounded memory. Every cell is text and
formula-safe.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from core.models import Office, OfficeKind, Region, User, region_prefix
from core.spreadsheets import formula_safe
from graduates.codes import (
    HARDSHIP_NATIONAL_CODE,
    Ethnicity,
    Gender,
    Hardship,
    Intention,
    SchoolStatus,
    ServiceNeed,
    State,
    join_codes,
)
from graduates.models import Graduate
from handover.batches.selectors import works_for_bureau
from handover.models import BatchSource, HandoverItem

from .progress import figures_by_length, finish, level_for

WEEKLY_HEADER = [
    "单位", "接收人数", "已签收", "签收率", "已联系", "联系率", "已核实", "核实率", "其中暂不就业", "无法联系",
    "已就业", "升学出国", "已转出", "未签收", "最早未签收已过（天）", "备注",
]  # fmt: skip

SUMMARY_HEADER = [
    "序号", "姓名", "性别", "民族", "公民身份号码", "毕业院校", "毕业日期", "学历", "所学专业", "入学前户口所在地",
    "电子邮箱", "邮编", "手机号码", "固定电话", "困难状况", "就业地意向", "就业意向", "就业服务需求",
    "就业去向（回访结果）",
]  # fmt: skip


@dataclass(frozen=True)
class Export:
    content: bytes
    rows: int  # data rows written (offices for the weekly table, graduates for the 汇总表)


def safe_text(value) -> str:
    """Every cell as text; a value Excel would read as a formula gets a leading apostrophe."""
    return "" if value is None else formula_safe(str(value))


def date_cn(day: datetime.date) -> str:
    """A date as the notices' forms write it: 2026年9月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_cells(sheet, values: Iterable, *, bold: bool = False) -> list[WriteOnlyCell]:
    """Write-only cells formatted as text (formula-safe), for header blocks and column titles."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=safe_text(value))
        cell.number_format = "@"
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- weekly progress table ----------------------------------------------------------------------------------


def _weekly_values(label: str, f: dict) -> list:
    note = ""
    if f["waiting"]:
        note = f"{f['waiting']} 名未签收"
    return [
        label, f["received"], f["acknowledged"], f["percent"]["acknowledged"], f["contacted"],
        f["percent"]["contacted"], f["verified"], f["percent"]["verified"], f["not_seeking"],
        f["unreachable"], f["employed"], f["studying"], f["transferred"], f["waiting"],
        "" if f["days_since_dispatch"] is None or not f["waiting"] else f["days_since_dispatch"], note,
    ]  # fmt: skip


def weekly_progress_rows(
    *, user: User, as_of: datetime.date, cohort: int | None = None
) -> list[tuple[str, list]]:
    """The table's rows as (kind, values), kind in county / own / subtotal / total: each county, the
    prefecture's own share (本级) when it holds graduates itself, the prefecture subtotal, the total of the
    user's scope. Figures count items dispatched by the end of AS_OF (acknowledgements and contact attempts
    likewise); states are the current ones. One pass over the items for every level (figures_by_length), a
    query for the offices, whatever their number."""
    level = level_for(user=user)
    top = level.parent
    prefix = region_prefix(top.region_id)
    until = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
    now = min(timezone.now(), until)
    by_length, totals = figures_by_length(prefix=prefix, key_lengths=(6, 4), until=until, cohort=cohort)
    by_office, by_prefecture = by_length[6], by_length[4]
    if top.kind == OfficeKind.BUREAU:
        prefectures = list(
            Office.objects.filter(kind=OfficeKind.PREFECTURE, is_active=True, region__code__startswith=prefix)
            .order_by("region_id")
            .prefetch_related("children")
        )
    elif top.kind == OfficeKind.PREFECTURE:
        prefectures = [top]
    else:
        prefectures = []
    rows: list[tuple[str, list]] = []
    for prefecture in prefectures:
        counties = sorted(
            (c for c in prefecture.children.all() if c.kind == OfficeKind.COUNTY and c.is_active),
            key=lambda c: c.region_id,
        )
        for county in counties:
            rows.append(
                ("county", _weekly_values(county.name, finish(by_office.get(county.region_id), now=now)))
            )
        own = by_office.get(prefecture.region_id)
        if own and own["received"]:
            rows.append(("own", _weekly_values(f"{prefecture.name}（本级）", finish(own, now=now))))
        subtotal = finish(by_prefecture.get(prefecture.region_id[:4]), now=now)
        rows.append(("subtotal", _weekly_values(f"{prefecture.name} 小计", subtotal)))
    if top.kind == OfficeKind.COUNTY:
        rows.append(("county", _weekly_values(top.name, finish(by_office.get(top.region_id), now=now))))
    label = "全省合计" if top.kind == OfficeKind.BUREAU else "合计"
    rows.append(("total", _weekly_values(label, finish(totals, now=now))))
    return rows


def weekly_progress_export(*, user: User, as_of: datetime.date, cohort: int | None = None) -> Export:
    rows = weekly_progress_rows(user=user, as_of=as_of, cohort=cohort)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("信息衔接工作进展")
    title = WriteOnlyCell(
        sheet,
        value=f"{f'{cohort}届' if cohort else ''}离校未就业高校毕业生信息衔接工作进展汇总表（截至 {date_cn(as_of)}）",
    )
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    sheet.append([title])
    office = level_for(user=user).parent
    sheet.append(
        text_cells(sheet, [f"填报单位：{office.name}", "", "", f"填报时间：{date_cn(timezone.localdate())}"])
    )
    sheet.append(text_cells(sheet, WEEKLY_HEADER, bold=True))
    for kind, values in rows:
        sheet.append(text_cells(sheet, values, bold=kind in ("subtotal", "total")))
    return Export(content=_save(workbook), rows=len(rows))


def weekly_progress_workbook(*, user: User, as_of: datetime.date) -> bytes:
    """The weekly progress table (吉人社发〔2022〕21号 annex 2) for the user's scope as .xlsx."""
    return weekly_progress_export(user=user, as_of=as_of).content


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


def _label(choices, code: str) -> str:
    """性别 and 民族 as written on the ID card (男/女, 汉族), not as GB codes."""
    try:
        return str(choices(code).label)
    except ValueError:
        return code or ""


def summary_values(seq: int, row: tuple) -> list:
    """One 汇总表 row (annex 2's 19 columns) from a registry row; shared with the monthly table (reporting)."""
    (name, gender, ethnicity, id_number, university, graduated, education, major, origin, email, postcode,
     mobile, landline, hardship, location, intentions, needs, destination) = row  # fmt: skip
    national_hardship = [HARDSHIP_NATIONAL_CODE.get(code, code) for code in hardship or []]
    return [
        seq, name, _label(Gender, gender), _label(Ethnicity, ethnicity), id_number, university,
        graduated.strftime("%Y%m%d") if graduated else "",
        education, major, origin, email, postcode, mobile, landline, join_codes(national_hardship, Hardship),
        location, join_codes(intentions or [], Intention), join_codes(needs or [], ServiceNeed), destination,
    ]  # fmt: skip


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
    return Export(content=_save(workbook), rows=count)


def mohrss_summary_workbook(*, cohort: int, user: User) -> bytes:
    """The 汇总表 (人社厅发〔2012〕69号 annex 2) of the province-run universities' unemployed graduates of COHORT,
    one row per graduate, codes and ID numbers as text. Only the bureau may export it (PermissionDenied)."""
    return mohrss_summary_export(cohort=cohort, user=user).content
