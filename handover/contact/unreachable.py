"""Unreachable graduates: the list sent to the Education side asking for contact details, and their answers."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from openpyxl import Workbook

from core.audit import record_audit, record_export
from core.models import User
from core.spreadsheets import formula_safe
from graduates import checks
from graduates.actions import CONTACT_DETAIL_FIELDS, set_contact_details
from graduates.codes import State
from graduates.models import Graduate
from graduates.roster import parse
from graduates.roster.reader import RosterFileError, open_roster_bytes

HEADER = [
    "姓名",
    "公民身份号码",
    "毕业院校",
    "所学专业",
    "入学前户口所在地",
    "手机号码",
    "电子邮箱",
    "固定电话",
    "责任机构",
]
CONTACT_FIELDS = {name: check for name, check in checks.CONTACT_CHECKS if name in CONTACT_DETAIL_FIELDS}


def unreachable_in_scope(user: User) -> QuerySet[Graduate]:
    return (
        Graduate.objects.in_scope_of(user)
        .filter(state=State.UNREACHABLE)
        .select_related("origin_region", "responsible_office")
        .order_by("university_name", "name")
    )


def unreachable_workbook(user: User, *, purpose: str = "") -> bytes:
    """The office's unreachable graduates as .xlsx, for the Education Dept and the universities to fill in the
    contact columns (the ID number column is text, so Excel keeps every digit)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("无法联系名单")
    sheet.append(HEADER)
    count = 0
    for g in unreachable_in_scope(user).iterator(chunk_size=2000):
        sheet.append([
            formula_safe(g.name), g.id_number, formula_safe(g.university_name), formula_safe(g.major),
            f"{g.origin_region_id} {g.origin_region.full_name}", g.mobile, g.email, g.landline,
            g.responsible_office.name,
        ])  # fmt: skip
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    record_export(action="handover.unreachable.exported", actor=user, rows=count, purpose=purpose)
    return buffer.getvalue()


@dataclass
class AnswerResult:
    updated: int
    not_found: int
    errors: list[dict]


def _read_answers(content: bytes) -> tuple[dict[str, dict], list[dict]]:
    """{ID number: {contact field: checked value}} from the answered list, and the errors with row and column."""
    answers, errors = {}, []
    with open_roster_bytes(content) as sheet:
        for row in sheet.rows():
            try:
                number = checks.check_id_number(parse.id_number(row.values.get("id_number"))).number
            except (parse.CellError, ValidationError) as exc:
                message = exc.message if isinstance(exc, parse.CellError) else "；".join(exc.messages)
                errors.append(
                    {"row": row.row_number, "column": sheet.columns["id_number"], "message": message}
                )
                continue
            values = {}
            for field, check in CONTACT_FIELDS.items():
                raw = row.values.get(field)
                if raw in (None, ""):
                    continue
                try:
                    values[field] = check(parse.text(raw))
                except ValidationError as exc:
                    errors.append(
                        {"row": row.row_number, "column": sheet.columns[field], "message": exc.messages[0]}
                    )
            if values:
                answers[number] = values
    return answers, errors


@transaction.atomic
def load_answers(*, content: bytes, acting_user: User) -> AnswerResult:
    """The answered list: new phone numbers / e-mail for unreachable graduates in the user's scope. Each changed
    record keeps its history and goes back to 待联系 for another attempt. A file with any invalid cell changes
    nothing (the errors name row, column and reason)."""
    try:
        answers, errors = _read_answers(content)
    except RosterFileError as exc:
        raise ValidationError(exc.message) from None
    if errors:
        return AnswerResult(updated=0, not_found=0, errors=errors)
    found = dict(
        unreachable_in_scope(acting_user).with_id_numbers(list(answers)).values_list("id_number", "pk")
    )
    # The registry locks the rows and changes only those still 无法联系 (a record another clerk reached in the
    # meantime keeps its state and details).
    changed = set_contact_details(
        details={pk: answers[number] for number, pk in found.items()},
        expected_states=dict.fromkeys(found.values(), State.UNREACHABLE),
        acting_user=acting_user,
        note="教育部门反馈的联系方式",
        then_state=State.WAITING,
    )
    graduates = changed
    result = AnswerResult(updated=len(graduates), not_found=len(answers) - len(found), errors=[])
    record_audit(action="handover.unreachable.answers", actor=acting_user, data={"updated": result.updated})
    return result
