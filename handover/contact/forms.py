"""Forms of the contact work: one contact attempt, and the report-in lines pasted from a spreadsheet."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from graduates.checks import check_id_number
from handover.forms import cohort_field, text_messages
from handover.models import ContactAttempt, ContactMethod, ContactOutcome, ReportIn

NOTE_MAX = ContactAttempt._meta.get_field("note").max_length


class ContactForm(forms.Form):
    """One attempt to reach a received graduate, posted from the worklist (or the record page, via `next`)."""

    method = forms.ChoiceField(
        choices=ContactMethod.choices,
        error_messages={"required": "请选择联系方式。", "invalid_choice": "请选择联系方式。"},
    )
    outcome = forms.ChoiceField(
        choices=ContactOutcome.choices,
        error_messages={"required": "请选择联系结果。", "invalid_choice": "请选择联系结果。"},
    )
    note = forms.CharField(
        required=False, max_length=NOTE_MAX, error_messages=text_messages("说明", NOTE_MAX)
    )
    # Where to go back to; the view follows it only when it stays on this site.
    next = forms.CharField(required=False, max_length=2000)


# 姓名, 公民身份号码[, 报到证编号 / 转递编号[, 核验编号]] separated by tabs, commas, semicolons or spaces.
SEPARATORS = re.compile(r"[\t,，;；\s]+")
MAX_LINES = 500
MAX_LINE_LENGTH = 200
NAME_MAX = ReportIn._meta.get_field("name").max_length
NUMBER_MAX = ReportIn._meta.get_field("certificate_no").max_length
MAX_TEXT = MAX_LINES * (MAX_LINE_LENGTH + 2)


class ReportInForm(forms.Form):
    """Graduates who reported in, one a line. Every line is checked before anything is written: the errors name
    the line and the reason, and then nothing is recorded."""

    cohort = cohort_field()
    kind = forms.ChoiceField(
        choices=ReportIn.Kind.choices,
        error_messages={"required": "请选择报到依据。", "invalid_choice": "请选择报到依据。"},
    )
    lines = forms.CharField(
        max_length=MAX_TEXT,
        strip=False,
        error_messages={
            **text_messages("报到名单", MAX_TEXT),
            "required": "请粘贴或填写报到人员，每行一人。",
            "max_length": f"一次粘贴的内容过长（最多 {MAX_LINES} 行），请分批登记。",
        },
    )

    def clean_lines(self) -> list[dict]:
        lines = [(n, line.strip()) for n, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1)]
        lines = [(n, line) for n, line in lines if line]
        if not lines:
            raise ValidationError("请粘贴或填写报到人员，每行一人。")
        if len(lines) > MAX_LINES:
            raise ValidationError(f"一次最多登记 {MAX_LINES} 人（本次 {len(lines)} 行），请分批登记。")
        entries, errors = [], []
        for number, line in lines:
            try:
                entries.append(_parse_line(line))
            except ValidationError as exc:
                errors.append(f"第 {number} 行：{'；'.join(exc.messages)}")
        if errors:
            raise ValidationError(errors)
        return entries

    def clean(self):
        data = super().clean()
        kind, entries = data.get("kind"), data.get("lines")
        if kind and entries:
            data["entries"] = [_entry_for(kind, entry) for entry in entries]
        return data


def _parse_line(line: str) -> dict:
    if len(line) > MAX_LINE_LENGTH:
        raise ValidationError(f"一行不能超过 {MAX_LINE_LENGTH} 个字。")
    parts = [part for part in SEPARATORS.split(line) if part]
    if len(parts) < 2:
        raise ValidationError("至少需要姓名和公民身份号码。")
    if len(parts) > 4:
        raise ValidationError("最多四项：姓名、公民身份号码、报到证编号或转递编号、核验编号。")
    name, id_number, *numbers = parts
    if len(name) > NAME_MAX:
        raise ValidationError(f"姓名不能超过 {NAME_MAX} 个字。")
    if any(len(n) > NUMBER_MAX for n in numbers):
        raise ValidationError(f"编号不能超过 {NUMBER_MAX} 个字。")
    check_id_number(id_number)  # ValidationError in Chinese: length, birth date, check digit
    return {"name": name, "id_number": id_number, "numbers": numbers}


def _entry_for(kind: str, entry: dict) -> dict:
    """The numbers of a line as the report-in basis names them."""
    numbers = entry["numbers"]
    values = {"name": entry["name"], "id_number": entry["id_number"], "kind": kind}
    if kind == ReportIn.Kind.CERTIFICATE:
        values["certificate_no"] = numbers[0] if numbers else ""
    elif kind == ReportIn.Kind.DESTINATION_RECORD:
        values["transfer_no"], values["verify_no"] = [*numbers, "", ""][:2]
    return values


class WorklistForm(forms.Form):
    """?mine=1: only the graduates the user is responsible for, and those nobody is."""

    mine = forms.ChoiceField(choices=[("1", "我负责的和未指定的")], required=False)

    def mine_only(self) -> bool:
        return self.is_valid() and self.cleaned_data["mine"] == "1"


class AnswersForm(forms.Form):
    """The unreachable list as the Education side answered it (.xlsx); its cells are checked on loading."""

    file = forms.FileField(
        error_messages={
            "required": "请选择教育部门反馈的名单文件（.xlsx）。",
            "empty": "所选文件是空的，请选择教育部门反馈的名单文件（.xlsx）。",
            "invalid": "请选择教育部门反馈的名单文件（.xlsx）。",
            "max_length": "文件名过长，请改短后再上传。",
        },
        max_length=200,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ROSTER_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise ValidationError(f"文件大小 {upload.size / 1048576:.1f} MB，超过上限 {limit} MB。")
        return upload
