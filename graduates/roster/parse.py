"""Cell parsers of the roster import: one raw spreadsheet value in, one canonical value out, or CellError.

Real files are messy (seed 001's 汇总表 as universities fill it): codes or labels ("3", "本科", "3.大学本科"),
several codes in one cell ("13", "1、3", "零就业家庭、残疾"), dates as Excel dates or text in any common form,
full-width digits, stray spaces, numbers where text was meant. Each parser accepts what a person plainly meant
and refuses the rest with a Chinese message saying what is wrong and what is expected; the engine adds the row
and the column. The form checks (ID check digit, mobile pattern...) stay in graduates/checks.py.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Mapping

from django.db import models

from core.models import Region
from core.regions import PLACEHOLDER_NAMES

from ..codes import (
    EDUCATION_SHORT_LABELS,
    Destination,
    EducationLevel,
    Ethnicity,
    Gender,
    Hardship,
    Intention,
    LocationIntention,
    ServiceNeed,
)


class CellError(Exception):
    """A cell that cannot be read; `message` (Chinese) says what is wrong and what is expected."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Characters NFKC keeps that are blanks to a reader (zero-width space, BOM, word joiner ...).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?E[+-]?\d+$", re.IGNORECASE)


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).translate(_INVISIBLE)


def _shown(value: object) -> str:
    """The value as quoted back to the user (short)."""
    shown = text(value)
    return shown if len(shown) <= 30 else shown[:30] + "…"


def _whole(value: float) -> int | None:
    """The integer a float stands for, if it is whole (python-calamine gives every number as a float)."""
    if math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def text(value: object) -> str:
    """Free text: NFKC (full-width letters and digits to half-width), trimmed, inner blank runs made one space.

    None → ""; a whole float (a number cell) → its integer digits; a date cell → YYYY-MM-DD.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        whole = _whole(value)
        value = whole if whole is not None else value
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(_nfkc(str(value)).split())


def _key(value: str) -> str:
    """What codes and labels are compared by: NFKC, no blanks at all, upper case (a → A, x → X)."""
    return "".join(_nfkc(value).split()).upper()


# --- single and multiple codes --------------------------------------------------------------------------------

# The column each list belongs to, for messages.
_FIELD_NAMES: dict[type[models.TextChoices], str] = {
    Gender: "性别",
    Ethnicity: "民族",
    EducationLevel: "学历",
    LocationIntention: "就业地意向",
    Destination: "就业去向",
    Hardship: "困难状况",
    Intention: "就业意向",
    ServiceNeed: "就业服务需求",
}

# What is expected, as told to the user.
_EXPECTED: dict[type[models.TextChoices], str] = {
    Gender: "1 或 2，或 男/女",
    Ethnicity: "两位民族代码（如 01）或民族名称（如 汉族、汉）",
    EducationLevel: "1–5 或 博士/硕士/本科/专科/其他",
    LocationIntention: "1–3 或 外地/本地/不确定",
    Destination: "1–15 的代码或去向名称（如 4 或 非国有企业）",
}

# Other ways files write the labels. Derived variants (民族 without 族, labels without 准备, 其它 for 其他) are
# added by _variants(); these are the ones no rule gives.
_ALIASES: dict[type[models.TextChoices], dict[str, str]] = {
    Gender: {"男性": "1", "女性": "2"},
    Ethnicity: {"外国血统": "98"},
    EducationLevel: {**EDUCATION_SHORT_LABELS, "大专": "4", "高职": "4", "高专": "4", "高职高专": "4"},
    LocationIntention: {"外地": "1", "本地": "2", "到外地就业": "1", "在本地就业": "2"},
    Intention: {
        "公务员": "1",
        "事业单位": "2",
        "企业": "3",
        "企业就业": "3",
        "基层项目": "5",
        "入伍": "6",
        "参军": "6",
        "暂不就业": "9",
    },
    ServiceNeed: {"技能鉴定": "6", "公益岗位": "9", "公益岗": "9"},
    Destination: {
        "国企": "3",
        "创业": "5",
        "参军": "10",
        "入伍": "10",
        "升学": "13",
        "出国": "13",
        "暂不就业": "14",
    },
    Hardship: {
        "无": "4",
        "不属于": "4",
        "非困难": "4",
        "非困难生": "4",
        "家庭困难": "2",
        "经济困难": "2",
        "残疾人": "3",
        "脱贫户": "T",
        "低收入户": "L",
    },
}


def _variants(label: str) -> list[str]:
    """A label and the shorter forms people write: 准备考公务员 → 考公务员; 汉族 → 汉; 其他 → 其它."""
    forms = [label]
    if label.startswith("准备"):
        forms.append(label[2:])
    if label.endswith("族") and len(label) >= 2:
        forms.append(label[:-1])
    forms += [form.replace("其他", "其它") for form in forms if "其他" in form]
    return forms


class _Codes:
    """Lookup of one code list: every accepted spelling (after _key) → its code."""

    def __init__(self, choices: type[models.TextChoices], aliases: Mapping[str, str] | None):
        self.choices = choices
        self.order = {code: position for position, code in enumerate(choices.values)}
        self.labels = dict(choices.choices)
        lookup: dict[str, str] = {}
        ambiguous: set[str] = set()

        def add(spelling: str, code: str) -> None:
            key = _key(spelling)
            if not key:
                return
            if lookup.get(key, code) != code:
                ambiguous.add(key)
            lookup.setdefault(key, code)

        for code in choices.values:
            add(code, code)
            if code.isdigit():
                add(str(int(code)), code)  # 民族 "1" for "01"
        # Labels after codes, so that a label never takes a code's place.
        for code, label in choices.choices:
            for form in _variants(label):
                add(form, code)
        for spelling, code in {**_ALIASES.get(choices, {}), **(aliases or {})}.items():
            if code in self.labels:
                add(spelling, code)
        for key in ambiguous:  # a spelling that fits two codes is no answer
            lookup.pop(key, None)
        self.lookup = lookup
        self.codes = set(choices.values)
        self.field = _FIELD_NAMES.get(choices, choices.__name__)

    def expected(self) -> str:
        if self.choices in _EXPECTED:
            return _EXPECTED[self.choices]
        return "、".join(f"{code} {label}" for code, label in self.choices.choices) + " 中的代码或名称"


_CACHE: dict[tuple[type[models.TextChoices], tuple[tuple[str, str], ...]], _Codes] = {}


def _codes_for(choices: type[models.TextChoices], aliases: Mapping[str, str] | None) -> _Codes:
    key = (choices, tuple(sorted((aliases or {}).items())))
    table = _CACHE.get(key)
    if table is None:
        table = _CACHE[key] = _Codes(choices, aliases)
    return table


# "3.大学本科", "3-本科", "3、本科", "(3)本科", "3 本科", "01汉族", "10.部队": a code, then its label.
_CODE_AND_LABEL = re.compile(r"^[(\[]?([0-9]{1,2}|[A-Z])[)\]]?[.\-_、:;,/]?(\D.*)$")


def _number_text(value: object) -> str | None:
    """The digits of a whole number cell; None if VALUE is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        whole = _whole(value)
        return str(whole) if whole is not None else repr(value)
    return None


def _single(key: str, table: _Codes) -> str | None:
    """The code KEY stands for, or None. "3.硕士" (a code and another code's label) raises: it contradicts itself."""
    code = table.lookup.get(key)
    if code is not None:
        return code
    match = _CODE_AND_LABEL.match(key)
    if match:
        code = table.lookup.get(match.group(1))
        label = match.group(2).strip(" .-_、:")
        # Only a written label counts ("3.本科"): "1B" or "3.5" are not a code followed by its name.
        if code is not None and not label.isascii():
            labelled = table.lookup.get(label)
            if labelled is not None and labelled != code:
                raise CellError(f"“{table.field}”的代码 {match.group(1)} 与名称“{label}”不一致，请核对。")
            # The code decides; a label spelled some other way ("3.本科（全日制）") does not stop it.
            return code
    return None


def code(
    value: object, choices: type[models.TextChoices], *, aliases: Mapping[str, str] | None = None
) -> str:
    """One code of CHOICES from its code ("3", 3.0, "３"), label ("大学本科"), short label ("本科"), or both
    ("3.大学本科"). ALIASES adds spellings (label → code). An empty cell gives ""."""
    table = _codes_for(choices, aliases)
    number = _number_text(value)
    raw = number if number is not None else text(value)
    if not raw:
        return ""
    found = _single(_key(raw), table)
    if found is None:
        raise CellError(f"“{table.field}”应为 {table.expected()}，而不是“{_shown(value)}”。")
    return found


_SEPARATORS = re.compile(r"[\s,;/|+、，；]+")


def codes(
    value: object, choices: type[models.TextChoices], *, aliases: Mapping[str, str] | None = None
) -> list[str]:
    """Several codes of CHOICES, in the list's official order without repeats: "13", "1,3", "1、3", "1 3",
    "123456789A", "零就业家庭、残疾", or a mix. An empty cell gives []."""
    table = _codes_for(choices, aliases)
    number = _number_text(value)
    raw = number if number is not None else _nfkc(str(value)) if value is not None else ""
    found: set[str] = set()
    for part in _SEPARATORS.split(raw.strip()):
        if not part:
            continue
        key = _key(part)
        if key in table.lookup:
            found.add(table.lookup[key])
        elif all(char in table.codes for char in key):
            found.update(key)  # codes written together, one character each: "13", "123456789A"
        elif (single := _single(key, table)) is not None:
            found.add(single)  # "1.零就业家庭"
        else:
            raise CellError(
                f"“{table.field}”中的“{part[:20]}”不是有效的选项：应为 {table.expected()}，"
                "多项可连写（如 13）或用顿号分隔（如 1、3）。"
            )
    return sorted(found, key=table.order.__getitem__)


# --- dates ------------------------------------------------------------------------------------------------------

# Excel's 1900 date system: serial 1 is 1900-01-01, and it counts the non-existent 1900-02-29, so from March 1900
# on day 0 is 1899-12-30. Serials 20000–80000 are 1954–2119: a number there in a date column is an Excel date.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIAL_RANGE = (20_000, 80_000)
_YMD = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")
_DATE_EXPECTED = "应为完整日期，如 20260630、2026-06-30、2026/6/30 或 2026年6月30日"


def _make_date(year: int, month: int, day: int, shown: str) -> datetime.date:
    try:
        result = datetime.date(year, month, day)
    except ValueError:
        raise CellError(f"日期“{shown}”不存在，请核对年、月、日。") from None
    if not 1900 <= result.year <= 2100:
        raise CellError(f"日期“{shown}”的年份不合理。")
    return result


def _from_serial(serial: float, shown: str) -> datetime.date:
    if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        raise CellError(f"“{shown}”不是日期：{_DATE_EXPECTED}。")
    return _EXCEL_EPOCH + datetime.timedelta(days=math.floor(serial))


def date(value: object) -> datetime.date:
    """A date from a date cell, an Excel serial number, or text: 20260630, 2026-06-30, 2026/6/30, 2026.6.30,
    2026年6月30日 (full-width digits too). A month without a day is refused, as is an impossible date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value is None or isinstance(value, bool):
        raise CellError(f"请填写日期：{_DATE_EXPECTED}。")
    if isinstance(value, int | float):
        whole = _whole(float(value))
        if whole is not None and 19_000_101 <= whole <= 21_001_231:
            return date(str(whole))  # 20260630 typed into a number cell
        return _from_serial(float(value), _shown(value))
    raw = " ".join(_nfkc(str(value)).split())
    if not raw:
        raise CellError(f"请填写日期：{_DATE_EXPECTED}。")
    match = _COMPACT.match(raw) or _YMD.match(raw)
    if match:
        return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), raw)
    if _YEAR_MONTH.match(raw):
        raise CellError(f"日期“{raw}”缺少日：{_DATE_EXPECTED}。")
    if re.fullmatch(r"\d{4}年?", raw):
        raise CellError(f"日期“{raw}”缺少月和日：{_DATE_EXPECTED}。")
    if re.fullmatch(r"\d{5}(?:\.\d+)?", raw):
        return _from_serial(float(raw), raw)  # an Excel date that reached us as text
    raise CellError(f"“{raw[:30]}”不是可识别的日期：{_DATE_EXPECTED}。")


def cohort(value: object) -> int | None:
    """届别 (the graduation year): 2026, "2026", "2026届", "2026年" → 2026; empty → None."""
    number = _number_text(value)
    raw = number if number is not None else "".join(_nfkc(str(value or "")).split())
    if not raw:
        return None
    match = re.fullmatch(r"(\d{4})(?:届|年|年届)?", raw)
    if not match:
        raise CellError(f"“届别”应为四位年份，如 2026，而不是“{_shown(value)}”。")
    return int(match.group(1))


# --- numbers people write ----------------------------------------------------------------------------------------

ID_AS_NUMBER = (
    "公民身份号码被 Excel 存成了数字（显示为 {shown} 之类），末几位已经丢失：请把该列设置为“文本”格式，"
    "重新填写号码后再上传。"
)


# Compiled once: the ID and phone columns are parsed on every row.
_ID_AS_DECIMAL = re.compile(r"\d{15,18}\.0+")
_PHONE_PUNCTUATION = re.compile(r"[-()]")
_MOBILE = re.compile(r"1\d{10}")


def id_number(value: object) -> str:
    """The ID number as written: NFKC, blanks removed, x → X. A number cell, or text in scientific notation
    (6.30102E+17), is refused: Excel keeps only 15 digits of a number, so the last ones are gone. The check
    digit is checked by graduates.checks.check_id_number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError("公民身份号码应为 18 位号码。")
    if isinstance(value, int | float):
        shown = f"{float(value):.5E}" if abs(float(value)) >= 1e11 else _shown(value)
        raise CellError(ID_AS_NUMBER.format(shown=shown))
    number = "".join(_nfkc(str(value)).split()).lstrip("'").upper()
    if _SCIENTIFIC.match(number) or _ID_AS_DECIMAL.fullmatch(number):
        raise CellError(ID_AS_NUMBER.format(shown=number))
    return number


def phone(value: object) -> str:
    """A phone number as text: a number cell (13800000001.0) gives its digits (11 digits survive Excel intact);
    a mobile loses its blanks, dashes and +86; a landline keeps its dashes (0971-8123456)."""
    if value is None:
        return ""
    number = _number_text(value)
    if number is not None:
        if "." in number or "e" in number.lower():
            raise CellError(f"“{_shown(value)}”不是电话号码。")
        return number
    raw = "".join(_nfkc(str(value)).split()).lstrip("'")
    if _SCIENTIFIC.match(raw):
        raise CellError(f"电话号码被 Excel 转成了科学计数法（{raw}），请把该列设置为“文本”格式后重新填写。")
    digits = _PHONE_PUNCTUATION.sub("", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if _MOBILE.fullmatch(digits):
        return digits
    return raw


_SIGNED = {"签约", "已签约", "已就业", "就业", "是", "已落实", "落实", "SIGNED"}
_UNEMPLOYED = {"未就业", "未签约", "否", "待就业", "未落实", "暂不就业", "不就业", "UNEMPLOYED"}


def employment_status(value: object) -> str:
    """就业状态: "signed" (签约, 已签约, 已就业, 是...) or "unemployed" (未就业, 未签约, 否, 待就业...); "" if empty."""
    if isinstance(value, bool):
        return "signed" if value else "unemployed"
    key = _key(text(value))
    if not key:
        return ""
    if key in _SIGNED:
        return "signed"
    if key in _UNEMPLOYED:
        return "unemployed"
    raise CellError(f"“就业状态”应为 签约 或 未就业，而不是“{_shown(value)}”。")


# --- regions ------------------------------------------------------------------------------------------------------

_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_REGION_EXPECTED = "请填写 6 位行政区划代码或完整名称（如 630102 或 青海省西宁市城东区）"


class RegionIndex:
    """GB/T 2260 codes and names in memory, to resolve 入学前户口所在地 cells without a query per row.

    A 6-digit code is accepted if it is in the table, current or abolished (old rosters carry old codes). A name
    is matched among current regions: the full name (青海省西宁市城东区) or a shorter form that is unique
    (西宁市城东区, 青海省城东区, 城东区); then the full name of an abolished region, if unique.
    """

    def __init__(
        self,
        *,
        codes: set[str],
        names: dict[str, list[str]],
        old_names: dict[str, list[str]],
        full_names: dict[str, str],
    ):
        self._codes = codes
        self._names = names
        self._old_names = old_names
        self._full_names = full_names
        self._cache: dict[object, str | CellError] = {}

    @classmethod
    def load(cls) -> RegionIndex:
        """Read the whole table once (about 7,000 rows)."""
        rows = list(Region.objects.values_list("code", "name", "full_name", "valid_to"))
        current = {code: name for code, name, _full, valid_to in rows if valid_to is None}
        names: dict[str, list[str]] = {}
        old_names: dict[str, list[str]] = {}
        full_names = {code: full for code, _name, full, _valid_to in rows}

        def add(table: dict[str, list[str]], name: str, code: str) -> None:
            key = _region_key(name)
            if key and code not in table.setdefault(key, []):
                table[key].append(code)

        for code, name, full, valid_to in rows:
            if valid_to is not None:
                add(old_names, full, code)
                continue
            add(names, full, code)
            if name in PLACEHOLDER_NAMES:
                continue
            province = current.get(code[:2] + "0000", "")
            prefecture = current.get(code[:4] + "00", "") if code[4:] != "00" else ""
            prefecture = "" if prefecture in PLACEHOLDER_NAMES else prefecture
            forms = {name}
            if code != code[:2] + "0000":
                forms.add(province + name)
            if prefecture:
                forms |= {prefecture + name, province + prefecture + name}
            for form in forms:
                add(names, form, code)
        # A full name is exact: it beats a shorter form of another region that happens to read the same.
        for code, _name, full, valid_to in rows:
            if valid_to is None:
                names[_region_key(full)] = [code]
        return cls(codes=set(full_names), names=names, old_names=old_names, full_names=full_names)

    def resolve(self, value: object) -> str:
        """The 6-digit code for a code or a name; CellError if unknown or ambiguous."""
        try:
            cached = self._cache.get(value)
        except TypeError:  # unhashable: not a cell value
            cached = None
        if cached is None:
            try:
                cached = self._resolve(value)
            except CellError as exc:
                cached = exc
            if len(self._cache) < 100_000:
                self._cache[value] = cached
        if isinstance(cached, CellError):
            raise CellError(cached.message)
        return cached

    def _resolve(self, value: object) -> str:
        number = _number_text(value)
        raw = number if number is not None else "".join(_nfkc(str(value or "")).split())
        if not raw:
            return ""
        raw = re.sub(r"\.0+$", "", raw)
        if raw.isdigit():
            if len(raw) != 6:
                raise CellError(f"行政区划代码应为 6 位数字，而不是“{raw[:20]}”。")
            if raw not in self._codes:
                raise CellError(f"行政区划代码“{raw}”不存在，请核对。")
            return raw
        embedded = _CODE_IN_TEXT.search(raw)
        if embedded and embedded.group(1) in self._codes:
            return embedded.group(1)  # "630102 青海省西宁市城东区", "城东区（630102）"
        key = _region_key(raw)
        for table in (self._names, self._old_names):
            found = table.get(key)
            if found and len(found) == 1:
                return found[0]
            if found:
                candidates = "、".join(f"{self._full_names[c]}（{c}）" for c in sorted(found)[:3])
                more = " 等" if len(found) > 3 else ""
                raise CellError(
                    f"行政区划“{raw[:30]}”不唯一，可能是 {candidates}{more}：请填写完整名称或 6 位代码。"
                )
        raise CellError(f"行政区划“{raw[:30]}”不存在：{_REGION_EXPECTED}。")


def _region_key(name: str) -> str:
    return "".join(_nfkc(name).split())
