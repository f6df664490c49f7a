"""python manage.py export_monthly_report --month YYYY-MM [--cohort YEAR] [--office REGION_CODE] --out PATH [--json]"""

import datetime
import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting import actions, selectors


class Command(BaseCommand):
    help = "生成并保存某月的离校未就业高校毕业生信息汇总表（.xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="报表月份 YYYY-MM")
        parser.add_argument("--cohort", type=int, help="届别；默认为报送期包含该月的届别")
        parser.add_argument("--office", help="6 位区划代码；默认全省")
        parser.add_argument("--out", required=True, help="输出文件路径")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def _refuse(self, message: str):
        self.stderr.write(message)
        raise SystemExit(2)

    def handle(self, *args, **options):
        match = re.fullmatch(r"(\d{4})-(\d{2})", options["month"] or "")
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise CommandError("--month 应为 YYYY-MM，例如 2025-09。")
        month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
        cohort = options["cohort"] or selectors.cohort_for_month(month)
        if cohort is None:
            self._refuse("7月不属于任何届别的报送期（8月至次年6月），请用 --cohort 指定届别。")
        office = None
        if options["office"]:
            if not re.fullmatch(r"\d{6}", options["office"]):
                self._refuse("--office 应为 6 位区划代码。")
            office = selectors.employment_office_by_code(options["office"])
            if office is None:
                self._refuse(f"区划代码 {options['office']} 没有对应的就业服务机构。")
        try:
            snapshot = actions.generate_monthly_snapshot(cohort=cohort, month=month, office=office, user=None)
        except selectors.ReportingWindowError as error:
            self._refuse(str(error))
        path = Path(options["out"])
        path.write_bytes(bytes(snapshot.content))
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "rows": snapshot.row_count,
                        "sha256": snapshot.sha256,
                        "path": str(path),
                        "snapshot": snapshot.pk,
                    }
                )
            )
        else:
            self.stdout.write(
                f"已生成 {path}（{snapshot.row_count} 行，快照 #{snapshot.pk} 第 {snapshot.version} 版）"
            )
