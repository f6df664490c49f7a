"""python manage.py service_plans --as-of YYYY-MM-DD [--standard qinghai|mohrss|jilin] [--office REGION_CODE] --json

Every graduate's service plan on a day under a standard (default: the province's active one), for the whole
province or one office's subtree (by its 6-digit region code, 630100 = 西宁). --json prints exactly
{"as_of", "standard", "graduates": [{"id_number", "obligations": [{"service", "required", "done", "due",
"state"}]}], "summary": {"met", "late", "due", "overdue", "closed"}}: one entry per graduate with at least one
obligation, "service" the Chinese label, the summary counting obligations.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from core.models import Office, region_prefix
from services.models import ServiceStandard
from services.plans import PlanScope, active_standard, plans_json


class Command(BaseCommand):
    help = "Print every graduate's service plan on a day (obligations, due dates, states) and the summary."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="the day, YYYY-MM-DD")
        parser.add_argument("--standard", default=None, help="a standard's code (default: the active one)")
        parser.add_argument("--office", default=None, help="an office's 6-digit region code (default: all)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            as_of = datetime.date.fromisoformat(options["as_of"].strip())
        except ValueError:
            raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {options['as_of']!r}") from None
        if options["standard"]:
            standard = ServiceStandard.objects.filter(code=options["standard"].strip()).first()
            if standard is None:
                codes = ", ".join(ServiceStandard.objects.values_list("code", flat=True))
                raise CommandError(f"no standard {options['standard']!r} (known: {codes})")
        else:
            standard = active_standard()
            if standard is None:
                raise CommandError("the province has no active service standard: pass --standard")
        scope = PlanScope()
        if options["office"]:
            code = options["office"].strip()
            if Office.objects.employment_office_of(code) is None:
                raise CommandError(f"no employment office for region code {code!r}")
            scope = PlanScope(
                office_ids=list(
                    Office.objects.employment_offices()
                    .filter(region__code__startswith=region_prefix(code))
                    .values_list("id", flat=True)
                )
            )
        document = plans_json(standard=standard, as_of=as_of, scope=scope)
        if options["json"]:
            self.stdout.write(json.dumps(document, ensure_ascii=False))
            return
        self.stdout.write(
            f"{standard}，截至 {as_of:%Y-%m-%d}：{len(document['graduates'])} 名毕业生有服务义务"
        )
        labels = {
            "met": "按期完成",
            "late": "逾期完成",
            "due": "待完成",
            "overdue": "已逾期",
            "closed": "已终止",
        }
        self.stdout.write("，".join(f"{labels[k]} {v}" for k, v in document["summary"].items()))
