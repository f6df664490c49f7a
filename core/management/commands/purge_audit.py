"""python manage.py purge_audit [--days N]: delete audit rows past the retention period (audited)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.retention import RetentionTooShort, purge_audit


class Command(BaseCommand):
    help = "删除超过保留期（AUDIT_RETENTION_DAYS，至少 183 天）的审计日志；本次清理本身记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"保留天数（默认 {settings.AUDIT_RETENTION_DAYS}，不少于 183）",
        )

    def handle(self, *args, days=None, **options):
        try:
            result = purge_audit(days=days, source="command")
        except RetentionTooShort as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"已删除 {result.deleted} 条早于 {result.cutoff:%Y-%m-%d %H:%M} 的审计日志（保留 {result.days} 天）。"
        )
