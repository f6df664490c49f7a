"""python manage.py import_services PATH --office REGION_CODE [--user USERNAME] [--dry-run] [--json]

Load an office's service ledger (台账, .xlsx). Exit 0: every row valid; 1: some rows invalid (the valid ones are
logged unless --dry-run); 2: the file can't be read. --json prints exactly {"rows", "logged", "duplicates",
"invalid", "errors": [{"row", "column", "value", "message"}]} (row as Excel shows it, column as the file's header;
with --dry-run the counts say what would be logged).
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from core.commandline import command_user
from core.models import Office
from services.ledger import LedgerReport, import_ledger


class Command(BaseCommand):
    help = "Check and load an office's service ledger (.xlsx) as the web upload does."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--office", required=True, help="the office by its 6-digit region code (630100 = 西宁)"
        )
        parser.add_argument(
            "--user", default=None, help="the acting user (default: the province's first provincial admin)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check only; log nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")

    def handle(self, *args, **options):
        self.as_json = options["json"]
        office = self._office(options["office"])
        acting_user = command_user(options["user"])
        try:
            content = Path(options["path"]).read_bytes()
        except OSError as exc:
            return self._refused(f"无法读取文件：{exc.strerror}")
        try:
            report = import_ledger(
                content=content, office=office, acting_user=acting_user, dry_run=options["dry_run"]
            )
        except PermissionDenied as exc:
            return self._refused(str(exc))
        if report.file_error:
            return self._refused(report.file_error)
        self._report(report)
        if report.invalid:
            raise SystemExit(1)

    def _office(self, code: str) -> Office:
        found = Office.objects.employment_office_of(code.strip())
        if found is None or not found.is_active:
            raise CommandError(f"no single active employment office for region code {code!r}")
        return found

    def _report(self, report: LedgerReport) -> None:
        if self.as_json:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
            return
        verb = "可记录" if report.dry_run else "已记录"
        self.stdout.write(
            f"{report.rows} 行：{verb} {report.logged}，重复 {report.duplicates}，有误 {report.invalid}。"
            + ("（只检查，未记录）" if report.dry_run else "")
        )
        for error in report.errors:
            self.stdout.write(
                f"  第 {error['row']} 行 {error['column']}「{error['value']}」：{error['message']}"
            )

    def _refused(self, message: str):
        if self.as_json:
            result = LedgerReport().as_json()
            result["errors"] = [{"row": 0, "column": "", "value": "", "message": message}]
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stderr.write(message)
        raise SystemExit(2)
