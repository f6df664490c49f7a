"""python manage.py refresh_obligations — recompute every graduate's kept obligations (what the hourly task does)."""

from django.core.management.base import BaseCommand

from services.plans import active_standard, refresh_obligations


class Command(BaseCommand):
    help = (
        "Recompute every graduate's obligations under the active service standard (the worklists read them)."
    )

    def handle(self, *args, **options):
        if active_standard() is None:
            self.stdout.write("本省尚未启用服务标准，无需计算。")
            return
        rows = refresh_obligations()
        self.stdout.write(f"已计算服务义务 {rows} 条。")
