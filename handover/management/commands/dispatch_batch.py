"""python manage.py dispatch_batch (--batch ID | --latest) [--json]

Dispatches a batch as the bureau would. --json prints {"dispatched": N, "unassigned": N, "kept": N,
"by_office": {"630100": N, ...}} (kept: signed graduates not dispatched; by_office keyed by the receiving office's
6-digit region code). Running it again on the same batch dispatches 0.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import Role, User
from handover.batches.actions import dispatch_batch, latest_batch
from handover.models import HandoverBatch


class Command(BaseCommand):
    help = "Dispatch a handover batch to the offices of the graduates' origins."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--batch", type=int)
        which.add_argument("--latest", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--user", default=None, help="the acting user (default: the first provincial admin)"
        )

    def handle(self, *args, **options):
        try:
            batch = latest_batch() if options["latest"] else HandoverBatch.objects.get(pk=options["batch"])
        except HandoverBatch.DoesNotExist:
            raise CommandError(f"no batch {options['batch']}") from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(username=options["user"]).first()
            if options["user"]
            else users.filter(role=Role.PROVINCE_ADMIN).order_by("pk").first()
        )
        if user is None:
            raise CommandError("no acting user: create a provincial admin or pass --user")
        result = dispatch_batch(batch=batch, acting_user=user)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(
                f"批次 {batch.pk}：分发 {result.dispatched} 名，待分配 {result.unassigned} 名，"
                f"已签约不分发 {result.kept} 名。"
            )
            for code, count in result.by_office.items():
                self.stdout.write(f"  {code}: {count}")
