"""Roster spreadsheets of generated people, built with openpyxl as universities and offices send them."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook

from tests.factories import make_id_number

SUMMARY_HEADER = [
    "序号", "姓名", "性别", "民族", "公民身份号码", "毕业院校", "毕业日期", "学历", "所学专业", "入学前户口所在地",
    "电子邮箱", "邮编", "手机号码", "固定电话", "困难状况", "就业地意向", "就业意向", "就业服务需求",
    "就业去向（回访结果）", "就业状态",
]  # fmt: skip


def roster_row(seq: int, **overrides) -> dict:
    """One valid row, keyed by the 汇总表 header."""
    row = {
        "序号": seq,
        "姓名": f"名单学生{seq}",
        "性别": "1" if seq % 2 else "2",
        "民族": "01",
        "公民身份号码": _id_for(seq),
        "毕业院校": "青海大学",
        "毕业日期": "20260630",
        "学历": "3",
        "所学专业": "计算机科学与技术",
        "入学前户口所在地": "630102",
        "电子邮箱": "",
        "邮编": "810000",
        "手机号码": f"138{seq:08d}",
        "固定电话": "",
        "困难状况": "4",
        "就业地意向": "2",
        "就业意向": "3",
        "就业服务需求": "23",
        "就业去向（回访结果）": "",
        "就业状态": "未就业",
    }
    row.update(overrides)
    return row


def _id_for(seq: int) -> str:
    """A distinct valid ID number for each SEQ (birth day and order number vary); odd SEQ male, even female."""
    birth = datetime.date(2003, 1, 1) + datetime.timedelta(days=seq // 450)
    order = 2 * (seq % 450) + (1 if seq % 2 else 2)
    return make_id_number(birth=birth.strftime("%Y%m%d"), seq=order)


def roster_bytes(rows: list[dict], *, header: list[str] | None = None, title_rows: list[str] = ()) -> bytes:
    header = header or SUMMARY_HEADER
    workbook = Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(row.get(column, "")) for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value):
    return value if isinstance(value, (datetime.date, int, float)) else str(value)
