"""The roster check: every row parsed, checked and compared with the registry before anything is written.

Pure reading and checking; the writes (staging, commit) are in graduates/roster/actions.py. The same engine
serves the upload page, the Django admin and `manage.py import_roster`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.utils import timezone

from core import crypto
from core.models import Office, OfficeKind

from .. import checks
from ..actions import state_after_destination
from ..codes import (
    EDUCATION_SHORT_LABELS,
    ROSTER_CHANNEL,
    Destination,
    EducationLevel,
    Ethnicity,
    Gender,
    Hardship,
    Intention,
    LocationIntention,
    SchoolStatus,
    ServiceNeed,
    State,
)
from ..models import Graduate
from . import parse
from .reader import FIELD_LABELS, RosterSheet

# Fields a new record cannot do without (the 登记表's required items). 毕业院校 comes from the upload for a
# university's own roster.
REQUIRED = ["name", "id_number", "ethnicity", "graduation_date", "education", "major", "origin_region"]
REQUIRED_WITHOUT_UNIVERSITY = [
    *REQUIRED,
    "university_name",
]  # a list not from one university names it per row

# The registry columns an import may set on an existing record, compared one by one.
COMPARED = [
    "name", "gender", "ethnicity", "university_id", "university_name", "graduation_date", "education", "major",
    "origin_region_id", "email", "postcode", "mobile", "landline", "hardship", "location_intention", "intentions",
    "service_needs", "destination", "school_status",
]  # fmt: skip

# Columns whose cells may hold several codes (order-insensitive when compared).
ARRAY_FIELDS = {"hardship", "intentions", "service_needs", "sources"}

PROGRESS_EVERY = 5_000


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class CheckedRow:
    row_number: int
    action: str  # new / update / unchanged / invalid
    data: dict = field(default_factory=dict)  # Graduate columns to write
    changes: dict = field(default_factory=dict)  # {field: [old, new]} of an update
    graduate_id: int | None = None
    graduate_version: int | None = None
    raw: dict = field(default_factory=dict)  # the original cells of an invalid row
    record: dict = field(default_factory=dict)  # a new record's own values (models.STAGED_COLUMNS)


@dataclass
class CheckTotals:
    """What the check found, accumulated chunk by chunk."""

    rows: int = 0
    new: int = 0
    update: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)  # hints that do not stop the row
    conflicts: list[dict] = field(default_factory=list)

    @property
    def conflict_rows(self) -> int:
        return len({c["row"] for c in self.conflicts})


@dataclass
class Context:
    """What the check of one upload needs, loaded once (no query per row)."""

    source: str
    cohort: int
    channel: str
    university: Office | None
    responsible_office_id: int
    regions: dict
    region_index: parse.RegionIndex
    universities_by_name: dict[str, int]
    today: datetime.date
    origin_warnings: dict[str, list[str]] = field(default_factory=dict)  # code → its warnings (a cache)


def responsible_office_id(*, source: str, office: Office) -> int:
    """Offices' own lists stay with the office; every other list waits at the bureau (待分配) for dispatch."""
    if source == "office":
        return office.pk
    return Office.objects.get(kind=OfficeKind.BUREAU, region_id=f"{settings.PROVINCE_CODE}0000").pk


def build_context(*, source: str, cohort: int, university: Office | None, office: Office) -> Context:
    responsible = responsible_office_id(source=source, office=office)
    return Context(
        source=source,
        cohort=cohort,
        channel=ROSTER_CHANNEL[source],
        university=university,
        responsible_office_id=responsible,
        regions=checks.region_states(),
        region_index=parse.RegionIndex.load(),
        universities_by_name=dict(
            Office.objects.filter(kind=OfficeKind.UNIVERSITY).values_list("name", "id")
        ),
        today=timezone.localdate(),
    )


def _memoized(parser: Callable, limit: int = 20_000) -> Callable:
    """A roster repeats the same few values down a column ("3", "本科", "630102", "2026-06-30"): parse each distinct
    cell once. Results are immutable in use (lists are never changed in place); failures are remembered as their
    message and raised afresh each time."""
    cache: dict = {}

    def parse_cell(value):
        key = (type(value), value)
        hit = cache.get(key)
        if hit is None:
            try:
                hit = (True, parser(value))
            except parse.CellError as exc:
                hit = (False, exc.message)
            if len(cache) < limit:
                cache[key] = hit
        ok, result = hit
        if ok:
            return result
        raise parse.CellError(result)

    return parse_cell


def refuse_education_destination(header: str) -> Callable:
    """The parser of a 毕业去向 column: an empty cell is fine, any value is refused with the reason.

    毕业去向 is the education system's destination list (毕业去向登记), whose codes mean other things than the
    就业去向 codes of annex 2 (its 10 is 签就业协议形式就业, ours 部队; its 11 签劳动合同, ours 就业见习). The notices
    give no mapping between the two lists, so a value is never guessed into 就业去向.
    """

    def refuse(value):
        shown = parse.text(value)
        if not shown:
            return ""
        if shown.isdigit():
            raise parse.CellError(
                f"“{header}”列的 {shown} 是教育部门毕业去向登记的代码（如 10 签就业协议形式就业、11 签劳动合同、"
                "12 其他录用形式），与“就业去向（回访结果）”的代码含义不同（就业去向 10 是部队、11 是就业见习），"
                "不能当作就业去向导入：请清空该列，或把回访结果按 1–15 的就业去向代码填在“就业去向（回访结果）”列。"
            )
        raise parse.CellError(
            f"“{header}”列是教育部门毕业去向登记的内容，与“就业去向（回访结果）”不是同一套分类，不能当作就业去向"
            "导入：请清空该列，或把回访结果按 1–15 的就业去向代码填在“就业去向（回访结果）”列。"
        )

    return refuse


def _parsers(ctx: Context, columns: dict[str, str] | None = None) -> dict[str, Callable]:
    # Columns whose values differ on every row (names, ID numbers, phones, e-mail) are not memoized.
    return {
        "name": parse.text,
        "gender": _memoized(lambda v: parse.code(v, Gender)),
        "ethnicity": _memoized(lambda v: parse.code(v, Ethnicity)),
        "id_number": parse.id_number,
        "university_name": _memoized(parse.text),
        "graduation_date": _memoized(parse.date),
        "education": _memoized(lambda v: parse.code(v, EducationLevel, aliases=EDUCATION_SHORT_LABELS)),
        "major": _memoized(parse.text),
        "origin_region": _memoized(ctx.region_index.resolve),
        "email": parse.text,
        "postcode": _memoized(parse.text),
        "mobile": parse.phone,
        "landline": parse.text,
        "hardship": _memoized(lambda v: parse.codes(v, Hardship)),
        "location_intention": _memoized(lambda v: parse.code(v, LocationIntention)),
        "intentions": _memoized(lambda v: parse.codes(v, Intention)),
        "service_needs": _memoized(lambda v: parse.codes(v, ServiceNeed)),
        "destination": _memoized(lambda v: parse.code(v, Destination)),
        "employment_status": _memoized(parse.employment_status),
        "cohort": _memoized(parse.cohort),
        "education_destination": refuse_education_destination(
            (columns or {}).get("education_destination", FIELD_LABELS["education_destination"])
        ),
    }


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:200]


def check_sheet(sheet: RosterSheet, ctx: Context, totals: CheckTotals, *, chunk_size: int = 5_000):
    """Parse and check SHEET's rows; yield them in chunks, each compared with the registry in one query.

    Streaming keeps memory flat whatever the number of rows: the caller stages each chunk and lets it go.
    """
    columns = sheet.columns
    missing = [f for f in ("name", "id_number") if f not in columns]
    if missing:
        names = "、".join(FIELD_LABELS[f] for f in missing)
        totals.errors.append(RowError(sheet.header_row, "", "", f"表头中找不到必需的列：{names}。"))
        return
    parsers = _parsers(ctx, columns)
    seen: dict[str, int] = {}
    chunk: list[CheckedRow] = []
    valid: list[tuple[CheckedRow, dict]] = []
    for raw in sheet.rows():
        totals.rows += 1
        checked, values, row_errors = _check_row(raw, ctx, parsers, columns, seen)
        chunk.append(checked)
        if row_errors:
            totals.errors.extend(row_errors)
        else:
            valid.append((checked, values))
            if origin := values.get("origin_region"):
                _warn_origin(raw, origin, ctx, columns, totals)
        if len(chunk) >= chunk_size:
            yield _finish_chunk(chunk, valid, ctx, columns, totals)
            chunk, valid = [], []
    if chunk:
        yield _finish_chunk(chunk, valid, ctx, columns, totals)


def _warn_origin(raw, code: str, ctx: Context, columns: dict[str, str], totals: CheckTotals) -> None:
    """入学前户口所在地 above the county (a province or prefecture code or name): the row loads, with a hint."""
    messages = ctx.origin_warnings.get(code)
    if messages is None:  # a roster repeats a few dozen codes: each one's warnings worked out once
        region = ctx.regions.get(code)
        messages = ctx.origin_warnings[code] = checks.origin_level_warnings(
            code, region.full_name if region else ""
        )
    for message in messages:
        column = columns.get("origin_region", FIELD_LABELS["origin_region"])
        totals.warnings.append(
            RowError(raw.row_number, column, _display(raw.values.get("origin_region")), message)
        )


def _finish_chunk(chunk, valid, ctx: Context, columns: dict, totals: CheckTotals) -> list[CheckedRow]:
    totals.conflicts.extend(_compare_with_registry(valid, ctx, columns))
    for row in chunk:
        setattr(totals, row.action, getattr(totals, row.action) + 1)
    return chunk


def _check_row(raw, ctx: Context, parsers, columns: dict[str, str], seen: dict[str, int]):
    row_errors: list[RowError] = []
    values: dict = {}

    def fail(field_name: str, value, message: str) -> None:
        shown = checks.mask_id_number(_display(value)) if field_name == "id_number" else _display(value)
        row_errors.append(RowError(raw.row_number, columns.get(field_name, FIELD_LABELS.get(field_name, "")),
                                   shown, message))  # fmt: skip

    failed: set[str] = set()
    for field_name, value in raw.values.items():
        parser = parsers.get(field_name)
        if parser is None or value is None:  # blanks parse to "" and are skipped below
            continue
        try:
            parsed = parser(value)
        except parse.CellError as exc:
            fail(field_name, value, exc.message)
            failed.add(field_name)
            continue
        if parsed not in (None, "", []):
            values[field_name] = parsed
    if values.get("cohort") not in (None, ctx.cohort):
        fail(
            "cohort",
            raw.values.get("cohort"),
            f"届别 {values['cohort']} 与本次导入的届别 {ctx.cohort} 不一致。",
        )
    for field_name in REQUIRED if ctx.university is not None else REQUIRED_WITHOUT_UNIVERSITY:
        if field_name not in values and field_name not in failed:
            fail(field_name, "", f"“{FIELD_LABELS[field_name]}”必须填写。")
            failed.add(field_name)
    # The registry's own checks, on every field that parsed (so one row reports all its mistakes at once).
    candidate = _candidate(values, ctx)
    for field_name, messages in checks.collect_graduate_errors(
        candidate, today=ctx.today, regions=ctx.regions
    ).items():
        if field_name in failed:
            continue
        for message in messages:
            fail(field_name, raw.values.get(field_name), message)
    if not row_errors:
        values["_candidate"] = candidate
        first = seen.get(candidate.id_number)
        if first is not None:
            fail("id_number", raw.values.get("id_number"), f"与第 {first} 行的公民身份号码重复。")
        else:
            seen[candidate.id_number] = raw.row_number
    if row_errors:
        return (
            CheckedRow(raw.row_number, "invalid", raw=_invalid_cells(raw.values)),
            values,
            row_errors,
        )
    return CheckedRow(raw.row_number, "new"), values, []


def _invalid_cells(values: dict) -> dict:
    """An invalid row's original cells, kept to download and fix: the ID number cell encrypted at rest."""
    cells = {k: _display(v) for k, v in values.items()}
    if cells.get("id_number"):
        cells["id_number"] = crypto.encrypt(cells["id_number"])
    return cells


def _candidate(values: dict, ctx: Context) -> SimpleNamespace:
    """An unsaved record with the row's values, shaped like a Graduate for checks.collect_graduate_errors."""
    university_id = ctx.university.pk if ctx.university else None
    university_name = values.get("university_name") or (ctx.university.name if ctx.university else "")
    if university_id is None:
        university_id = ctx.universities_by_name.get(university_name)
    return SimpleNamespace(
        name=values.get("name", ""),
        gender=values.get("gender", ""),
        ethnicity=values.get("ethnicity", ""),
        id_number=values.get("id_number", ""),
        birth_date=None,
        university_id=university_id,
        university_name=university_name,
        graduation_date=values.get("graduation_date"),
        education=values.get("education", ""),
        major=values.get("major", ""),
        origin_region_id=values.get("origin_region", ""),
        email=values.get("email", ""),
        postcode=values.get("postcode", ""),
        mobile=values.get("mobile", ""),
        landline=values.get("landline", ""),
        hardship=values.get("hardship", []),
        location_intention=values.get("location_intention", ""),
        intentions=values.get("intentions", []),
        service_needs=values.get("service_needs", []),
        destination=values.get("destination", ""),
        cohort=ctx.cohort,
        school_status=values.get("employment_status", ""),
    )


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _comparable(name: str, value):
    if name in ARRAY_FIELDS:
        return sorted(value or [])
    if value is None:
        return ""
    return value


def jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _compare_with_registry(valid: list[tuple[CheckedRow, dict]], ctx: Context, columns: dict) -> list[dict]:
    """Decide new / update / unchanged for each valid row; a field an office changed by hand is not overwritten
    but reported as a conflict (the office's value stays)."""
    conflicts: list[dict] = []
    for chunk in _chunks(valid, 5_000):  # one query per chunk (≤ 5,000 ID numbers)
        # Matched through the blind index (the ID number is encrypted at rest): no decryption at all.
        for _, values in chunk:
            values["_candidate"].id_number_digest = crypto.blind_index(values["_candidate"].id_number)
        existing = {
            g["id_number_digest"]: g
            for g in Graduate.objects.filter(
                cohort=ctx.cohort,
                id_number_digest__in=[values["_candidate"].id_number_digest for _, values in chunk],
            ).values("id", "version", "hand_edited", "sources", *COMPARED, "id_number_digest")
        }
        for checked, values in chunk:
            candidate = values["_candidate"]
            current = existing.get(candidate.id_number_digest)
            if current is None:
                checked.action = "new"
                checked.record = _new_record(candidate)
                continue
            present = _present(values)
            incoming = {
                name: getattr(candidate, name)
                for name in COMPARED
                if name in present and getattr(candidate, name) not in (None, "", [])
            }
            checked.graduate_id = current["id"]
            checked.graduate_version = current["version"]
            data, changes = {}, {}
            for name, new_value in incoming.items():
                old_value = current[name]
                if _comparable(name, old_value) == _comparable(name, new_value):
                    continue
                if name in (current["hand_edited"] or []) or name.removesuffix("_id") in (
                    current["hand_edited"] or []
                ):
                    conflicts.append({
                        "row": checked.row_number,
                        "graduate": current["id"],
                        "column": columns.get(source_field(name), FIELD_LABELS.get(source_field(name), name)),
                        "office_value": jsonable(old_value),
                        "file_value": jsonable(new_value),
                    })  # fmt: skip
                    continue
                data[name] = jsonable(new_value)
                changes[name] = [jsonable(old_value), jsonable(new_value)]
            if ctx.channel not in (current["sources"] or []):
                data["sources"] = sorted({*current["sources"], ctx.channel})
                changes["sources"] = [current["sources"], data["sources"]]
            checked.action = "update" if changes else "unchanged"
            checked.data, checked.changes = data, changes
    return conflicts


def _present(values: dict) -> set[str]:
    """The Graduate columns the row gave a value for (so an empty cell never erases what is stored)."""
    present = set()
    for name in values:
        if name == "origin_region":
            present.add("origin_region_id")
        elif name == "employment_status":
            present.add("school_status")
        elif name == "university_name":
            present.update({"university_name", "university_id"})
        else:
            present.add(name)
    return present


def source_field(column: str) -> str:
    return {
        "origin_region_id": "origin_region",
        "school_status": "employment_status",
        "university_id": "university_name",
    }.get(column, column)


def _new_record(candidate: SimpleNamespace) -> dict:
    """The row's own values of a new record (models.STAGED_COLUMNS); the rest is set for the whole upload."""
    if candidate.school_status == SchoolStatus.SIGNED:
        state = State.EMPLOYED
    elif candidate.destination:
        state = state_after_destination(State.WAITING, candidate.destination)
        state = State.WAITING if state == State.VERIFIED else state
    else:
        state = State.WAITING
    return {
        "name": candidate.name,
        "gender": candidate.gender,
        "ethnicity": candidate.ethnicity,
        "id_number": crypto.encrypt(candidate.id_number),  # staged and copied encrypted, with its blind index
        "id_number_digest": candidate.id_number_digest,
        "birth_date": candidate.birth_date,
        "university_id": candidate.university_id,
        "university_name": candidate.university_name,
        "graduation_date": candidate.graduation_date,
        "education": candidate.education,
        "major": candidate.major,
        "origin_region_id": candidate.origin_region_id,
        "email": candidate.email,
        "postcode": candidate.postcode,
        "mobile": candidate.mobile,
        "landline": candidate.landline,
        "hardship": candidate.hardship,
        "location_intention": candidate.location_intention,
        "intentions": candidate.intentions,
        "service_needs": candidate.service_needs,
        "destination": candidate.destination,
        "state": state,
        "school_status": candidate.school_status or SchoolStatus.UNEMPLOYED,
    }


def iter_errors(errors: Iterable[RowError]) -> list[dict]:
    return [e.as_dict() for e in errors]
