"""The feedback spreadsheet: one university's graduates of a cohort with the services they got and their 就业去向.
openpyxl write-only: rows go from the database cursor straight into the file; every text cell formula-safe."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.models import Office, User
from graduates.codes import Destination, EducationLevel, Gender, State
from reporting.cells import date_cn, safe_text, text_cells
from services.codes import ServiceType

from . import selectors

TYPE_LABELS = dict(ServiceType.choices)
COLUMNS = [
    "序号", "姓名", "性别", "公民身份号码", "学历", "所学专业", "毕业日期", "责任机构", "当前状态", "服务合计（次）",
    *[f"{label}（次）" for label in TYPE_LABELS.values()],
    "服务情况（按日期）", "服务机构", "一对一帮扶", "就业去向代码", "就业去向（最近回访）", "回访日期", "就业单位",
]  # fmt: skip
ID_COLUMN = COLUMNS.index("公民身份号码")

GENDERS, LEVELS, STATES, DESTINATIONS = (
    dict(c.choices) for c in (Gender, EducationLevel, State, Destination)
)


def _person(user: User | None) -> str:
    return (user.full_name or user.get_username()) if user is not None else "系统"


def row_values(number: int, row: dict) -> list:
    """One graduate's cells in COLUMNS order (text, except the counts)."""
    items = [item.split("|", 2) for item in (row["services"] or [])]
    counts = Counter(service_type for _, service_type, _ in items)
    listing = "；".join(f"{day} {TYPE_LABELS.get(kind, kind)}" for day, kind, _ in items)
    offices = "、".join(dict.fromkeys(office for _, _, office in items))
    if row["one_on_one__started_on"] is not None:
        one_on_one = f"是（{row['one_on_one__started_on']:%Y-%m-%d} 起，{row['one_on_one__office__name']}）"
    else:
        one_on_one = "否"
    visit = row["latest_visit"] or {}
    destination = visit.get("destination", "")
    return [
        number,
        row["name"],
        GENDERS.get(row["gender"], row["gender"]),
        row["id_number"],
        LEVELS.get(row["education"], row["education"]),
        row["major"],
        f"{row['graduation_date']:%Y-%m-%d}",
        row["responsible_office__name"],
        STATES.get(row["state"], row["state"]),
        len(items),
        *[counts.get(kind, 0) for kind in TYPE_LABELS],
        listing,
        offices,
        one_on_one,
        destination,
        DESTINATIONS.get(destination, ""),
        visit.get("visited_on", ""),
        visit.get("employer", ""),
    ]


def write_feedback(
    *,
    cohort: int,
    university: Office,
    rows: Iterable[dict],
    user: User | None,
    generated_at: datetime.datetime,
) -> tuple[bytes, int]:
    """The university's feedback sheet as .xlsx bytes and its row count."""
    workbook = Workbook(write_only=True)
    person = _person(user)
    workbook.properties.creator = person
    sheet = workbook.create_sheet("就业服务情况反馈")
    title = WriteOnlyCell(sheet, value=f"{cohort}届离校未就业高校毕业生就业服务情况反馈表")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    unit = user.office.name if user is not None and user.office is not None else ""
    stamp = timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M")
    sheet.append(
        text_cells(
            sheet,
            [
                f"院校：{university.name}（学校标识码 {university.school_code}）",
                f"反馈截止：{date_cn(selectors.due_on(cohort))}",
                f"生成人：{person}{f'（{unit}）' if unit else ''}",
                f"生成时间：{stamp}（数据截至生成时）",
            ],
        )
    )
    sheet.append(text_cells(sheet, COLUMNS, bold=True))
    count = 0
    for count, row in enumerate(rows, start=1):
        values = row_values(count, row)
        cells: list = [value if isinstance(value, int) else safe_text(value) for value in values]
        id_cell = WriteOnlyCell(sheet, value=cells[ID_COLUMN])
        id_cell.number_format = "@"
        cells[ID_COLUMN] = id_cell
        sheet.append(cells)
    sheet.append([])
    sheet.append(
        [
            safe_text(
                f"共 {count} 人。由 {person} 于 {stamp} 生成；作废的服务记录不计；就业去向取最近一次回访的结果。"
            )
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def filename(cohort: int, university: Office) -> str:
    return f"{cohort}届毕业生就业服务情况反馈_{university.school_code}_{university.name}.xlsx"


def _grouped(rows: Iterator[dict], university_id: int, pending: list[dict]) -> Iterator[dict]:
    """The rows of UNIVERSITY_ID from a stream ordered by university; the first row of a later university is
    kept in PENDING for the next call."""
    while True:
        row = pending.pop() if pending else next(rows, None)
        if row is None:
            return
        owner = row["feedback_university"]
        if owner is None or owner < university_id:
            continue  # not one of the listed universities (cannot happen: the query selects only theirs)
        if owner > university_id:
            pending.append(row)
            return
        yield row


def write_feedback_zip(
    *, cohort: int, universities: list[Office], user: User | None, generated_at: datetime.datetime
) -> tuple[bytes, int]:
    """One .xlsx per university (those without graduates too) in one zip, from one query ordered by university."""
    order = sorted(universities, key=lambda u: u.pk)
    rows = selectors.feedback_rows_by_university(cohort=cohort, universities=order)
    pending: list[dict] = []
    total = 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for university in order:
            content, count = write_feedback(
                cohort=cohort,
                university=university,
                rows=_grouped(rows, university.pk, pending),
                user=user,
                generated_at=generated_at,
            )
            archive.writestr(filename(cohort, university), content)
            total += count
    return buffer.getvalue(), total
