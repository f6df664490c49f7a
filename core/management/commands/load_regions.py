"""`python manage.py load_regions`: (re)load the GB/T 2260 region tree; safe to run any time."""

from django.core.management.base import BaseCommand

from core.regions import load_regions


class Command(BaseCommand):
    help = "Load or update core.Region from python-stdnum's GB/T 2260 table plus core/data/gb2260_supplement.csv."

    def handle(self, *args, **options):
        # load_regions prints its own one-line summary (created / updated / total).
        load_regions(stdout=self.stdout)
