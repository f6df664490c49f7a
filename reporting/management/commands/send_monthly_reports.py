"""python manage.py send_monthly_reports --month YYYY-MM [--json]

Runs what the monthly schedule runs (reporting.mail.monthly_tables → reporting.mail.actions.send_monthly_tables):
the month's tables mailed to every office's report recipients, each mail once; a second run sends nothing."""

import datetime
import json
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reporting import selectors
from reporting.mail import actions


class Command(BaseCommand):
    help = "生成某月的离校未就业高校毕业生信息汇总表并发送给各机构的报表收件人（已发送的不再发送）。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="报表月份 YYYY-MM")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def _refuse(self, message: str):
        self.stderr.write(message)
        raise SystemExit(2)

    def handle(self, *args, **options):
        match = re.fullmatch(r"(\d{4})-(\d{2})", options["month"] or "")
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise CommandError("--month 应为 YYYY-MM，例如 2025-09。")
        month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
        with translation.override("zh-hans"):
            try:
                counts = actions.send_monthly_tables(month=month)
            except selectors.ReportingWindowError as error:
                self._refuse(str(error))
        if options["json"]:
            self.stdout.write(json.dumps(counts.as_dict()))
        else:
            self.stdout.write(
                f"已发送 {counts.sent} 封，跳过（已发送过）{counts.skipped} 封，失败 {counts.failed} 封。"
            )
