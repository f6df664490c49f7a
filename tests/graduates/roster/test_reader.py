"""graduates/roster/reader.py: messy rosters read with Excel's row numbers; hostile files refused cleanly."""

from __future__ import annotations

import datetime
import random
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook

from graduates.codes import EducationLevel, Hardship
from graduates.roster import parse
from graduates.roster.reader import (
    MIB,
    RosterFileError,
    _analyse_segment,
    _SheetStats,
    check_file_safety,
    match_header,
    open_roster,
)
from tests.factories import make_id_number

MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# --- building files ---------------------------------------------------------------------------------------------


def save(workbook: Workbook, tmp_path: Path, name: str = "roster.xlsx") -> Path:
    path = tmp_path / name
    workbook.save(path)
    return path


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cells_xml(rows: Iterable[tuple[int, list]]) -> Iterable[bytes]:
    """<row> elements with inline strings and numbers, as (row number, values) pairs."""
    for number, values in rows:
        parts = [f'<row r="{number}">']
        for position, value in enumerate(values, start=1):
            ref = f"{column_letter(position)}{number}"
            if value is None:
                continue
            if isinstance(value, str):
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
            else:
                parts.append(f'<c r="{ref}"><v>{value}</v></c>')
        parts.append("</row>")
        yield "".join(parts).encode()


def write_xlsx(
    path: Path,
    sheet: bytes | Iterable[bytes],
    *,
    shared_strings: bytes | Iterable[bytes] | None = None,
    main_type: str = MAIN_TYPE,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A minimal workbook of one sheet, written by hand (streamed: a big part is never held in memory)."""
    sst_type = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f"{sst_type if shared_strings is not None else ''}</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="汇总表" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        _write_member(archive, "xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            _write_member(archive, "xl/sharedStrings.xml", shared_strings)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes | Iterable[bytes]) -> None:
    if isinstance(data, bytes):
        archive.writestr(name, data)
        return
    with archive.open(name, "w", force_zip64=True) as handle:
        for chunk in data:
            handle.write(chunk)


def worksheet(rows: Iterable[bytes], *, dimension: str | None = None, tail: bytes = b"") -> Iterable[bytes]:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS}">{dim}<sheetData>'.encode()
    yield from rows
    yield b"</sheetData>" + tail + b"</worksheet>"


HEADER = ["姓名", "公民身份号码", "毕业院校"]


def small_roster(tmp_path: Path, name: str = "roster.xlsx") -> Path:
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["张三", make_id_number(), "青海大学"])
    return save(workbook, tmp_path, name)


def refusal(path: Path, **kwargs) -> str:
    with pytest.raises(RosterFileError) as caught:
        open_roster(path, **kwargs)
    return caught.value.message


# --- messy but valid files ----------------------------------------------------------------------------------------


def test_messy_roster_is_read_with_the_row_numbers_excel_shows(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "2026届离校未就业高校毕业生名单"
    sheet.merge_cells("A1:N1")
    sheet["A2"] = "填报单位：青海大学"
    sheet["F2"] = "联系电话：0971-5310000"
    # Row 3 empty; the header in row 4, in another order, with variants, a note, stray blanks, an unknown
    # column and a second mobile column.
    sheet.append([])
    sheet.append(
        ["序号", "身份证号", " 姓 名 ", "学校", "毕业时间", "学历层次", "专业", "生源地", "手机", "困难类型",
         "就业去向（回访结果）", "是否就业", "备注", "手机号"]
    )  # fmt: skip
    id_a = next(number for seq in range(1, 999) if (number := make_id_number(seq=seq)).endswith("X"))
    id_b, id_c = make_id_number(seq=124), make_id_number(seq=125)
    sheet.append(
        [1, f" {id_a[:6]} {id_a[6:-1]}x ", " 张三 ", "青海大学", datetime.date(2026, 6, 30), "本科",
         "计算机科学与技术", "青海省西宁市城东区", 13800000001, "13", None, "未就业", "无", None]
    )  # fmt: skip
    sheet.append([])
    full_width_id = id_b.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    sheet.append(
        [2, full_width_id, "李四", "青海大学", "2026/6/30", "３", "汉语言文学", "630102", "138 0000 0002",
         "零就业家庭、残疾", "4", "签约"]
    )  # fmt: skip
    sheet.append([3, int(id_c), "王五", "青海大学", "2026年6月30日", "4.大学专科", "护理", 630103])
    sheet.append([4])  # a pre-numbered row with nothing else: not a graduate
    sheet.append([None, id_c, "赵六", "青海大学", "20260630", "专科", "会计学", "西宁市城东区"])
    path = save(workbook, tmp_path)

    roster = open_roster(path)

    assert roster.header_row == 4
    assert roster.columns == {
        "id_number": "身份证号",
        "name": "姓 名",
        "university_name": "学校",
        "graduation_date": "毕业时间",
        "education": "学历层次",
        "major": "专业",
        "origin_region": "生源地",
        "mobile": "手机",
        "hardship": "困难类型",
        "destination": "就业去向（回访结果）",
        "employment_status": "是否就业",
    }
    assert roster.ignored_columns == ["备注", "手机号"]
    assert roster.duplicate_columns == ["手机号"]
    assert roster.total_rows == 6
    rows = list(roster.rows())
    assert [row.row_number for row in rows] == [5, 7, 8, 10]
    first, second, third, fourth = rows
    assert first.values["graduation_date"] == datetime.date(2026, 6, 30)
    assert first.values["mobile"] == 13800000001.0  # calamine gives numbers as floats
    assert first.values["destination"] is None
    assert parse.id_number(first.values["id_number"]) == id_a
    assert parse.text(first.values["name"]) == "张三"
    assert parse.phone(first.values["mobile"]) == "13800000001"
    assert parse.codes(first.values["hardship"], Hardship) == ["1", "3"]
    assert parse.employment_status(first.values["employment_status"]) == "unemployed"
    assert parse.id_number(second.values["id_number"]) == id_b
    assert parse.date(second.values["graduation_date"]) == datetime.date(2026, 6, 30)
    assert parse.code(second.values["education"], EducationLevel) == "3"
    assert parse.phone(second.values["mobile"]) == "13800000002"
    assert parse.codes(second.values["hardship"], Hardship) == ["1", "3"]
    with pytest.raises(parse.CellError, match="存成了数字"):
        parse.id_number(third.values["id_number"])
    assert parse.date(third.values["graduation_date"]) == datetime.date(2026, 6, 30)
    assert parse.code(third.values["education"], EducationLevel) == "4"
    assert third.values["origin_region"] == 630103.0
    assert parse.date(fourth.values["graduation_date"]) == datetime.date(2026, 6, 30)
    assert parse.code(fourth.values["education"], EducationLevel) == "4"


def test_rows_and_columns_above_and_left_of_the_data_count(tmp_path):
    """calamine starts its grid at the first filled cell; the row numbers must still be Excel's."""
    workbook = Workbook()
    sheet = workbook.active
    sheet["C5"], sheet["D5"], sheet["E5"] = HEADER
    sheet["C6"], sheet["D6"], sheet["E6"] = "张三", make_id_number(), "青海大学"
    sheet["C9"], sheet["D9"], sheet["E9"] = "李四", make_id_number(seq=124), "青海大学"
    roster = open_roster(save(workbook, tmp_path))
    assert roster.header_row == 5
    assert [(row.row_number, row.values["name"]) for row in roster.rows()] == [(6, "张三"), (9, "李四")]


def test_header_in_first_row(tmp_path):
    roster = open_roster(small_roster(tmp_path))
    assert roster.header_row == 1
    assert [row.row_number for row in roster.rows()] == [2]
    assert roster.ignored_columns == []


def test_two_line_header_with_merged_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "公民身份号码", "毕业院校", "联系方式", None])
    sheet.append([None, None, None, "手机", "固定电话"])
    for column in "ABC":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells("D1:E1")
    sheet.append(["张三", make_id_number(), "青海大学", "13800000001", "0971-8123456"])
    roster = open_roster(save(workbook, tmp_path))
    assert roster.header_row == 2
    assert roster.columns["mobile"] == "手机"
    assert roster.columns["landline"] == "固定电话"
    assert roster.ignored_columns == []
    (row,) = roster.rows()
    assert row.row_number == 3
    assert row.values["landline"] == "0971-8123456"


def test_university_merged_over_its_rows_fills_each_row(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["张三", make_id_number(seq=123), "青海大学"])
    sheet.append(["李四", make_id_number(seq=124), None])
    sheet.append(["王五", make_id_number(seq=125), "青海师范大学"])
    sheet.merge_cells("C2:C3")
    roster = open_roster(save(workbook, tmp_path))
    assert [row.values["university_name"] for row in roster.rows()] == [
        "青海大学",
        "青海大学",
        "青海师范大学",
    ]


def test_contact_phone_is_the_mobile_only_without_a_mobile_column(tmp_path):
    workbook = Workbook()
    workbook.active.append([*HEADER, "联系电话"])
    roster = open_roster(save(workbook, tmp_path, "a.xlsx"))
    assert roster.columns["mobile"] == "联系电话"

    workbook = Workbook()
    workbook.active.append([*HEADER, "联系电话", "手机号码"])
    roster = open_roster(save(workbook, tmp_path, "b.xlsx"))
    assert roster.columns["mobile"] == "手机号码"
    assert roster.ignored_columns == ["联系电话"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("公民身份号码", "id_number"),
        ("身份证号码", "id_number"),
        ("证件号码", "id_number"),
        ("公民身份\n号码", "id_number"),
        ("*姓名", "name"),
        ("姓名（必填）", "name"),
        ("毕业日期(YYYYMMDD)", "graduation_date"),
        ("毕业日期（格式：20260630）", "graduation_date"),
        ("就业去向\n（回访结果）", "destination"),
        ("毕业去向", "education_destination"),
        ("毕业去向代码", "education_destination"),
        ("E-mail", "email"),
        ("Email", "email"),
        ("ＥＭＡＩＬ", "email"),
        ("邮政编码", "postcode"),
        ("座机", "landline"),
        ("学校名称", "university_name"),
        ("入学前户口所在地代码", "origin_region"),
        ("生源地", "origin_region"),
        ("困难生类别", "hardship"),
        ("服务需求", "service_needs"),
        ("签约状态", "employment_status"),
        ("毕业年份", "cohort"),
        ("学历【代码】", "education"),
        ("序号", ""),
        ("备注", None),
        ("联系方式", None),
    ],
)
def test_header_variants(text, field):
    assert match_header(text) == field


def test_no_header_in_the_first_20_rows_is_refused(tmp_path):
    workbook = Workbook()
    for number in range(25):
        workbook.active.append([f"第 {number} 行说明"])
    workbook.active.append(HEADER)
    message = refusal(save(workbook, tmp_path))
    assert message.startswith("在工作表“Sheet”的前 20 行中找不到表头")


def test_missing_id_column_is_refused(tmp_path):
    workbook = Workbook()
    workbook.active.append(["姓名", "性别", "毕业院校", "学历"])
    assert refusal(save(workbook, tmp_path)) == "工作表“Sheet”第 1 行的表头中找不到必需的列：公民身份号码。"


def test_empty_sheet_is_refused(tmp_path):
    assert refusal(save(Workbook(), tmp_path)) == "工作表“Sheet”是空的。"


def test_first_visible_sheet_is_read(tmp_path):
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.sheet_state = "hidden"
    workbook.active.append(["这是隐藏的说明"])
    roster_sheet = workbook.create_sheet("名单")
    roster_sheet.append(HEADER)
    roster_sheet.append(["张三", make_id_number(), "青海大学"])
    workbook.active = 1
    roster = open_roster(save(workbook, tmp_path))
    assert roster.sheet_name == "名单"
    assert len(list(roster.rows())) == 1


def test_cells_without_references_are_placed_like_excel_does(tmp_path):
    """r is optional in the file format: cells and rows without it follow the previous ones."""
    rows = [
        b"<row><c t='inlineStr'><is><t>title</t></is></c></row>",
        b'<row r="3">'
        + b"".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>'.encode() for h in HEADER)
        + b"</row>",
        b"<row>"
        + f'<c t="inlineStr"><is><t>张三</t></is></c><c t="inlineStr"><is><t>{make_id_number()}</t></is></c>'.encode()
        + b"</row>",
    ]
    roster = open_roster(write_xlsx(tmp_path / "norefs.xlsx", worksheet(rows)))
    assert roster.header_row == 3
    assert [(row.row_number, row.values["name"]) for row in roster.rows()] == [(4, "张三")]


def test_namespace_prefixed_sheet_is_read_and_measured(tmp_path):
    """Some generators (the .NET Open XML SDK) write <x:c> instead of <c>."""

    def prefixed(rows: list[bytes]) -> Iterable[bytes]:
        yield f'<x:worksheet xmlns:x="{NS}"><x:sheetData>'.encode()
        yield from (row.replace(b"<", b"<x:").replace(b"<x:/", b"</x:") for row in rows)
        yield b"</x:sheetData></x:worksheet>"

    rows = list(cells_xml([(2, HEADER), (3, ["张三", make_id_number(), "青海大学"])]))
    roster = open_roster(write_xlsx(tmp_path / "x.xlsx", prefixed(rows)))
    assert roster.header_row == 2
    assert [row.row_number for row in roster.rows()] == [3]
    rows.append(b'<row r="200000"><c r="CV200000"><v>1</v></c></row>')
    assert refusal(write_xlsx(tmp_path / "bomb.xlsx", prefixed(rows))).startswith("工作表“汇总表”内容过多")


def test_fast_and_slow_measurement_agree():
    canonical = b"".join(cells_xml([(1, ["a", "b", 3]), (7, ["x", None, None, "d"])]))
    odd = canonical.replace(b'"', b"'").replace(b"=", b" = ")
    fast, slow = _SheetStats(), _SheetStats()
    _analyse_segment(canonical, b"", fast)
    _analyse_segment(odd, b"", slow)
    assert (fast.rows, fast.columns, fast.cells, fast.inline_cells) == (7, 4, 5, 4)
    assert (slow.rows, slow.columns, slow.cells, slow.inline_cells) == (7, 4, 5, 4)


# --- hostile and broken files ---------------------------------------------------------------------------------------


def test_text_file_renamed_xlsx_is_refused(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("姓名,公民身份号码\n张三,630102200304151234\n", encoding="utf-8")
    with pytest.raises(RosterFileError) as caught:
        check_file_safety(path, max_bytes=MIB)
    assert caught.value.message.startswith("不是有效的 .xlsx 文件")


def test_old_xls_or_encrypted_file_is_refused(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    with pytest.raises(RosterFileError) as caught:
        check_file_safety(path, max_bytes=MIB)
    assert caught.value.message == "文件已加密或是旧版 .xls 格式，请另存为 .xlsx（不加密）后上传。"


def test_encryption_member_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", worksheet([]), extra={"EncryptionInfo": b"\x04\x00\x04\x00"})
    assert refusal(path).startswith("文件已加密或是旧版 .xls 格式")


def test_file_over_the_size_limit_is_refused(tmp_path):
    picture = random.Random(1).randbytes(2 * MIB)  # incompressible
    path = write_xlsx(tmp_path / "big.xlsx", worksheet([]), extra={"xl/media/image1.png": picture})
    with pytest.raises(RosterFileError) as caught:
        check_file_safety(path, max_bytes=1 * MIB)
    assert caught.value.message == "文件大小 2.0 MB，超过上限 1.0 MB。"
    assert refusal(path, max_bytes=1 * MIB) == "文件大小 2.0 MB，超过上限 1.0 MB。"


def test_macros_are_refused(tmp_path):
    vba = write_xlsx(tmp_path / "vba.xlsx", worksheet([]), extra={"xl/vbaProject.bin": b"\0" * 512})
    assert refusal(vba).startswith("文件含有宏（.xlsm），出于安全考虑不予接收")
    xlsm = write_xlsx(tmp_path / "m.xlsx", worksheet([]), main_type=MACRO_MAIN_TYPE)
    assert refusal(xlsm).startswith("文件含有宏")


def test_truncated_file_is_refused(tmp_path):
    data = small_roster(tmp_path).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert refusal(path).startswith("不是有效的 .xlsx 文件")


def test_damaged_part_is_refused(tmp_path):
    path = small_roster(tmp_path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    for position in range(start, start + 16):
        data[position] ^= 0x55
    path.write_bytes(bytes(data))
    assert refusal(path) == "文件已损坏，无法读取：请在 Excel 或 WPS 中打开并重新保存为 .xlsx 后上传。"


def test_zip_without_workbook_is_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert refusal(path).startswith("不是有效的 .xlsx 文件")


def test_zip_with_two_members_of_one_name_is_refused(tmp_path):
    path = small_roster(tmp_path)
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(path, "a") as archive,
    ):
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    assert refusal(path).startswith("文件已损坏")


def zeros(total: int, chunk: int = 4 * MIB) -> Iterable[bytes]:
    block = b"0" * chunk
    for _ in range(total // chunk):
        yield block


def test_zip_bomb_is_refused_by_its_ratio_and_by_its_size(tmp_path):
    path = write_xlsx(tmp_path / "bomb.xlsx", worksheet(zeros(64 * MIB)))
    assert path.stat().st_size < MIB
    with pytest.raises(RosterFileError) as caught:
        check_file_safety(path, max_bytes=20 * MIB)
    assert "疑似“压缩炸弹”" in caught.value.message
    assert "压缩比" in caught.value.message
    with pytest.raises(RosterFileError) as caught:
        check_file_safety(path, max_bytes=20 * MIB, max_uncompressed_bytes=32 * MIB, max_ratio=10**6)
    assert (
        caught.value.message
        == "文件解压后的内容异常庞大（解压后共 64 MB，上限 32 MB），疑似“压缩炸弹”，已拒绝。"
    )


def test_member_inflating_beyond_its_declared_size_is_refused(tmp_path):
    """The ZIP directory may lie about a size; the bytes the parser would read are counted, not trusted."""
    rows = cells_xml([(1, HEADER), *((n, ["张三", make_id_number(), "青海大学"]) for n in range(2, 3000))])
    path = write_xlsx(tmp_path / "liar.xlsx", b"".join(worksheet(rows)))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 100_000
    name = info.filename.encode()
    local = info.header_offset
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 50_000)  # uncompressed size in the central directory
    struct.pack_into("<I", data, local + 22, 50_000)  # and in the local header
    path.write_bytes(bytes(data))
    message = refusal(path)
    assert message.startswith(
        "文件解压后的内容异常庞大（部件 xl/worksheets/sheet1.xml 解压后超出其声明的大小）"
    )


def test_two_cells_far_apart_are_refused_before_parsing(tmp_path):
    """calamine would hold a dense grid from A1 to CV200000: 20 million cells, 640 MB, for a 2 KB file."""
    rows = cells_xml([(1, HEADER), (200_000, [None] * 99 + ["x"])])
    path = write_xlsx(tmp_path / "sparse.xlsx", worksheet(rows))
    assert path.stat().st_size < 4096
    message = refusal(path)
    assert message.startswith("工作表“汇总表”内容过多（读取约需 61")
    assert "上限 400 MB）：请拆分为几个文件分别上传" in message
    # However the references are spelled.
    odd = b"".join(cells_xml([(1, HEADER), (200_000, [None] * 99 + ["x"])]))
    odd = odd.replace(b' r="CV200000"', b" r = 'CV200000'")
    assert refusal(write_xlsx(tmp_path / "odd.xlsx", worksheet([odd]))).startswith("工作表“汇总表”内容过多")


def test_one_long_string_shared_by_many_cells_is_refused(tmp_path):
    """Each cell gets its own copy of its shared string: 40,000 × 12 KB is half a gigabyte."""
    long_text = "长" * 4000
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="4" uniqueCount="4">'
        + "".join(f"<si><t>{h}</t></si>" for h in HEADER)
        + f"<si><t>{long_text}</t></si></sst>"
    ).encode()

    def rows(count: int) -> Iterable[bytes]:
        yield b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
        for number in range(2, count + 2):
            yield f'<row r="{number}"><c r="A{number}" t="s"><v>3</v></c></row>'.encode()

    path = write_xlsx(tmp_path / "amplified.xlsx", worksheet(rows(40_000)), shared_strings=sst)
    assert path.stat().st_size < 300_000
    assert refusal(path).startswith("工作表“汇总表”内容过多")
    # The same string in a few hundred cells is an ordinary file.
    path = write_xlsx(tmp_path / "fine.xlsx", worksheet(rows(300)), shared_strings=sst)
    roster = open_roster(path)
    assert sum(1 for _ in roster.rows()) == 300


def test_enormous_shared_string_table_is_refused(tmp_path):
    def table() -> Iterable[bytes]:
        yield f'<sst xmlns="{NS}">'.encode()
        for start in range(0, 1_000_000, 100_000):
            yield b"".join(f"<si><t>{n}</t></si>".encode() for n in range(start, start + 100_000))
        yield b"</sst>"

    path = write_xlsx(tmp_path / "sst.xlsx", worksheet(cells_xml([(1, HEADER)])), shared_strings=table())
    assert refusal(path, max_memory_bytes=50 * MIB).startswith("工作表“汇总表”内容过多")


def test_declared_100000_columns_are_refused_before_parsing(tmp_path):
    path = write_xlsx(tmp_path / "wide.xlsx", worksheet(cells_xml([(1, HEADER)]), dimension="A1:EQXE1"))
    assert refusal(path) == (
        "工作表“汇总表”声明的范围 A1:EQXE1 过大（100001 列），无法处理：请只保留名单所在的区域后重新保存。"
    )
    path = write_xlsx(tmp_path / "tall.xlsx", worksheet(cells_xml([(1, HEADER)]), dimension="A1:T1048576"))
    assert "（1048576 行）" in refusal(path)


def test_100000_real_columns_are_refused(tmp_path):
    row = b'<row r="1">' + b"".join(
        f'<c r="{column_letter(n)}1"><v>{n}</v></c>'.encode() for n in range(1, 100_001)
    )
    path = write_xlsx(tmp_path / "wide.xlsx", worksheet([row + b"</row>"]))
    assert refusal(path) == "工作表“汇总表”有 100000 列，超过上限 200 列：请删除名单以外的列后上传。"


def test_sheet_without_dimension_and_201_columns_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "wide.xlsx", worksheet(cells_xml([(1, [*HEADER, *range(198)])])))
    assert refusal(path).startswith("工作表“汇总表”有 201 列")


def test_server_stays_usable_after_refusals(tmp_path):
    """A refused file leaves nothing behind: the next good file reads normally."""
    bomb = write_xlsx(
        tmp_path / "bomb.xlsx", worksheet(cells_xml([(1, HEADER), (900_000, [None] * 150 + [1])]))
    )
    assert refusal(bomb).startswith("工作表“汇总表”内容过多")
    roster = open_roster(small_roster(tmp_path))
    assert [row.row_number for row in roster.rows()] == [2]


# --- memory -----------------------------------------------------------------------------------------------------------


def shared_string_roster(path: Path, count: int) -> Path:
    """A roster as Excel saves it (shared strings), COUNT graduates, written in a stream."""
    header = ["序号", "姓名", "性别", "民族", "公民身份号码", "毕业院校", "毕业日期", "学历", "所学专业",
              "入学前户口所在地", "手机号码", "困难状况", "就业意向", "就业状态"]  # fmt: skip
    strings: dict[str, int] = {}

    def index(text: str) -> int:
        return strings.setdefault(text, len(strings))

    def rows() -> Iterable[bytes]:
        cells = "".join(
            f'<c r="{column_letter(n)}1" t="s"><v>{index(h)}</v></c>' for n, h in enumerate(header, 1)
        )
        yield f'<row r="1">{cells}</row>'.encode()
        for number in range(2, count + 2):
            values = [number - 1, f"学生{number}", "男", "汉族", make_id_number(seq=number % 1000),
                      "青海大学", 46203, "本科", "计算机科学与技术", "630102", 13800000000 + number, "13", "3",
                      "未就业"]  # fmt: skip
            parts = []
            for n, value in enumerate(values, 1):
                ref = f"{column_letter(n)}{number}"
                if isinstance(value, str):
                    parts.append(f'<c r="{ref}" t="s"><v>{index(value)}</v></c>')
                else:
                    parts.append(f'<c r="{ref}"><v>{value}</v></c>')
            yield f'<row r="{number}">{"".join(parts)}</row>'.encode()

    sheet = list(worksheet(rows()))  # fills STRINGS
    table = [f'<sst xmlns="{NS}">'.encode(), *(f"<si><t>{t}</t></si>".encode() for t in strings), b"</sst>"]
    return write_xlsx(path, sheet, shared_strings=table)


def test_reading_20000_rows_takes_bounded_memory_and_little_time(tmp_path):
    path = shared_string_roster(tmp_path / "big.xlsx", 20_000)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        roster = open_roster(path)
        count = 0
        for row in roster.rows():
            count += 1
            last = row
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert last.row_number == 20_001
    assert last.values["graduation_date"] == 46203.0  # a number without a date format
    assert parse.date(last.values["graduation_date"]) == datetime.date(2026, 6, 30)
    assert peak < 100 * MIB, f"Python peak {peak / MIB:.0f} MB"
    assert elapsed < 10


def test_a_big_file_is_refused_when_over_the_memory_budget(tmp_path):
    path = shared_string_roster(tmp_path / "big.xlsx", 5_000)
    assert open_roster(path).total_rows == 5_000
    assert refusal(path, max_memory_bytes=2 * MIB).startswith("工作表“汇总表”内容过多")
