from django.core.management.base import BaseCommand, CommandError

from core.commandline import command_user
from services.demo_data import DEFAULT_BLOCK, generate_service_entries


class Command(BaseCommand):
    help = (
        "Add N generated service entries for every graduate (whose id is ≥ --from-id) who has graduated, "
        "set-based, for demo and benchmark databases (10,000,000 entries at 1,000,000 graduates: --per-graduate 10). "
        "Run refresh_obligations afterwards for the worklists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--per-graduate", type=int, required=True, help="entries per graduate")
        parser.add_argument("--from-id", type=int, default=0, help="only graduates whose id is at least this")
        parser.add_argument(
            "--block",
            type=int,
            default=DEFAULT_BLOCK,
            help=f"graduates per statement (default {DEFAULT_BLOCK})",
        )

    def handle(self, *args, per_graduate, from_id, block, **options):
        if not 1 <= per_graduate <= 100:
            raise CommandError("--per-graduate must be between 1 and 100")
        if block < 1:
            raise CommandError("--block must be at least 1")
        user = command_user(None)

        def progress(written: int, seconds: float) -> None:
            self.stdout.write(f"{written:,} service entries, {seconds:.1f} s")

        result = generate_service_entries(
            per_graduate=per_graduate, acting_user=user, from_id=from_id, block=block, progress=progress
        )
        self.stdout.write(
            self.style.SUCCESS(f"{result.entries:,} service entries in {result.seconds:.1f} s.")
        )
