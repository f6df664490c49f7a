"""python manage.py import_roster PATH --source {university,education,mohrss,office} [--university CODE_OR_NAME]
--cohort YEAR [--dry-run] [--json]

Exit 0: every row valid; 1: some rows invalid (the valid ones are written unless --dry-run); 2: the file can't
be read at all. --json prints one object: rows, new, updated, unchanged, invalid, errors[{row, column, value,
message}] (row as Excel shows it, column as the file's header).
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from core.commandline import command_user
from core.models import Office, OfficeKind
from graduates.codes import RosterSource
from graduates.models import RosterUpload
from graduates.roster import actions


class Command(BaseCommand):
    help = "Check and import a graduate roster (.xlsx) as the web upload does."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", required=True, choices=RosterSource.values)
        parser.add_argument("--university", help="学校标识码 or name (required with --source university)")
        parser.add_argument("--cohort", required=True, type=int)
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.add_argument(
            "--user", help="the acting user (default: the province's first provincial admin)", default=None
        )

    def handle(self, *args, **options):
        path, source, cohort = options["path"], options["source"], options["cohort"]
        self.as_json = options["json"]
        acting_user = command_user(options["user"])
        uni = self._university(options["university"]) if options["university"] else None
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            return self._refused(f"无法读取文件：{exc.strerror}")
        try:
            upload = actions.create_upload(
                content=content,
                filename=Path(path).name,
                source=source,
                cohort=cohort,
                acting_user=acting_user,
                university=uni,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return self._refused("；".join(messages))
        upload = actions.check_upload(upload)
        if upload.status == RosterUpload.Status.REFUSED:
            return self._refused(upload.message, upload=upload)
        if options["dry_run"]:
            actions.cancel_upload(upload=upload, acting_user=acting_user)
        else:
            upload = actions.commit_upload(upload=upload, acting_user=acting_user)
        self._report(upload)
        if upload.invalid:
            raise SystemExit(1)

    def _university(self, value: str) -> Office:
        found = Office.objects.filter(kind=OfficeKind.UNIVERSITY).filter(Q(school_code=value) | Q(name=value))
        if found.count() != 1:
            raise CommandError(f"no single university with code or name {value!r}")
        return found.get()

    def _result(self, upload: RosterUpload | None) -> dict:
        if upload is None:
            return {"rows": 0, "new": 0, "updated": 0, "unchanged": 0, "invalid": 0, "errors": []}
        return {
            "rows": upload.rows_total,
            "new": upload.new,
            "updated": upload.updated,
            "unchanged": upload.unchanged,
            "invalid": upload.invalid,
            "errors": [
                {"row": e["row"], "column": e["column"], "value": e["value"], "message": e["message"]}
                for e in upload.errors
            ],
        }

    def _report(self, upload: RosterUpload) -> None:
        result = self._result(upload)
        if self.as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"{result['rows']} 行：新增 {result['new']}，更新 {result['updated']}，无变化 {result['unchanged']}，"
            f"有误 {result['invalid']}，与经办修改冲突 {upload.conflicts}。"
        )
        for error in result["errors"]:
            self.stdout.write(
                f"  第 {error['row']} 行 {error['column']}「{error['value']}」：{error['message']}"
            )

    def _refused(self, message: str, upload: RosterUpload | None = None):
        if self.as_json:
            result = self._result(None)
            result["errors"] = [{"row": 0, "column": "", "value": "", "message": message}]
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stderr.write(message)
        raise SystemExit(2)
