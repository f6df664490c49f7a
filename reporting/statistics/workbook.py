"""The statistics as .xlsx: one sheet per breakdown, each its table as on the page (constant-memory writer)."""

from __future__ import annotations

import datetime
import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.spreadsheets import formula_safe

from .selectors import Breakdown, StatScope

NO_VALUE = "—"
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def text_cells(sheet, values, *, bold: bool = False) -> list[WriteOnlyCell]:
    """Cells formatted as text; one a spreadsheet would run as a formula (= + - @) gets a leading apostrophe."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=formula_safe(str(value)))
        cell.number_format = "@"
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def filename(cohort: int, scope: StatScope, only: str | None) -> str:
    what = f"统计分析-{only}" if only else "统计分析"
    return f"{cohort}届{what}-{scope.name}.xlsx"


def write_statistics(
    *, breakdowns: list[Breakdown], cohort: int, scope: StatScope, user, generated_at: datetime.datetime
) -> bytes:
    workbook = Workbook(write_only=True)
    for breakdown in breakdowns:
        sheet = workbook.create_sheet(_SHEET_UNSAFE.sub("", breakdown.title)[:31])
        sheet.append(text_cells(sheet, [f"{cohort}届离校未就业高校毕业生 {breakdown.title}"], bold=True))
        sheet.append(
            text_cells(
                sheet,
                [f"范围：{scope.name}", f"生成时间：{generated_at:%Y-%m-%d %H:%M}", f"生成人：{user}"],
            )
        )
        share = breakdown.base is not None or (len(breakdown.columns) == 1)
        header = [breakdown.label_header, *breakdown.columns, *(["占比（%）"] if share else [])]
        sheet.append(text_cells(sheet, header, bold=True))
        for row in breakdown.table:
            cells = text_cells(sheet, [row["label"]])
            # A value not there yet (a month to come) is "—" as on the page, never a 0 that reads as data.
            cells += [
                WriteOnlyCell(sheet, value=int(v)) if v is not None else text_cells(sheet, [NO_VALUE])[0]
                for v in row["values"]
            ]
            if share:
                cells.append(WriteOnlyCell(sheet, value=row["share"]))
            sheet.append(cells)
        if breakdown.additive:
            sheet.append(
                text_cells(sheet, ["合计"], bold=True)
                + [WriteOnlyCell(sheet, value=v) for v in breakdown.totals]
            )
        elif breakdown.base is not None:
            sheet.append(
                [*text_cells(sheet, ["登记人数"], bold=True), WriteOnlyCell(sheet, value=breakdown.base)]
            )
        if breakdown.note:
            sheet.append(text_cells(sheet, [f"说明：{breakdown.note}"]))
    if not breakdowns:
        sheet = workbook.create_sheet("统计分析")
        sheet.append(text_cells(sheet, ["没有数据"]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
