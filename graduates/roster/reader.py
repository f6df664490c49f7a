"""Open an uploaded roster (.xlsx) safely, find its header by name and yield its rows keyed by field.

Three stages, each refusing what the next one could not survive:

1. `check_file_safety()` looks at the upload itself from the ZIP directory alone: size, old or encrypted
   formats, macros, zip bombs.
2. `open_roster()` streams the parts the parser will load (the worksheet and the shared strings) once through
   zlib and estimates what parsing them will cost. python-calamine parses about 6× faster than openpyxl, but it
   holds the whole sheet as a dense grid of 32-byte cells spanning the first to the last cell: a two-cell file
   with cells at A1 and CV200000 costs 640 MB, and one at XFD1048576 would abort the worker. It also gives each
   cell its own copy of its shared string, so one long string referenced by a million cells is a bomb too.
3. python-calamine parses the sheet; the header row is found among the first rows by its column names, and
   `RosterSheet.rows()` yields `RawRow`s with the spreadsheet's own row numbers.
"""

from __future__ import annotations

import html
import posixpath
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from python_calamine import CalamineWorkbook, PasswordError

MIB = 1024 * 1024

# --- limits --------------------------------------------------------------------------------------------------
MAX_COLUMNS = 200
# A declared <dimension> beyond these is refused before anything is decompressed further.
DIMENSION_MAX_COLUMNS = 100_000
DIMENSION_MAX_ROWS = 1_000_000
# What parsing may cost, estimated from the streamed parts (see _estimate_memory). A 100,000-row roster of 20
# columns is estimated at 240–300 MB (measured: the process peaks at 230–270 MB RSS, 75 MB of it Django), so the
# default admits about 130,000 such rows; settings.ROSTER_MAX_PARSE_MEMORY_MB overrides it.
DEFAULT_MAX_PARSE_MEMORY = 400 * MIB
MAX_MEMBERS = 10_000
# Members smaller than this are not judged by their compression ratio: they cannot hurt.
RATIO_MIN_BYTES = 1 * MIB
# Small parts the parser reads (workbook, relationships, styles) are inflated once to check their real size.
SMALL_PART_CAP = 32 * MIB
HEADER_SCAN_ROWS = 20
MIN_HEADER_MATCHES = 3
# Merged ranges below the header are filled down/across (a university name merged over its rows) only when there
# are few of them; beyond this they are left as calamine gives them (value in the top-left cell only).
MAX_FILLED_MERGES = 10_000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 * MIB
READ_BLOCK = 256 * 1024
# A worksheet is analysed in segments cut after a row's end tag; a segment without one is cut at a tag boundary
# once it grows beyond this.
MAX_SEGMENT = 16 * MIB

# --- messages ------------------------------------------------------------------------------------------------
MSG_UNREADABLE = "无法读取上传的文件。"
MSG_EMPTY_FILE = "文件是空的。"
MSG_TOO_LARGE = "文件大小 {size} MB，超过上限 {limit} MB。"
MSG_ENCRYPTED_OR_XLS = "文件已加密或是旧版 .xls 格式，请另存为 .xlsx（不加密）后上传。"
MSG_NOT_XLSX = "不是有效的 .xlsx 文件：请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx）后上传。"
MSG_MACROS = "文件含有宏（.xlsm），出于安全考虑不予接收：请另存为不含宏的 Excel 工作簿（*.xlsx）后上传。"
MSG_BOMB = "文件解压后的内容异常庞大（{detail}），疑似“压缩炸弹”，已拒绝。"
MSG_CORRUPT = "文件已损坏，无法读取：请在 Excel 或 WPS 中打开并重新保存为 .xlsx 后上传。"
MSG_NO_SHEET = "文件中没有工作表。"
MSG_EMPTY_SHEET = "工作表“{sheet}”是空的。"
MSG_DIMENSION = (
    "工作表“{sheet}”声明的范围 {ref} 过大（{detail}），无法处理：请只保留名单所在的区域后重新保存。"
)
MSG_TOO_WIDE = "工作表“{sheet}”有 {columns} 列，超过上限 {limit} 列：请删除名单以外的列后上传。"
MSG_TOO_MANY_ROWS = "工作表“{sheet}”有 {rows} 行，超过上限 {limit} 行：请拆分为几个文件分别上传。"
MSG_TOO_BIG = (
    "工作表“{sheet}”内容过多（读取约需 {need:.0f} MB 内存，上限 {limit:.0f} MB）："
    "请拆分为几个文件分别上传（每个文件 10 万行以内）。"
)
MSG_NO_HEADER = (
    "在工作表“{sheet}”的前 {rows} 行中找不到表头：表头应含“姓名”“公民身份号码”“毕业院校”等列名"
    "（可下载导入模板对照）。"
)
MSG_MISSING_COLUMNS = "工作表“{sheet}”第 {row} 行的表头中找不到必需的列：{missing}。"


class RosterFileError(Exception):
    """The file as a whole cannot be read; `message` (Chinese) tells the user why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- header names ----------------------------------------------------------------------------------------------

# The 汇总表 column (人社厅发〔2012〕69号 annex 2) of each field, as the template writes it.
FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "gender": "性别",
    "ethnicity": "民族",
    "id_number": "公民身份号码",
    "university_name": "毕业院校",
    "graduation_date": "毕业日期",
    "education": "学历",
    "major": "所学专业",
    "origin_region": "入学前户口所在地",
    "email": "电子邮箱",
    "postcode": "邮编",
    "mobile": "手机号码",
    "landline": "固定电话",
    "hardship": "困难状况",
    "location_intention": "就业地意向",
    "intentions": "就业意向",
    "service_needs": "就业服务需求",
    "destination": "就业去向（回访结果）",
    "education_destination": "毕业去向",
    "employment_status": "就业状态",
    "cohort": "届别",
}

# Every header text accepted for each field (compared after _header_key: NFKC, no blanks, case-folded, with or
# without a trailing note in brackets).
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "学生姓名", "毕业生姓名"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "id_number": (
        "公民身份号码", "身份证号", "身份证号码", "身份证", "证件号码", "公民身份证号码", "身份证件号码",
    ),
    "university_name": ("毕业院校", "学校", "学校名称", "院校", "院校名称", "毕业学校"),
    "graduation_date": ("毕业日期", "毕业时间"),
    "education": ("学历", "学历层次"),
    "major": ("所学专业", "专业", "专业名称"),
    "origin_region": ("入学前户口所在地", "生源地", "户口所在地", "生源地代码", "入学前户口所在地代码"),
    "email": ("电子邮箱", "邮箱", "电子邮件", "email", "e-mail"),
    "postcode": ("邮编", "邮政编码"),
    "mobile": ("手机号码", "手机", "手机号", "移动电话"),
    "landline": ("固定电话", "座机", "电话", "座机号码"),
    "hardship": ("困难状况", "困难类型", "困难生类别"),
    "location_intention": ("就业地意向",),
    "intentions": ("就业意向",),
    "service_needs": ("就业服务需求", "服务需求"),
    "destination": ("就业去向（回访结果）", "就业去向"),
    # The education system's own destination list (毕业去向登记: 10 签就业协议形式就业, 11 签劳动合同, 12 其他录用形式
    # …): its codes mean other things than the 就业去向 codes, so it is recognised only to be refused, never read
    # as 就业去向 (see engine.refuse_education_destination).
    "education_destination": ("毕业去向", "毕业去向代码", "毕业去向类别", "毕业去向登记"),
    "employment_status": ("就业状态", "是否就业", "签约状态", "就业情况"),
    "cohort": ("届别", "毕业年份"),
}  # fmt: skip

# Recognised (they help find the header row) but not read.
SKIPPED_HEADERS = ("序号",)
# 联系电话 may be a mobile or a home number: it is read as the mobile only when no column says 手机.
AMBIGUOUS_PHONE_HEADER = "联系电话"
REQUIRED_FIELDS = ("name", "id_number")

_SKIP = ""
_PHONE = "?phone"


def _header_key(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"\s+", "", text).strip("*※:").casefold()
    return text


# A note in brackets at either end of a header: 就业去向（回访结果）, 毕业日期(YYYYMMDD), (必填)姓名, 学历【代码】.
_TRAILING_NOTE = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)$")
_LEADING_NOTE = re.compile(r"^(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)")


def _header_lookup() -> dict[str, str]:
    lookup = {
        _header_key(variant): name for name, variants in HEADER_VARIANTS.items() for variant in variants
    }
    lookup.update({_header_key(variant): _SKIP for variant in SKIPPED_HEADERS})
    lookup[_header_key(AMBIGUOUS_PHONE_HEADER)] = _PHONE
    return lookup


_HEADER_LOOKUP = _header_lookup()


def match_header(text: str) -> str | None:
    """The field a header cell names ("" for 序号, "?phone" for 联系电话), or None when it is not a roster column.

    The exact text wins (就业去向（回访结果）); then brackets at either end are dropped one by one.
    """
    key = _header_key(text)
    while key:
        found = _HEADER_LOOKUP.get(key)
        if found is not None:
            return found
        shorter = _LEADING_NOTE.sub("", _TRAILING_NOTE.sub("", key)).strip("*:")
        if shorter == key:
            return None
        key = shorter
    return None


@dataclass(frozen=True)
class HeaderSpec:
    """What a sheet's header must name: for another kind of sheet than the roster (e.g. a service ledger).

    variants: field → accepted header texts (compared like the roster's); labels: field → the name used in
    messages; required: fields whose column must exist; min_matches: distinct fields a row must name to be
    taken for the header.
    """

    variants: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    required: tuple[str, ...]
    min_matches: int = 2

    @cached_property
    def _lookup(self) -> dict[str, str]:
        lookup = {_header_key(v): name for name, variants in self.variants.items() for v in variants}
        lookup.update({_header_key(v): _SKIP for v in SKIPPED_HEADERS})
        return lookup

    def match(self, text: str) -> str | None:
        """The field a header cell names, like match_header() for the roster."""
        key = _header_key(text)
        lookup = self._lookup
        while key:
            found = lookup.get(key)
            if found is not None:
                return found
            shorter = _LEADING_NOTE.sub("", _TRAILING_NOTE.sub("", key)).strip("*:")
            if shorter == key:
                return None
            key = shorter
        return None


def open_sheet(path: str | Path, *, spec: HeaderSpec, **kwargs) -> RosterSheet:
    """open_roster() for a sheet whose header SPEC describes: the same safety checks and tolerance (header by
    name in any order, title rows above it, merged cells); rows are keyed by SPEC's fields."""
    return open_roster(path, spec=spec, **kwargs)


def _display_header(value: str) -> str:
    """The header as the user sees it: line breaks inside a cell removed, other blank runs made one space."""
    return " ".join(re.sub(r"[\r\n]+", "", value).split())


# --- stage 1: the upload --------------------------------------------------------------------------------------


def _megabytes(size: int) -> str:
    megabytes = size / MIB
    return f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.2f}"


def check_file_safety(
    path: str | Path,
    *,
    max_bytes: int,
    max_uncompressed_bytes: int = 300 * MIB,
    max_ratio: int = 200,
) -> None:
    """Refuse a file no parser should see: too large, .xls or encrypted, not a ZIP, macros, a zip bomb, no workbook.

    Only the ZIP directory is read (and the first MB of [Content_Types].xml); no member is decompressed whole.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise RosterFileError(MSG_UNREADABLE) from None
    if size > max_bytes:
        raise RosterFileError(MSG_TOO_LARGE.format(size=_megabytes(size), limit=_megabytes(max_bytes)))
    if size == 0:
        raise RosterFileError(MSG_EMPTY_FILE)
    with path.open("rb") as handle:
        magic = handle.read(8)
        # Encrypted .xlsx files are OLE2 containers too (EncryptionInfo + EncryptedPackage streams).
        if magic.startswith(OLE2_MAGIC[:4]):
            raise RosterFileError(MSG_ENCRYPTED_OR_XLS)
        if not magic.startswith(ZIP_MAGIC):
            raise RosterFileError(MSG_NOT_XLSX)
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
            raise RosterFileError(MSG_NOT_XLSX) from None
        _check_members(handle, infos, max_uncompressed_bytes=max_uncompressed_bytes, max_ratio=max_ratio)


def _check_members(
    handle: BinaryIO, infos: list[zipfile.ZipInfo], *, max_uncompressed_bytes: int, max_ratio: int
) -> None:
    if len(infos) > MAX_MEMBERS:
        raise RosterFileError(MSG_BOMB.format(detail=f"含 {len(infos)} 个部件"))
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        # Two members of one name: the parser might read another copy than the one checked here.
        raise RosterFileError(MSG_CORRUPT)
    lower = [name.lower() for name in names]
    if any(name.rsplit("/", 1)[-1] in ("encryptioninfo", "encryptedpackage") for name in lower) or any(
        info.flag_bits & 0x1 for info in infos
    ):
        raise RosterFileError(MSG_ENCRYPTED_OR_XLS)
    if any(name.endswith("vbaproject.bin") or name.startswith("xl/macrosheets/") for name in lower):
        raise RosterFileError(MSG_MACROS)
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed_bytes:
        raise RosterFileError(
            MSG_BOMB.format(
                detail=f"解压后共 {total / MIB:.0f} MB，上限 {max_uncompressed_bytes / MIB:.0f} MB"
            )
        )
    for info in infos:
        if info.file_size >= RATIO_MIN_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise RosterFileError(
                MSG_BOMB.format(detail=f"部件 {info.filename} 的压缩比为 {ratio:.0f}:1，上限 {max_ratio}:1")
            )
    if "xl/workbook.xml" not in names:
        raise RosterFileError(MSG_NOT_XLSX)
    by_name = dict(zip(names, infos, strict=True))
    content_types = by_name.get("[Content_Types].xml")
    if content_types is not None:
        head = _read_prefix(handle, content_types, 1 * MIB).lower()
        if b"macroenabled" in head or b"vbaproject" in head or b"macrosheet" in head:
            raise RosterFileError(MSG_MACROS)


# --- reading members ourselves ------------------------------------------------------------------------------


def _iter_member(handle: BinaryIO, info: zipfile.ZipInfo, *, cap: int) -> Iterator[bytes]:
    """Decompress one member chunk by chunk, refusing more output than it declares or than CAP.

    zipfile would silently stop at the declared size; the parser (Rust's zip crate) is not known to, so a member
    that inflates beyond its declared size is refused here instead of being trusted. The CRC is checked at the end.
    """
    if info.file_size > cap:
        raise RosterFileError(
            MSG_BOMB.format(detail=f"部件 {info.filename} 解压后 {info.file_size / MIB:.0f} MB")
        )
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or header[:4] != ZIP_MAGIC:
        raise RosterFileError(MSG_CORRUPT)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    elif info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    else:
        raise RosterFileError(MSG_NOT_XLSX)
    remaining = info.compress_size
    produced = 0
    crc = 0

    def account(data: bytes) -> bytes:
        nonlocal produced, crc
        produced += len(data)
        if produced > info.file_size:
            raise RosterFileError(MSG_BOMB.format(detail=f"部件 {info.filename} 解压后超出其声明的大小"))
        crc = zlib.crc32(data, crc)
        return data

    try:
        while remaining > 0:
            raw = handle.read(min(remaining, READ_BLOCK))
            if not raw:
                raise RosterFileError(MSG_CORRUPT)
            remaining -= len(raw)
            if inflater is None:
                yield account(raw)
                continue
            data = inflater.decompress(raw, CHUNK)
            if data:
                yield account(data)
            while inflater.unconsumed_tail:
                data = inflater.decompress(inflater.unconsumed_tail, CHUNK)
                if data:
                    yield account(data)
        if inflater is not None:
            data = inflater.flush()
            if data:
                yield account(data)
    except zlib.error:
        raise RosterFileError(MSG_CORRUPT) from None
    if produced != info.file_size or crc != info.CRC:
        raise RosterFileError(MSG_CORRUPT)


def _read_prefix(handle: BinaryIO, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Up to LIMIT decompressed bytes from the start of a member (not verified: the rest is never read)."""
    parts: list[bytes] = []
    size = 0
    for chunk in _iter_member(handle, info, cap=max(info.file_size, 1)):
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(parts)[:limit]


def _read_small(handle: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    return b"".join(_iter_member(handle, info, cap=SMALL_PART_CAP))


# --- stage 2: what parsing will cost -------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_TAG = re.compile(r"<(?:[\w.-]+:)?sheet\s([^>]*?)/?>")
_RELATIONSHIP_TAG = re.compile(r"<(?:[\w.-]+:)?Relationship\s([^>]*?)/?>")


def _attributes(text: str) -> dict[str, str]:
    """Attributes of a tag, keyed by local name (r:id → id)."""
    return {
        name.rsplit(":", 1)[-1]: html.unescape(double if double is not None else single)
        for name, double, single in _ATTRIBUTE.findall(text)
    }


@dataclass
class _Parts:
    sheet_name: str
    sheet_index: int
    sheet_path: str
    shared_strings: list[str]
    small: list[str]


def _locate_parts(handle: BinaryIO, by_name: dict[str, zipfile.ZipInfo]) -> _Parts:
    """The first visible worksheet (by the workbook's order), its part, and the parts the parser loads with it."""
    workbook = _read_small(handle, by_name["xl/workbook.xml"]).decode("utf-8", "replace")
    rels_info = by_name.get("xl/_rels/workbook.xml.rels")
    rels_text = _read_small(handle, rels_info).decode("utf-8", "replace") if rels_info else ""
    relationships = {}
    for tag in _RELATIONSHIP_TAG.findall(rels_text):
        attrs = _attributes(tag)
        if "Id" in attrs:
            relationships[attrs["Id"]] = (attrs.get("Type", ""), attrs.get("Target", ""))

    def part(target: str) -> str:
        target = target.replace("\\", "/")
        if target.startswith("/"):
            return posixpath.normpath(target.lstrip("/"))
        return posixpath.normpath(posixpath.join("xl", target))

    worksheets = []  # (index among all sheets, name, part, visible)
    for index, tag in enumerate(_SHEET_TAG.findall(workbook)):
        attrs = _attributes(tag)
        kind, target = relationships.get(attrs.get("id", ""), ("", ""))
        if kind.endswith("/worksheet") and target:
            visible = attrs.get("state", "visible") == "visible"
            worksheets.append((index, attrs.get("name", ""), part(target), visible))
    if not worksheets:
        raise RosterFileError(MSG_NO_SHEET)
    index, name, sheet_path, _visible = next((w for w in worksheets if w[3]), worksheets[0])
    if sheet_path not in by_name:
        raise RosterFileError(MSG_CORRUPT)
    shared = {part(target) for kind, target in relationships.values() if kind.endswith("/sharedStrings")}
    # Any casing: the parser may look the part up by its usual name whatever the relationships say.
    shared |= {member for member in by_name if member.lower() == "xl/sharedstrings.xml"}
    small = {"[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
    small |= {part(target) for kind, target in relationships.values() if kind.endswith("/styles")}
    directory, filename = posixpath.split(sheet_path)
    small.add(posixpath.join(directory, "_rels", filename + ".rels"))
    return _Parts(
        sheet_name=name,
        sheet_index=index,
        sheet_path=sheet_path,
        shared_strings=sorted(member for member in shared if member in by_name),
        small=sorted(member for member in small if member in by_name),
    )


@dataclass
class _SharedStrings:
    """The shared-string table as the parser will hold it: how many, how big, and each item's XML size."""

    count: int = 0
    size: int = 0
    largest: int = 0
    sizes: array = field(default_factory=lambda: array("I"))


_SST_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?sst\b")
_ANY_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s>/])")
_KEEP = 64  # bytes kept from a long item so that a tag split across chunks is still found


def _scan_shared_strings(handle: BinaryIO, info: zipfile.ZipInfo, table: _SharedStrings) -> None:
    """Measure every <si> item in one stream; only sizes are kept, never the text."""
    token = b"<si>"
    carry = b""
    pending = 0  # bytes of the current item (or of the prolog) already dropped from CARRY
    started = False
    for number, chunk in enumerate(_iter_member(handle, info, cap=info.file_size)):
        buffer = carry + chunk
        if number == 0 and (root := _SST_ROOT.search(buffer[:4096])) and root.group(1):
            token = b"<" + root.group(1) + b"si>"
        opening = token[:-1]
        # Excel writes a bare <si>; attributes, <si/> or blanks inside the tag take the slower regex.
        if any(opening + end in buffer for end in (b" ", b"/", b"\n", b"\r", b"\t")):
            pieces = _ANY_SI.split(buffer)
            overhead = 4
        else:
            pieces = buffer.split(token)
            overhead = len(token)
        carry = pieces.pop()
        if pieces:
            if started:
                sizes = [len(piece) + overhead for piece in pieces]
                sizes[0] += pending
            else:
                sizes = [len(piece) + overhead for piece in pieces[1:]]  # pieces[0] is the prolog
                started = True
            pending = 0
            table.sizes.extend(sizes)
            table.count += len(sizes)
            if sizes:
                table.largest = max(table.largest, max(sizes))
        if len(carry) > MAX_SEGMENT:
            pending += len(carry) - _KEEP
            carry = carry[-_KEEP:]
    if started:
        last = pending + len(carry) + len(token)  # the last item; its piece also holds </sst>
        table.sizes.append(last)
        table.count += 1
        table.largest = max(table.largest, last)
    table.size += info.file_size


@dataclass
class _SheetStats:
    """The worksheet as the parser will see it: extent, cells, string cells, merged ranges."""

    size: int = 0
    max_row: int = 0
    max_col: int = 0
    rowless_rows: int = 0  # <row> without r: the parser puts it after the previous row
    rowless_width: int = 0  # most cells in one row when some cells have no r: they follow each other
    cells: int = 0
    string_cells: int = 0
    inline_cells: int = 0
    merges: int = 0

    @property
    def rows(self) -> int:
        return self.max_row + self.rowless_rows

    @property
    def columns(self) -> int:
        return self.max_col + self.rowless_width


_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_WORKSHEET_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")
_DIMENSION = re.compile(rb"<" + _PREFIX + rb"""dimension\s+ref\s*=\s*["']([^"']*)["']""")
# The form every common writer uses (Excel, WPS, LibreOffice, openpyxl, xlsxwriter): fast literal searches.
_FAST_REF_ROW = re.compile(rb' r="[A-Za-z]{1,7}(\d{1,10})"')
_FAST_REF_WIDE = re.compile(rb' r="([A-Za-z]{2,7})\d')
# Any other valid spelling (blanks around =, single quotes, tabs): slower, used only where the fast form may miss.
_ANY_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,7})(\d{1,10})["']""")
_ANY_CELL = re.compile(rb"<" + _PREFIX + rb"c[\s>/]")
_ANY_ROW = re.compile(rb"<" + _PREFIX + rb"row[\s>/]")
_ANY_ROW_NUMBER = re.compile(rb"<" + _PREFIX + rb"""row\s[^>]*?\br\s*=\s*["'](\d+)""")
_ANY_STRING_CELL = re.compile(rb"""\st\s*=\s*["']s["']""")
_ANY_INLINE_CELL = re.compile(rb"""\st\s*=\s*["'](?:inlineStr|str)["']""")
_ANY_MERGE = re.compile(rb"<" + _PREFIX + rb"mergeCell[\s/>]")
_ANY_STRING_INDEX = re.compile(rb"""\st\s*=\s*["']s["'][^>]*>\s*<""" + _PREFIX + rb"v>\s*(\d+)")
_LETTERS = [bytes([code]) for code in range(ord("Z"), ord("A") - 1, -1)]


def _column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.upper().decode():
        number = number * 26 + ord(char) - 64
    return number


def _cell_position(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of a reference such as $T$100002."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,7})\$?(\d{1,10})", ref.strip())
    if not match:
        return 0, 0
    return int(match.group(2)), _column_number(match.group(1))


def _segments(handle: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The worksheet XML in pieces cut after a row's end tag, so that no cell is split between two pieces."""
    carry = b""
    for chunk in _iter_member(handle, info, cap=info.file_size):
        buffer = carry + chunk if carry else chunk
        cut = buffer.rfind(b"row>")
        if cut >= 0:
            cut += 4
        elif len(buffer) > MAX_SEGMENT:
            cut = buffer.rfind(b">") + 1 or len(buffer)  # no row end in 16 MB: cut at a tag boundary
        else:
            carry = buffer
            continue
        yield buffer[:cut]
        carry = buffer[cut:]
    if carry:
        yield carry


_NEWLINE_ATTRIBUTE = re.compile(rb"[\r\n][rt]\s*=")
_ODD_CELL_TAG: dict[bytes, re.Pattern] = {}
_LETTER_ABOVE: dict[int, re.Pattern] = {}


def _is_canonical(segment: bytes) -> bool:
    """Whether every attribute in SEGMENT is spelled the common way (name="…" after a space), so that the fast
    literal searches find them all. Anything else (also a tab or an = in a cell's text) takes the slow path."""
    if b"\t" in segment or b" =" in segment:
        return False
    if segment.count(b"=") != segment.count(b'="'):
        return False
    return not ((b"\n" in segment or b"\r" in segment) and _NEWLINE_ATTRIBUTE.search(segment))


def _odd_cell_tag(prefix: bytes) -> re.Pattern:
    """<c>, <c/> or <c followed by a line break: cells the fast count of "<c " would miss."""
    if prefix not in _ODD_CELL_TAG:
        _ODD_CELL_TAG[prefix] = re.compile(b"<" + re.escape(prefix) + rb"c[>/\t\r\n]")
    return _ODD_CELL_TAG[prefix]


def _letter_above(column: int) -> re.Pattern:
    """A one-letter cell reference right of COLUMN (1–25)."""
    if column not in _LETTER_ABOVE:
        _LETTER_ABOVE[column] = re.compile(b' r="[' + bytes([65 + column]) + rb"-Z]\d")
    return _LETTER_ABOVE[column]


def _analyse_segment(segment: bytes, prefix: bytes, stats: _SheetStats) -> None:
    stats.size += len(segment)
    if _is_canonical(segment) and not _odd_cell_tag(prefix).search(segment):
        cells = segment.count(b"<" + prefix + b"c ")
        rows = _FAST_REF_ROW.findall(segment)
        if len(rows) == cells:  # every cell has a reference the fast search found
            if rows:
                stats.max_row = max(stats.max_row, max(map(int, set(rows))))
                wide = set(_FAST_REF_WIDE.findall(segment))
                if wide:
                    stats.max_col = max(stats.max_col, max(map(_column_number, wide)))
                if stats.max_col < 26 and (
                    stats.max_col == 0 or _letter_above(stats.max_col).search(segment)
                ):
                    # One-letter columns only: the rightmost letter present, looked for from Z down.
                    letter = next((c for c in _LETTERS if b' r="' + c in segment), None)
                    if letter is None:  # lower-case references
                        letter = max({c.upper() for c, _ in _ANY_REF.findall(segment)}, key=_column_number)
                    stats.max_col = max(stats.max_col, _column_number(letter))
            stats.cells += cells
            stats.string_cells += segment.count(b't="s"')
            stats.inline_cells += segment.count(b't="inlineStr"') + segment.count(b't="str"')
            stats.merges += segment.count(b"<" + prefix + b"mergeCell ")
            return
    # The slow path: any spelling, and cells or rows without a reference.
    refs = _ANY_REF.findall(segment)
    cells = len(_ANY_CELL.findall(segment))
    if refs:
        stats.max_row = max(stats.max_row, max(int(digits) for digits in {d for _, d in refs}))
        stats.max_col = max(stats.max_col, max(_column_number(letters) for letters in {c for c, _ in refs}))
    numbered_rows = [int(n) for n in _ANY_ROW_NUMBER.findall(segment)]
    if numbered_rows:
        stats.max_row = max(stats.max_row, max(numbered_rows))
    if cells > len(refs):
        pieces = _ANY_ROW.split(segment)
        stats.rowless_width = max(stats.rowless_width, max(len(_ANY_CELL.findall(p)) for p in pieces))
        stats.rowless_rows += max(0, len(pieces) - 1 - len(numbered_rows))
    stats.cells += cells
    stats.string_cells += len(_ANY_STRING_CELL.findall(segment))
    stats.inline_cells += len(_ANY_INLINE_CELL.findall(segment))
    stats.merges += len(_ANY_MERGE.findall(segment))


def _check_dimension(head: bytes, sheet_name: str) -> None:
    """Refuse a sheet whose declared range is absurd (100,000 columns) before reading further. The declaration
    may be absent or wrong, so the real extent is measured afterwards anyway."""
    match = _DIMENSION.search(head[:65536])
    if not match:
        return
    ref = match.group(1).decode("ascii", "replace")
    corners = [_cell_position(part) for part in ref.split(":")]
    rows = max(r for r, _ in corners) - min(r for r, _ in corners) + 1
    columns = max(c for _, c in corners) - min(c for _, c in corners) + 1
    if columns > DIMENSION_MAX_COLUMNS or rows > DIMENSION_MAX_ROWS:
        detail = f"{columns} 列" if columns > DIMENSION_MAX_COLUMNS else f"{rows} 行"
        raise RosterFileError(MSG_DIMENSION.format(sheet=sheet_name, ref=ref, detail=detail))


def _scan_sheet(handle: BinaryIO, info: zipfile.ZipInfo, sheet_name: str) -> tuple[_SheetStats, bytes]:
    stats = _SheetStats()
    prefix = b""
    for number, segment in enumerate(_segments(handle, info)):
        if number == 0:
            root = _WORKSHEET_ROOT.search(segment[:65536])
            prefix = (root.group(1) or b"") if root else b""
            _check_dimension(segment, sheet_name)
        _analyse_segment(segment, prefix, stats)
    return stats, prefix


def _referenced_string_bytes(
    handle: BinaryIO, info: zipfile.ZipInfo, prefix: bytes, table: _SharedStrings
) -> int:
    """The exact sum, over the cells that use a shared string, of that string's size (each cell gets a copy)."""
    fast = re.compile(rb't="s"[^>]*><' + re.escape(prefix) + rb"v>(\d+)<")
    sizes = table.sizes
    total = 0
    for segment in _segments(handle, info):
        canonical = _is_canonical(segment)
        found = (fast if canonical else _ANY_STRING_INDEX).findall(segment)
        wanted = segment.count(b't="s"') if canonical else len(_ANY_STRING_CELL.findall(segment))
        try:
            total += sum(map(sizes.__getitem__, map(int, found)))
        except IndexError:
            total += len(found) * table.largest  # an index past the table: the parser will refuse the file
        # Cells whose index was not found (a formula before <v>, say) count as the largest string.
        total += max(0, wanted - len(found)) * table.largest
    return total


def _estimate_memory(stats: _SheetStats, table: _SharedStrings, string_bytes: int) -> int:
    """Bytes python-calamine will need for the sheet (conservative: measured peaks are half to two thirds).

    A dense grid of 32-byte cells spanning A1 to the last cell; the sparse list of cells it is built from
    (~40 bytes a cell); each string cell's own copy of its text; the shared-string table itself.
    """
    inline = stats.inline_cells * 32 + (stats.size if stats.inline_cells else 0)
    return (
        stats.rows * stats.columns * 32
        + stats.cells * 40
        + stats.string_cells * 32
        + string_bytes
        + inline
        + table.count * 48
        + table.size
        + stats.merges * 64
    )


# --- stage 3: parsing ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: its row number as Excel shows it, and its cells keyed by field (None for an empty cell)."""

    row_number: int
    values: dict[str, object]


@dataclass(frozen=True, slots=True)
class _Merge:
    top: int  # Excel row numbers
    bottom: int
    fields: tuple[str, ...]  # the mapped fields the range covers
    column: int  # index (in the row lists) of its top-left cell


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _numbered_rows(sheet) -> Iterator[tuple[int, list]]:
    """(Excel row number, cells) for each row from the first non-empty one.

    Each row list starts at the sheet's first non-empty column (`sheet.start[1]`). Rows are where versions differ:
    python-calamine 0.9's `iter_rows()` yields the rows above the first non-empty one as empty padding, while a
    grid that starts at `sheet.start[0]` would not. The first row yielded is empty only when it is padding, which
    tells the two apart; tests pin the row numbers either way.
    """
    start = sheet.start
    if start is None:
        return
    first_index = start[0]
    rows = sheet.iter_rows()
    first = next(rows, None)
    if first is None:
        return
    if first_index > 0 and all(_is_blank(value) for value in first):
        for _ in range(first_index - 1):
            next(rows, None)
        next_number = first_index + 1
    else:
        yield first_index + 1, first
        next_number = first_index + 2
    for offset, cells in enumerate(rows):
        yield next_number + offset, cells


class RosterSheet:
    """The first worksheet of a roster, its header found; iterate `rows()` for the data.

    columns: field → the header text as in the file (for messages); ignored_columns: header texts not read
    (unknown, or a second column for a field already read: those are also in duplicate_columns); header_row:
    the Excel row number of the header (its lower row when it has two); total_rows: data rows below the header,
    empty ones included (for a progress bar).
    """

    def __init__(
        self,
        *,
        sheet,
        sheet_name: str,
        columns: dict[str, str],
        index: list[tuple[str, int]],
        ignored_columns: list[str],
        duplicate_columns: list[str],
        header_row: int,
        total_rows: int,
        merges: list[_Merge],
    ):
        self._sheet = sheet
        self.sheet_name = sheet_name
        self.columns = columns
        self._index = index
        self.ignored_columns = ignored_columns
        self.duplicate_columns = duplicate_columns
        self.header_row = header_row
        self.total_rows = total_rows
        self._merges = merges

    def rows(self) -> Iterator[RawRow]:
        """Each data row below the header with at least one filled cell in a read column.

        A cell covered by a merged range (a university name merged over its graduates' rows) takes the range's
        value. Rows whose only content is in unread columns (a pre-numbered 序号) are skipped.
        """
        if self._sheet is None:
            raise ValueError("RosterSheet is closed")
        index = self._index
        merges = sorted(self._merges, key=lambda m: m.top)
        pending = 0
        active: list[tuple[_Merge, object]] = []
        for number, cells in _numbered_rows(self._sheet):
            if number <= self.header_row:
                continue
            width = len(cells)
            values: dict[str, object] = {}
            for name, column in index:
                value = cells[column] if column < width else None
                values[name] = None if value is None or value == "" else value
            if merges:
                while pending < len(merges) and merges[pending].top <= number:
                    merge = merges[pending]
                    pending += 1
                    if merge.top == number:
                        active.append((merge, cells[merge.column] if merge.column < width else None))
                if active:
                    active = [(m, v) for m, v in active if m.bottom >= number]
                    for merge, value in active:
                        if _is_blank(value):
                            continue
                        for name in merge.fields:
                            if values[name] is None:
                                values[name] = value
            if all(_is_blank(value) for value in values.values()):
                continue
            yield RawRow(number, values)

    def close(self) -> None:
        """Release the parsed sheet (the parser's memory)."""
        self._sheet = None

    def __enter__(self) -> RosterSheet:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _setting_bytes(name: str, default_mb: int) -> int:
    return int(getattr(settings, name, default_mb)) * MIB


def open_roster(
    path: str | Path,
    *,
    max_bytes: int | None = None,
    max_columns: int = MAX_COLUMNS,
    max_memory_bytes: int | None = None,
    spec: HeaderSpec | None = None,
) -> RosterSheet:
    """Open the first visible worksheet of an .xlsx roster and find its header, or raise RosterFileError.

    Safe on its own: it runs check_file_safety() (MAX_BYTES defaults to settings.ROSTER_MAX_UPLOAD_MB), then
    measures the worksheet and shared strings by streaming them before the parser loads them. MAX_MEMORY_BYTES
    (default settings.ROSTER_MAX_PARSE_MEMORY_MB, else 400 MB) bounds what parsing may cost.
    """
    path = Path(path)
    if max_bytes is None:
        max_bytes = _setting_bytes("ROSTER_MAX_UPLOAD_MB", 20)
    if max_memory_bytes is None:
        max_memory_bytes = _setting_bytes("ROSTER_MAX_PARSE_MEMORY_MB", DEFAULT_MAX_PARSE_MEMORY // MIB)
    check_file_safety(path, max_bytes=max_bytes)
    with path.open("rb") as handle:
        try:
            with zipfile.ZipFile(handle) as archive:
                by_name = {info.filename: info for info in archive.infolist()}
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
            raise RosterFileError(MSG_NOT_XLSX) from None
        parts = _locate_parts(handle, by_name)
        name = parts.sheet_name
        for member in parts.small:
            for _chunk in _iter_member(handle, by_name[member], cap=SMALL_PART_CAP):
                pass
        table = _SharedStrings()
        for member in parts.shared_strings:
            _scan_shared_strings(handle, by_name[member], table)
        sheet_info = by_name[parts.sheet_path]
        stats, prefix = _scan_sheet(handle, sheet_info, name)
        if stats.columns > max_columns:
            raise RosterFileError(MSG_TOO_WIDE.format(sheet=name, columns=stats.columns, limit=max_columns))
        if stats.rows > DIMENSION_MAX_ROWS:
            raise RosterFileError(
                MSG_TOO_MANY_ROWS.format(sheet=name, rows=stats.rows, limit=DIMENSION_MAX_ROWS)
            )
        need = _estimate_memory(stats, table, stats.string_cells * table.largest)
        if need > max_memory_bytes:
            # The quick bound assumed every string cell holds the longest string: count exactly.
            exact = _referenced_string_bytes(handle, sheet_info, prefix, table)
            need = _estimate_memory(stats, table, exact)
            if need > max_memory_bytes:
                raise RosterFileError(
                    MSG_TOO_BIG.format(sheet=name, need=need / MIB, limit=max_memory_bytes / MIB)
                )
    del table
    return _parse(path, parts, stats, max_columns=max_columns, spec=spec)


def _parse(
    path: Path, parts: _Parts, stats: _SheetStats, *, max_columns: int, spec: HeaderSpec | None = None
) -> RosterSheet:
    match = spec.match if spec is not None else match_header
    name = parts.sheet_name
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            try:
                sheet = workbook.get_sheet_by_name(name)
            except Exception:
                sheet = workbook.get_sheet_by_index(parts.sheet_index)
        finally:
            workbook.close()
    except PasswordError:
        raise RosterFileError(MSG_ENCRYPTED_OR_XLS) from None
    except Exception:
        raise RosterFileError(MSG_CORRUPT) from None
    if sheet.start is None:
        raise RosterFileError(MSG_EMPTY_SHEET.format(sheet=name))
    if sheet.width > max_columns:  # the measurement above should have caught it; never trust one check alone
        raise RosterFileError(MSG_TOO_WIDE.format(sheet=name, columns=sheet.width, limit=max_columns))

    window: list[tuple[int, list]] = []
    for item in _numbered_rows(sheet):
        window.append(item)
        if len(window) > HEADER_SCAN_ROWS:  # one more than scanned: the header may have a second row
            break
    best, best_score = -1, 0
    for position, (_number, cells) in enumerate(window[:HEADER_SCAN_ROWS]):
        score = _header_score(cells, match)
        if score > best_score:
            best, best_score = position, score
    if best_score < (spec.min_matches if spec is not None else MIN_HEADER_MATCHES):
        raise RosterFileError(MSG_NO_HEADER.format(sheet=name, rows=HEADER_SCAN_ROWS))
    header_row, header_cells = window[best]
    sub_cells = None
    if best + 1 < len(window) and _is_sub_header(header_cells, window[best + 1][1], match):
        header_row, sub_cells = window[best + 1]
    columns, index, ignored, duplicates = _map_columns(header_cells, sub_cells, match)
    labels, required = (spec.labels, spec.required) if spec is not None else (FIELD_LABELS, REQUIRED_FIELDS)
    missing = [labels[f] for f in required if f not in columns]
    if missing:
        raise RosterFileError(
            MSG_MISSING_COLUMNS.format(sheet=name, row=header_row, missing="、".join(missing))
        )
    last_row = sheet.end[0] + 1 if sheet.end else header_row
    return RosterSheet(
        sheet=sheet,
        sheet_name=name,
        columns=columns,
        index=index,
        ignored_columns=ignored,
        duplicate_columns=duplicates,
        header_row=header_row,
        total_rows=max(0, last_row - header_row),
        merges=_merges_below(sheet, header_row, index) if 0 < stats.merges <= MAX_FILLED_MERGES else [],
    )


def _header_text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    return None


def _header_score(cells: list, match=match_header) -> int:
    """How many distinct roster columns a row names."""
    found = set()
    for cell in cells:
        text = _header_text(cell)
        if text is not None and (field_name := match(text)) is not None:
            found.add(field_name)
    return len(found)


def _is_sub_header(header_cells: list, next_cells: list, match=match_header) -> bool:
    """Whether the row below the header is its second line (联系方式 above 手机 | 固定电话): every filled cell
    names a roster column, and at least one names it under a cell of the first line that names none."""
    named = {
        position
        for position, cell in enumerate(header_cells)
        if (text := _header_text(cell)) is not None and match(text) is not None
    }
    new = 0
    for position, cell in enumerate(next_cells):
        if _is_blank(cell):
            continue
        text = _header_text(cell)
        if text is None or match(text) is None:
            return False
        if position not in named:
            new += 1
    return new > 0


def _map_columns(
    header_cells: list, sub_cells: list | None, match=match_header
) -> tuple[dict[str, str], list[tuple[str, int]], list[str], list[str]]:
    texts: dict[int, str] = {}
    for position, cell in enumerate(header_cells):
        if _is_blank(cell):
            continue
        texts[position] = _display_header(str(cell) if not isinstance(cell, float) else f"{cell:g}")
    for position, cell in enumerate(sub_cells or []):
        text = _header_text(cell)
        if text is not None and (position not in texts or match(texts[position]) is None):
            texts[position] = _display_header(text)
    has_mobile = any(match(text) == "mobile" for text in texts.values())
    columns: dict[str, str] = {}
    index: list[tuple[str, int]] = []
    ignored: list[str] = []
    duplicates: list[str] = []
    for position in sorted(texts):
        text = texts[position]
        field_name = match(text)
        if field_name == _SKIP:
            continue
        if field_name == _PHONE:
            field_name = None if has_mobile else "mobile"
        if field_name is None:
            ignored.append(text)
        elif field_name in columns:
            ignored.append(text)
            duplicates.append(text)
        else:
            columns[field_name] = text
            index.append((field_name, position))
    return columns, index, ignored, duplicates


def _merges_below(sheet, header_row: int, index: list[tuple[str, int]]) -> list[_Merge]:
    """Merged ranges that start below the header and cover read columns, in the row lists' coordinates."""
    ranges = sheet.merged_cell_ranges or []
    first_column = sheet.start[1] if sheet.start else 0
    merges = []
    for (top, left), (bottom, right) in ranges:
        if top + 1 <= header_row:
            continue
        left_index, right_index = left - first_column, right - first_column
        fields = tuple(name for name, column in index if left_index <= column <= right_index)
        if fields and (bottom > top or right > left):
            merges.append(_Merge(top=top + 1, bottom=bottom + 1, fields=fields, column=left_index))
    return merges


@contextmanager
def open_roster_bytes(content: bytes, **kwargs) -> Iterator[RosterSheet]:
    """open_roster() for a file held in memory or in the database, through a private temporary file that lives
    as long as the block (read the rows inside it)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(content)
        handle.flush()
        yield open_roster(handle.name, **kwargs)
