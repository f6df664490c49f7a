from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from graduates.demo_data import (
    DEFAULT_BATCH,
    DEFAULT_SEED,
    DEFAULT_VISIT_SHARE,
    BatchProgress,
    default_cohorts,
    generate_graduates,
)
from graduates.models import Graduate


def _cohorts(value: str) -> list[int]:
    try:
        cohorts = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise CommandError(
            f"--cohorts expects years separated by commas, like 2024,2025,2026, not {value!r}"
        ) from None
    if not cohorts or not all(2000 <= c <= 2100 for c in cohorts):
        raise CommandError(f"--cohorts expects years between 2000 and 2100, not {value!r}")
    return cohorts


class Command(BaseCommand):
    help = (
        "Add N generated (never real) graduates to the demo province of Qinghai, with sources and follow-up "
        "visits, written with PostgreSQL COPY. Creates the demo province first if it is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--graduates", type=int, required=True, help="how many graduates to add")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--cohorts",
            type=_cohorts,
            default=None,
            help="comma-separated graduation years (default: the last three, ending with this year: "
            + ",".join(map(str, default_cohorts()))
            + ")",
        )
        parser.add_argument(
            "--visits",
            type=float,
            default=DEFAULT_VISIT_SHARE,
            help=f"share of graduates with 1–2 follow-up visits (default {DEFAULT_VISIT_SHARE})",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help=f"rows per COPY and transaction (default {DEFAULT_BATCH})",
        )
        parser.add_argument(
            "--services",
            type=int,
            default=0,
            help="service entries per generated graduate (default 0; 10 gives 10,000,000 at 1,000,000 graduates)",
        )

    def handle(self, *args, graduates, seed, cohorts, visits, batch, services, **options):
        if not 0 <= services <= 100:
            raise CommandError("--services is a number of entries per graduate between 0 and 100")
        if services and not apps.is_installed("services"):
            raise CommandError("--services needs the services app")
        if graduates < 1:
            raise CommandError("--graduates must be at least 1")
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        if not 0 <= visits <= 1:
            raise CommandError("--visits is a share between 0 and 1, e.g. 0.3")

        def progress(p: BatchProgress) -> None:
            self.stdout.write(
                f"batch {p.batch}/{p.batches}: {p.graduates:,}/{p.total:,} graduates, "
                f"{p.batch_seconds:.1f} s this batch, {p.rows_per_second:,.0f} rows/s overall"
            )

        first_new_id = (Graduate.objects.aggregate(last=Max("id"))["last"] or 0) + 1
        try:
            result = generate_graduates(
                count=graduates,
                seed=seed,
                cohorts=cohorts,
                visit_share=visits,
                batch_size=batch,
                progress=progress,
            )
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.graduates:,} graduates, {result.sources:,} source records and {result.visits:,} visits "
                f"in {result.seconds:.1f} s ({result.rows_per_second:,.0f} graduates/s; "
                f"{result.id_clashes} ID numbers redrawn to stay unique)."
            )
        )
        if services:
            # The service log is a higher layer: reached by its command's name, never imported from here.
            call_command(
                "generate_demo_services",
                per_graduate=services,
                from_id=first_new_id,
                stdout=self.stdout,
            )
