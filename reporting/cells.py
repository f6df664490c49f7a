"""Cell helpers shared by every spreadsheet the reporting app writes: the 汇总表's header and row (人社厅发〔2012〕69号
annex 2; the monthly table, the MOHRSS export, the January feedback), text cells that are formula-safe, the
notices' date format."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.spreadsheets import formula_safe
from graduates.codes import (
    HARDSHIP_NATIONAL_CODE,
    Ethnicity,
    Gender,
    Hardship,
    Intention,
    ServiceNeed,
    join_codes,
)

SUMMARY_HEADER = [
    "序号", "姓名", "性别", "民族", "公民身份号码", "毕业院校", "毕业日期", "学历", "所学专业", "入学前户口所在地",
    "电子邮箱", "邮编", "手机号码", "固定电话", "困难状况", "就业地意向", "就业意向", "就业服务需求",
    "就业去向（回访结果）",
]  # fmt: skip


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


def save_workbook(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _label(choices, code: str) -> str:
    """性别 and 民族 as written on the ID card (男/女, 汉族), not as GB codes."""
    try:
        return str(choices(code).label)
    except ValueError:
        return code or ""


def summary_values(seq: int, row: tuple) -> list:
    """One 汇总表 row (annex 2's 19 columns) from a registry row."""
    (name, gender, ethnicity, id_number, university, graduated, education, major, origin, email, postcode,
     mobile, landline, hardship, location, intentions, needs, destination) = row  # fmt: skip
    national_hardship = [HARDSHIP_NATIONAL_CODE.get(code, code) for code in hardship or []]
    return [
        seq, name, _label(Gender, gender), _label(Ethnicity, ethnicity), id_number, university,
        graduated.strftime("%Y%m%d") if graduated else "",
        education, major, origin, email, postcode, mobile, landline, join_codes(national_hardship, Hardship),
        location, join_codes(intentions or [], Intention), join_codes(needs or [], ServiceNeed), destination,
    ]  # fmt: skip
