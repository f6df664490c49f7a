"""The roster template to download: the 汇总表 columns of 人社厅发〔2012〕69号 annex 2 plus 就业状态.

Built so that what people type survives Excel and reads back cleanly: ID, phone, date, region and multi-code
columns are text (Excel would turn 630102200304151234 into 6.30102E+17 and "13" into a number), the single-code
columns offer drop-down lists of "code.label" entries that parse.code() accepts, and a 填写说明 sheet explains
every column. The lists live on a hidden 代码表 sheet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..codes import (
    Destination,
    EducationLevel,
    Ethnicity,
    Gender,
    Hardship,
    Intention,
    LocationIntention,
    ServiceNeed,
)

SHEET_NAME = "名单"
INSTRUCTIONS_SHEET_NAME = "填写说明"
CODES_SHEET_NAME = "代码表"
# Rows the drop-down lists and prompts cover (enough for any roster; a range costs nothing in the file).
LAST_ROW = 1_048_576
UNIVERSITY_DUE = "6月15日"

STATUS_HEADER = "就业状态"
STATUS_CHOICES = ["签约", "未就业"]


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    required: bool = False
    text: bool = False  # formatted as text ("@")
    choices: type[models.TextChoices] | None = None  # a drop-down list of "code.label"
    multi: type[models.TextChoices] | None = None  # several codes: a prompt, no list
    rule: str = ""


COLUMNS: list[Column] = [
    Column("序号", 6, rule="可不填；导入时不读取。"),
    Column("姓名", 10, required=True, rule="与居民身份证一致。"),
    Column("性别", 8, choices=Gender, rule="男 或 女（也可填 1、2）；不填则按公民身份号码判断。"),
    Column("民族", 14, required=True, choices=Ethnicity, rule="民族名称或两位代码，如 汉族 或 01。"),
    Column(
        "公民身份号码",
        22,
        required=True,
        text=True,
        rule="18 位，末位 X 大写小写均可。该列已设为“文本”格式：请勿改成数字格式，否则末几位会丢失。",
    ),
    Column("毕业院校", 24, required=True, rule="学历证书上的学校全称。院校报送本校名单时可不填。"),
    Column("毕业日期", 12, required=True, text=True, rule="学历证书发放日期，写成 YYYYMMDD，如 {example}。"),
    Column("学历", 14, required=True, choices=EducationLevel, rule="最高学历，选一项。"),
    Column("所学专业", 20, required=True, rule="学历证书上的专业名称。"),
    Column(
        "入学前户口所在地",
        22,
        required=True,
        text=True,
        rule="6 位行政区划代码（GB/T 2260），如 630102；也可填完整名称，如 青海省西宁市城东区。",
    ),
    Column("电子邮箱", 24),
    Column("邮编", 9, text=True, rule="6 位数字。"),
    Column("手机号码", 14, text=True, rule="11 位手机号码。"),
    Column("固定电话", 16, text=True, rule="含区号，如 0971-8123456。"),
    Column("困难状况", 12, text=True, multi=Hardship, rule="可多选。"),
    Column("就业地意向", 18, choices=LocationIntention, rule="选一项。"),
    Column("就业意向", 14, text=True, multi=Intention, rule="可多选。"),
    Column(
        "就业服务需求", 14, text=True, multi=ServiceNeed, rule="可多选；就业意向为“自愿暂时不就业”的不填。"
    ),
    Column("就业去向（回访结果）", 20, choices=Destination, rule="回访结果，选一项；尚未回访的不填。"),
    Column(STATUS_HEADER, 10, rule="签约 或 未就业（离校时的就业状态）。"),
]

HEADER = [column.header for column in COLUMNS]


def choice_entries(choices: type[models.TextChoices]) -> list[str]:
    """The drop-down entries of a code list: 性别 as plain labels, the others as "code.label" ("3.大学本科")."""
    if choices is Gender:
        return list(choices.labels)
    return [f"{code}.{label}" for code, label in choices.choices]


def _codes_text(choices: type[models.TextChoices]) -> str:
    return "  ".join(f"{code}.{label}" for code, label in choices.choices)


def build_template(*, cohort: int | None = None) -> bytes:
    """The template as .xlsx bytes; COHORT (届别) goes into the titles and the date example."""
    year = cohort or timezone.localdate().year
    workbook = Workbook()
    roster = workbook.active
    roster.title = SHEET_NAME
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET_NAME)
    code_sheet = workbook.create_sheet(CODES_SHEET_NAME)
    lists = _fill_code_sheet(code_sheet)
    _fill_roster(roster, lists)
    _fill_instructions(instructions, cohort=cohort, year=year)
    code_sheet.sheet_state = "hidden"
    workbook.active = 0
    title = f"{cohort}届离校未就业高校毕业生名单" if cohort else "离校未就业高校毕业生名单"
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_code_sheet(sheet) -> dict[str, str]:
    """One column per list; returns header → the range a validation refers to."""
    lists: dict[str, list[str]] = {
        column.header: choice_entries(column.choices) for column in COLUMNS if column.choices is not None
    }
    lists[STATUS_HEADER] = STATUS_CHOICES
    for column in COLUMNS:
        if column.multi is not None:
            lists[column.header] = choice_entries(column.multi)  # for reference: no drop-down (several codes)
    ranges = {}
    for position, (header, entries) in enumerate(lists.items(), start=1):
        letter = get_column_letter(position)
        sheet.cell(row=1, column=position, value=header).font = Font(bold=True)
        for row, entry in enumerate(entries, start=2):
            sheet.cell(row=row, column=position, value=entry)
        sheet.column_dimensions[letter].width = 22
        ranges[header] = f"'{CODES_SHEET_NAME}'!${letter}$2:${letter}${len(entries) + 1}"
    return ranges


def _fill_roster(sheet, lists: dict[str, str]) -> None:
    thin = Side(style="thin", color="999999")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = required_fill if column.required else header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.text:
            # A column style: Excel and WPS give it to every cell typed or pasted (as values) into the column.
            dimension.number_format = "@"
        cells = f"{letter}2:{letter}{LAST_ROW}"
        if column.choices is not None or column.header == STATUS_HEADER:
            validation = DataValidation(
                type="list",
                formula1=lists[column.header],
                allow_blank=True,
                showErrorMessage=True,
                # A warning, not a stop: a typed code ("3") or label ("本科") is also accepted by the import.
                errorStyle="warning",
                errorTitle=column.header[:32],
                error="请从下拉列表中选择；也可直接填写代码或名称。",
                showInputMessage=True,
                promptTitle=column.header[:32],
                prompt="从下拉列表中选择，或填写代码/名称。",
            )
            validation.add(cells)
            sheet.add_data_validation(validation)
        elif column.multi is not None:
            prompt = "可多选，代码连写（如 13）或用顿号分隔：" + _codes_text(column.multi)
            validation = DataValidation(
                allow_blank=True,
                showInputMessage=True,
                promptTitle=column.header[:32],
                prompt=prompt[:255],
            )
            validation.add(cells)
            sheet.add_data_validation(validation)
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "C2"  # the header and 序号/姓名 stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}1"


def _fill_instructions(sheet, *, cohort: int | None, year: int) -> None:
    example = f"{year}0630"
    title = f"{cohort}届离校未就业高校毕业生名单 填写说明" if cohort else "离校未就业高校毕业生名单 填写说明"
    limit = getattr(settings, "ROSTER_MAX_UPLOAD_MB", 20)
    notes = [
        "本表的列即《离校未就业高校毕业生信息汇总表》（人社厅发〔2012〕69号 附件2）的列，另加“就业状态”一列。",
        f"院校请于每年 {UNIVERSITY_DUE}前 报送本校应届毕业生名单（签约和未就业的都报）。",
        "在“名单”工作表中每行填写一人，请勿修改表头文字；表头上方可以有标题行，空行会被跳过。",
        "公民身份号码、手机号码、日期等列已设为“文本”格式。从其他表格粘贴时请用“选择性粘贴→数值”，"
        "不要让 Excel 把身份证号变成 6.30102E+17 这样的数字（末几位会丢失，无法导入）。",
        f"日期写成 YYYYMMDD，如 {example}；2026-06-30、2026/6/30、2026年6月30日 也可以。",
        "困难状况、就业意向、就业服务需求可多选：把代码依次连写，如 13、123456789A，或用顿号分隔，如 1、3。",
        "有下拉列表的列可从列表中选择，也可直接填写代码（如 3）或名称（如 本科）。",
        f"保存为 .xlsx 格式（不要加密、不要带宏），文件不超过 {limit} MB；每个文件建议不超过 10 万行。",
        "标为浅橙色的列为必填项。",
    ]
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 70
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    row = 3
    for number, note in enumerate(notes, start=1):
        sheet.cell(row=row, column=1, value=f"{number}. {note}")
        row += 1
    row += 1
    for position, heading in enumerate(["列名", "必填", "填写要求", "代码"], start=1):
        cell = sheet.cell(row=row, column=position, value=heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in COLUMNS:
        row += 1
        codes = column.choices or column.multi
        if column.header == STATUS_HEADER:
            code_text = "  ".join(STATUS_CHOICES)
        elif codes is not None:
            code_text = _codes_text(codes)
        else:
            code_text = ""
        values = [
            column.header,
            "是" if column.required else "",
            column.rule.format(example=example),
            code_text,
        ]
        for position, value in enumerate(values, start=1):
            sheet.cell(row=row, column=position, value=value).alignment = wrap
