"""An office's service ledger (台账) from a spreadsheet, read with the roster import's reader: the same hostile-file
defence and the same tolerance (headers by name in any order, title rows, date forms, full-width digits, a
lower-case x). Every row is checked first; the valid ones are then logged in one statement
(`actions.log_ledger_rows`), or none with a dry run."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from core.models import Office, User
from graduates.checks import check_id_number
from graduates.models import Graduate
from graduates.roster import parse
from graduates.roster.reader import HEADER_VARIANTS, HeaderSpec, RosterFileError, open_roster_bytes

from . import actions
from .codes import CONTENT_MAX, POSTING_REF_MAX, STAFF_NAME_MAX, service_type_from_text

LEDGER_LABELS = {
    "id_number": "公民身份号码",
    "name": "姓名",
    "service_type": "服务类型",
    "date": "服务日期",
    "content": "服务内容",
    "staff_name": "经办人",
    "posting_ref": "岗位编号",
}

LEDGER_SPEC = HeaderSpec(
    variants={
        "id_number": HEADER_VARIANTS["id_number"],
        "name": HEADER_VARIANTS["name"],
        "service_type": ("服务类型", "服务项目", "服务名称", "服务类别"),
        "date": ("服务日期", "服务时间", "日期"),
        "content": ("服务内容", "内容", "服务情况", "服务内容摘要"),
        "staff_name": ("经办人", "经办人员", "服务人员", "经办"),
        "posting_ref": ("岗位编号", "岗位代码", "职位编号"),
    },
    labels=LEDGER_LABELS,
    required=("id_number", "service_type", "date"),
    min_matches=2,
)

MSG_NOT_FOUND = "该公民身份号码不在本单位的服务范围内（或尚未登记）：请先登记或核对号码。"
SHOWN_MAX = 50


@dataclass
class LedgerReport:
    rows: int = 0
    logged: int = 0
    duplicates: int = 0
    invalid: int = 0
    errors: list[dict] = field(default_factory=list)
    duplicate_rows: list[int] = field(default_factory=list)
    dry_run: bool = False
    file_error: str = ""  # the file as a whole could not be read

    def as_json(self) -> dict:
        """Exactly the command's --json shape."""
        return {
            "rows": self.rows,
            "logged": self.logged,
            "duplicates": self.duplicates,
            "invalid": self.invalid,
            "errors": [
                {"row": e["row"], "column": e["column"], "value": e["value"], "message": e["message"]}
                for e in self.errors
            ],
        }


def _shown(value: object) -> str:
    text = parse.text(value)
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX] + "…"


@dataclass
class _Parsed:
    row: int
    id_number: str = ""
    name: str = ""
    service_type: str = ""
    date: object = None
    content: str = ""
    staff_name: str = ""
    posting_ref: str = ""
    errors: list[dict] = field(default_factory=list)


def _bounded(value: object, *, label: str, limit: int) -> str:
    try:
        return actions.clean_text(parse.text(value), label=label, max_length=limit)
    except ValidationError as exc:
        raise parse.CellError(exc.messages[0]) from None


def _read_row(raw, columns: dict[str, str]) -> _Parsed:
    parsed = _Parsed(row=raw.row_number)
    values = raw.values

    def fail(name: str, message: str) -> None:
        parsed.errors.append(
            {
                "row": raw.row_number,
                "column": columns.get(name, LEDGER_LABELS[name]),
                "value": _shown(values.get(name)),
                "message": message,
            }
        )

    def step(name: str, read) -> None:
        try:
            read()
        except parse.CellError as exc:
            fail(name, exc.message)
        except ValidationError as exc:
            fail(name, "；".join(exc.messages))

    def id_number():
        number = parse.id_number(values.get("id_number"))
        parsed.id_number = check_id_number(number, regions={}).number

    def service_type():
        text = parse.text(values.get("service_type"))
        if not text:
            raise parse.CellError("请填写服务类型。")
        found = service_type_from_text(text)
        if found is None:
            raise parse.CellError(
                f"“{text[:20]}”不是可识别的服务类型：请填写如“岗位推荐”“职业指导”等服务类型。"
            )
        parsed.service_type = found

    def date():
        parsed.date = actions.check_service_date(parse.date(values.get("date")))

    step("id_number", id_number)
    step("service_type", service_type)
    step("date", date)
    if "name" in columns:
        step("name", lambda: setattr(parsed, "name", _bounded(values.get("name"), label="姓名", limit=50)))
    if "content" in columns:
        step(
            "content",
            lambda: setattr(
                parsed, "content", _bounded(values.get("content"), label="服务内容", limit=CONTENT_MAX)
            ),
        )
    if "staff_name" in columns:
        step(
            "staff_name",
            lambda: setattr(
                parsed, "staff_name", _bounded(values.get("staff_name"), label="经办人", limit=STAFF_NAME_MAX)
            ),
        )
    if "posting_ref" in columns:
        step(
            "posting_ref",
            lambda: setattr(
                parsed,
                "posting_ref",
                _bounded(values.get("posting_ref"), label="岗位编号", limit=POSTING_REF_MAX),
            ),
        )
    return parsed


def _graduates(*, office: Office, acting_user: User, id_numbers: set[str]) -> dict[str, tuple[int, str]]:
    """ID number → (graduate id, name) for the graduates OFFICE serves and the acting user sees (the newest
    cohort of each), one query."""
    found: dict[str, tuple[int, str]] = {}
    rows = (
        Graduate.objects.in_scope_of(acting_user)
        .filter(responsible_office_id__in=actions.offices_served_by(office))
        .with_id_numbers(id_numbers)
        .order_by("id_number_digest", "-cohort")
        .values_list("id_number", "id", "name")
    )
    for number, pk, name in rows:
        found.setdefault(number, (pk, name))
    return found


def _staff_by_name(office: Office) -> dict[str, int]:
    """The office's users by name (full name or username), only names that point at one user."""
    counts: dict[str, list[int]] = {}
    for pk, full_name, username in User.objects.filter(office=office, is_active=True).values_list(
        "id", "full_name", "username"
    ):
        for key in {full_name, username} - {""}:
            counts.setdefault(key, []).append(pk)
    return {name: ids[0] for name, ids in counts.items() if len(ids) == 1}


def import_ledger(
    *, content: bytes, office: Office, acting_user: User, dry_run: bool = False
) -> LedgerReport:
    """Check every row of a ledger file, then log the valid ones for OFFICE (none with DRY_RUN).

    Raises PermissionDenied when the acting user may not load a ledger for OFFICE; a file that cannot be read
    gives a report with `file_error`."""
    actions.check_ledger_office(office=office, acting_user=acting_user)
    report = LedgerReport(dry_run=dry_run)
    try:
        with open_roster_bytes(content, spec=LEDGER_SPEC) as sheet:
            columns = sheet.columns
            parsed = [_read_row(raw, columns) for raw in sheet.rows()]
            sheet.close()
    except RosterFileError as exc:
        report.file_error = exc.message
        return report
    report.rows = len(parsed)
    graduates = _graduates(
        office=office, acting_user=acting_user, id_numbers={p.id_number for p in parsed if p.id_number}
    )
    staff = _staff_by_name(office)
    ready: list[actions.LedgerRow] = []
    for item in parsed:
        if item.id_number and not item.errors:
            match = graduates.get(item.id_number)
            if match is None:
                item.errors.append(
                    {
                        "row": item.row,
                        "column": columns["id_number"],
                        "value": item.id_number,
                        "message": MSG_NOT_FOUND,
                    }
                )
            elif item.name and "".join(item.name.split()) != "".join(match[1].split()):
                item.errors.append(
                    {
                        "row": item.row,
                        "column": columns["name"],
                        "value": item.name,
                        "message": "姓名与该公民身份号码的登记记录不一致：请核对姓名或号码。",
                    }
                )
            else:
                ready.append(
                    actions.LedgerRow(
                        row=item.row,
                        graduate_id=match[0],
                        service_type=item.service_type,
                        date=item.date,  # type: ignore[arg-type]
                        content=item.content,
                        staff_id=staff.get(item.staff_name) if item.staff_name else None,
                        staff_name=item.staff_name,
                        posting_ref=item.posting_ref,
                    )
                )
        if item.errors:
            report.invalid += 1
            report.errors.extend(item.errors)
    written = actions.log_ledger_rows(office=office, rows=ready, acting_user=acting_user, dry_run=dry_run)
    report.logged = written.logged
    report.duplicate_rows = written.duplicate_rows
    report.duplicates = len(written.duplicate_rows)
    return report
