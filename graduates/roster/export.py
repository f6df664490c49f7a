"""The invalid rows of an upload as an .xlsx: the file's own columns plus 错误原因, to fix and upload again."""

from __future__ import annotations

import io
from collections import defaultdict

from openpyxl import Workbook

from core import crypto
from core.spreadsheets import formula_safe

from ..models import RosterRow, RosterUpload


def _safe(value):
    """A cell never becomes a formula in the user's spreadsheet (the file came from outside)."""
    return formula_safe(value) if isinstance(value, str) else value


def invalid_rows_workbook(upload: RosterUpload) -> bytes:
    reasons = defaultdict(list)
    for error in upload.errors:
        reasons[error["row"]].append(
            f"{error['column']}：{error['message']}" if error["column"] else error["message"]
        )
    columns = list(upload.columns.items())  # [(field, header text)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("有误的行")
    header = ["原行号", *[text for _, text in columns], "错误原因"]
    sheet.append(header)
    rows = RosterRow.objects.filter(upload=upload, action=RosterRow.Action.INVALID).order_by("row_number")
    for row in rows.iterator(chunk_size=2000):
        if row.data.get("id_number"):  # the ID number cell is kept encrypted (engine._invalid_cells)
            row.data["id_number"] = crypto.decrypt(row.data["id_number"])
        sheet.append(
            [row.row_number, *[_safe(row.data.get(field, "")) for field, _ in columns],
             "；".join(reasons.get(row.row_number, []))]
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
