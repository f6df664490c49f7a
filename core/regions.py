"""Load the GB/T 2260 region tree, with history, into `core.Region`.

Sources: python-stdnum's `stdnum/cn/loc.dat` (read from the installed package, never copied here) for the whole
history since 1980, plus our own `core/data/gb2260_supplement.csv` for the changes stdnum lacks (e.g. 330114
钱塘区, 2021) and for successor codes that the name rule below cannot find (merges, renames to another stem).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from core.models import Region

SUPPLEMENT_PATH = Path(__file__).resolve().parent / "data" / "gb2260_supplement.csv"

PROVINCE, PREFECTURE, COUNTY = "province", "prefecture", "county"  # the values of core.models.RegionLevel

# Names that stand for "no real unit at this level" (municipalities' 市辖区/县, 省直辖县级行政单位 ...): they are
# skipped inside full names and never matched by the successor name rule.
PLACEHOLDER_NAMES = frozenset(
    {
        "市辖区",
        "县",
        "市",
        "市区",
        "林区",
        "省直辖行政单位",
        "省直辖县级行政单位",
        "自治区直辖县级行政单位",
        "省直辖县级行政区划",
        "自治区直辖县级行政区划",
    }
)

# District names that recur in many cities: a same-name code elsewhere in the province is no successor, so the
# name rule accepts these only within the same prefecture.
GENERIC_NAMES = frozenset(
    {
        "城区", "郊区", "矿区", "新区", "东区", "西区", "南区", "北区", "中区", "市中区", "城关区",
        "城东区", "城西区", "城南区", "城北区", "城中区", "新城区", "老城区", "新市区", "桥东区", "桥西区",
        "河东区", "河西区", "铁东区", "铁西区", "向阳区", "新华区", "和平区", "东城区", "西城区", "南郊区",
        "北郊区", "东郊区", "西郊区", "鼓楼区", "朝阳区", "长安区", "白云区", "青山区", "红山区", "市北区",
        "市南区",
    }
)  # fmt: skip

# The 56 ethnic groups as they appear in autonomous units' names (plus 各族, "all groups"), longest first so
# that 土家 wins over 土 when stripping "…土家族苗族自治州" down to its place name.
_ETHNIC_GROUPS = sorted(
    (
        "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
        "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
        "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
        "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
        "各",
    ),
    key=len,
    reverse=True,
)  # fmt: skip
_ETHNIC_TAIL = re.compile("(?:" + "|".join(_ETHNIC_GROUPS) + ")族$")
_AUTONOMOUS_SUFFIX = re.compile("自治(?:县|州|旗|区)$")
# Unit suffixes, longest first; stripped repeatedly so that 沙县区 and 沙县 share the stem 沙.
_UNIT_SUFFIXES = ("行政委员会", "行政委員會", "地区", "林区", "特区", "区", "县", "市", "州", "盟", "旗")

_PROVINCE_LINE = re.compile(r'^(\d{2}) province="(.*)"$')
_ENTRY_LINE = re.compile(r'^\s+(\d{4}) county="(.*)"$')
_NAME_PART = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")


@dataclass
class NamePeriod:
    """One name a code carried, with the years it was used (None: unknown start / still in use)."""

    name: str
    start: int | None = None
    end: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "from": self.start, "to": self.end}


@dataclass
class RegionRow:
    """One code as loaded into `core.Region`; parse_* fill code and names, build_region_rows() the rest."""

    code: str
    names: list[NamePeriod]
    name: str = ""
    full_name: str = ""
    level: str = COUNTY
    parent_code: str | None = None
    valid_from: int | None = None
    valid_to: int | None = None
    successor_code: str | None = None

    def model_values(self) -> dict[str, Any]:
        """The row as `core.Region` field values (FKs by id)."""
        return {
            "name": self.name,
            "full_name": self.full_name,
            "level": self.level,
            "parent_id": self.parent_code,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "names": [period.as_json() for period in self.names],
        }


@dataclass
class SupplementRow:
    """One line of core/data/gb2260_supplement.csv (blank years/successor = no change to stdnum's data)."""

    code: str
    name: str
    valid_from: int | None
    valid_to: int | None
    successor: str | None
    note: str = field(default="", repr=False)


def _year(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


def level_of(code: str) -> str:
    """GB/T 2260 level from the code alone: XX0000 province, XXYY00 prefecture, anything else county."""
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return PREFECTURE
    return COUNTY


def parse_stdnum_table(text: str | None = None) -> list[RegionRow]:
    """Every code in python-stdnum's cn/loc.dat with its names and their years (TEXT overrides the file)."""
    if text is None:
        text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    rows: dict[str, RegionRow] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if match := _PROVINCE_LINE.match(line):
            province = match.group(1)
            # The province line's name is a fallback: most provinces also have a dated "0000" entry below.
            rows.setdefault(province + "0000", RegionRow(province + "0000", [NamePeriod(match.group(2))]))
            continue
        match = _ENTRY_LINE.match(line)
        if not match or not province:
            raise ValueError(f"loc.dat: unexpected line {line!r}")
        code = province + match.group(1)
        periods = []
        for part in match.group(2).split(","):
            start, end, name = _NAME_PART.match(part.strip()).groups()
            periods.append(NamePeriod(name.strip(), int(start) if start else None, int(end) if end else None))
        rows[code] = RegionRow(code, periods)
    return sorted(rows.values(), key=lambda row: row.code)


def load_supplement(path: Path | str | None = None) -> list[SupplementRow]:
    """The rows of our maintained supplement, checked for shape (6-digit codes, years as numbers)."""
    path = Path(path) if path else SUPPLEMENT_PATH
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line_no, record in enumerate(csv.DictReader(handle), start=2):
            code = record["code"].strip()
            successor = (record.get("successor") or "").strip() or None
            if not re.fullmatch(r"\d{6}", code) or (successor and not re.fullmatch(r"\d{6}", successor)):
                raise ValueError(f"{path}:{line_no}: codes must have 6 digits")
            rows.append(
                SupplementRow(
                    code=code,
                    name=(record.get("name") or "").strip(),
                    valid_from=_year(record.get("valid_from", "")),
                    valid_to=_year(record.get("valid_to", "")),
                    successor=successor,
                    note=(record.get("note") or "").strip(),
                )
            )
    return rows


def _apply_supplement(rows: dict[str, RegionRow], supplement: list[SupplementRow]) -> dict[str, str]:
    """Merge supplement rows into ROWS in place; returns the explicit successors {old code: new code}.

    A new code gets one name period. For a known code, the same (or a blank) name corrects the years of its
    latest name; a different name starts a new name period, closing the previous one.
    """
    explicit: dict[str, str] = {}
    for item in supplement:
        row = rows.get(item.code)
        if row is None:
            if not item.name:
                raise ValueError(f"supplement: new code {item.code} needs a name")
            rows[item.code] = RegionRow(item.code, [NamePeriod(item.name, item.valid_from, item.valid_to)])
        elif not item.name or item.name == row.names[-1].name:
            latest = row.names[-1]
            latest.start = item.valid_from if item.valid_from is not None else latest.start
            latest.end = item.valid_to if item.valid_to is not None else latest.end
        else:
            if row.names[-1].end is None and item.valid_from is not None:
                row.names[-1].end = item.valid_from
            row.names.append(NamePeriod(item.name, item.valid_from, item.valid_to))
        if item.successor:
            explicit[item.code] = item.successor
    return explicit


def name_stem(name: str) -> str:
    """The place name without unit suffix or autonomy part: 大通回族土族自治县 → 大通, 海东地区 → 海东."""
    stem = _AUTONOMOUS_SUFFIX.sub("", name)
    if stem != name:
        while (shorter := _ETHNIC_TAIL.sub("", stem)) != stem and shorter:
            stem = shorter
    changed = True
    while changed:
        changed = False
        for suffix in _UNIT_SUFFIXES:
            if stem.endswith(suffix) and len(stem) > len(suffix):
                stem, changed = stem[: -len(suffix)], True
                break
    return stem


def _name_in(row: RegionRow, year: int | None) -> str:
    """The name ROW carried in YEAR (its latest name when YEAR is None or outside all periods)."""
    if year is not None:
        for period in row.names:
            if (period.start is None or period.start <= year) and (period.end is None or year <= period.end):
                return period.name
    return row.names[-1].name


def _full_name(row: RegionRow, rows: dict[str, RegionRow]) -> str:
    """Province + prefecture + own name, as named in the code's last year of use, placeholders skipped."""
    year = row.valid_to  # None for current codes: then every part uses its latest name
    parts = []
    ancestors = [row.code[:2] + "0000"]
    if row.level == COUNTY and row.code[2:4] != "00":  # 460003-style codes sit right under the province
        ancestors.append(row.code[:4] + "00")
    for code in ancestors:
        if code != row.code and code in rows:
            name = _name_in(rows[code], year)
            if name not in PLACEHOLDER_NAMES:
                parts.append(name)
    parts.append(row.name)
    return "".join(parts)


def _immediate_successor(
    old: RegionRow, by_province_level: dict[tuple[str, str], list[RegionRow]]
) -> str | None:
    """The code that took over OLD by the name rule: same province and level, same stem, started ±1 year."""
    old_name = old.names[-1].name
    if old.valid_to is None or old_name in PLACEHOLDER_NAMES:
        return None
    stem = name_stem(old_name)
    found: list[tuple[int, int, int, str]] = []
    for candidate in by_province_level[(old.code[:2], old.level)]:
        if candidate.code == old.code:
            continue
        if candidate.valid_to is not None and candidate.valid_to < old.valid_to:
            continue  # ended before OLD did: it cannot have replaced it
        same_prefecture = candidate.code[:4] == old.code[:4]
        if old_name in GENERIC_NAMES and not same_prefecture:
            continue
        for index, period in enumerate(candidate.names):
            # Compare with the name period that starts near OLD's end, so renamed codes match too.
            if period.start is None or abs(period.start - old.valid_to) > 1:
                continue
            if period.name in PLACEHOLDER_NAMES or name_stem(period.name) != stem:
                continue
            if old_name.endswith("市") and period.name.endswith("县"):
                continue  # a city never became a county: 宜宾市 (county-level) is no predecessor of 宜宾县
            following = candidate.names[index + 1] if index + 1 < len(candidate.names) else None
            if following and period.end is not None and (following.start or 0) > period.end + 1:
                continue  # the code lay unused, then was reused for another place (511400 涪陵市 → 眉山市)
            found.append(
                (
                    abs(period.start - old.valid_to),
                    candidate.valid_to is not None,
                    not same_prefecture,
                    candidate.code,
                )
            )
    if not found:
        return None
    found.sort()
    if len(found) > 1 and found[0][:3] == found[1][:3] and found[0][3] != found[1][3]:
        return None  # two equally good candidates: better no successor than a wrong one
    return found[0][3]


def build_region_rows(
    stdnum_rows: list[RegionRow] | None = None, supplement: list[SupplementRow] | None = None
) -> list[RegionRow]:
    """Combine stdnum and the supplement; derive level, parent, names, years, full name and successor."""
    rows = {row.code: row for row in (stdnum_rows if stdnum_rows is not None else parse_stdnum_table())}
    explicit = _apply_supplement(rows, supplement if supplement is not None else load_supplement())
    for row in rows.values():
        row.level = level_of(row.code)
        row.name = row.names[-1].name
        starts = [period.start for period in row.names]
        ends = [period.end for period in row.names]
        row.valid_from = None if None in starts else min(starts)
        row.valid_to = None if None in ends else max(ends)
        province = row.code[:2] + "0000"
        if row.level == PREFECTURE:
            row.parent_code = province if province in rows else None
        elif row.level == COUNTY:
            prefecture = row.code[:4] + "00"
            row.parent_code = prefecture if prefecture in rows else (province if province in rows else None)
    for row in rows.values():
        row.full_name = _full_name(row, rows)

    by_province_level: dict[tuple[str, str], list[RegionRow]] = {}
    for row in rows.values():
        by_province_level.setdefault((row.code[:2], row.level), []).append(row)
    step: dict[str, str] = {}
    for row in rows.values():
        if row.valid_to is None:
            continue
        if row.code in explicit:
            step[row.code] = explicit[row.code]
        elif (found := _immediate_successor(row, by_province_level)) is not None:
            step[row.code] = found
    for old, new in explicit.items():
        if new not in rows:
            raise ValueError(f"supplement: successor {new} of {old} is not a known code")
    for row in rows.values():
        row.successor_code = _resolve_chain(row.code, step, rows)
    return sorted(rows.values(), key=lambda row: (row.code[2:] != "0000", row.code[4:] != "00", row.code))


def _resolve_chain(code: str, step: dict[str, str], rows: dict[str, RegionRow]) -> str | None:
    """Follow successors from CODE to the current code at the end (A→B→C gives C); None if the chain dies."""
    if rows[code].valid_to is None:
        return None
    seen = {code}
    current = code
    while current in step:
        current = step[current]
        if current in seen:
            return None  # a loop in the data: no answer rather than a wrong one
        seen.add(current)
        if rows[current].valid_to is None:
            return current
    return None


def _region_model() -> type[Region]:
    # Imported lazily so that the data migration can import this module without touching the live model.
    from django.apps import apps

    return apps.get_model("core", "Region")


def load_regions(
    *, stdout: IO[str] | None = None, region_model: type[Region] | None = None
) -> dict[str, int]:
    """Write all regions into the database, set-based and idempotently; returns created/updated/total counts.

    REGION_MODEL lets a data migration pass its historical model. Only new or changed rows are written, so a
    second run writes nothing. Codes in the database but absent from the sources are kept (rows may point at them).
    """
    model = region_model or _region_model()
    rows = build_region_rows()
    with transaction.atomic():
        existing = {
            values["code"]: values
            for values in model.objects.values(
                "code",
                "name",
                "full_name",
                "level",
                "parent_id",
                "valid_from",
                "valid_to",
                "names",
                "successor_id",
            )
        }
        to_upsert = []
        changed: set[str] = set()
        # ROWS run province → prefecture → county, so every parent is written before its children.
        for row in rows:
            values = row.model_values()
            old = existing.get(row.code)
            if old is None or any(old[key] != value for key, value in values.items()):
                to_upsert.append(model(code=row.code, **values))
                changed.add(row.code)
        model.objects.bulk_create(
            to_upsert,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "full_name", "level", "parent", "valid_from", "valid_to", "names"],
        )
        # Successors may point at any code, so they are set once every row exists.
        successors = [
            model(code=row.code, successor_id=row.successor_code)
            for row in rows
            if (existing[row.code]["successor_id"] if row.code in existing else None) != row.successor_code
        ]
        model.objects.bulk_update(successors, ["successor"], batch_size=1000)
        changed.update(item.code for item in successors)
    created = sum(1 for row in rows if row.code not in existing)
    counts = {"created": created, "updated": len(changed) - created, "total": model.objects.count()}
    if stdout is not None:
        stdout.write(
            f"行政区划已载入：新增 {counts['created']}，更新 {counts['updated']}，共 {counts['total']} 条。\n"
        )
    return counts


def resolve_region(code_or_name: str) -> Region | None:
    """The region for a 6-digit code (even an abolished one) or a full name such as 青海省西宁市城东区.

    Names match current regions only: the exact full name first, then a unique full name ending with the text
    (so 西宁市城东区 or 城东区 work where they are unambiguous). Returns None when nothing or several match.
    """
    model = _region_model()
    text = re.sub(r"\s+", "", code_or_name or "")
    if not text:
        return None
    if re.fullmatch(r"\d{6}", text):
        return model.objects.filter(code=text).first()
    current = model.objects.filter(valid_to__isnull=True)
    exact = current.filter(full_name=text).order_by("code").first()
    if exact is not None:
        return exact
    matches = list(current.filter(full_name__endswith=text).order_by("code")[:2])
    return matches[0] if len(matches) == 1 else None
