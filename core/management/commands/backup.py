"""python manage.py backup [--out DIR]: a consistent pg_dump (custom format) and its manifest of row counts and
checksums (core/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "备份数据库：pg_dump（自定义格式，同一快照）及清单（每张表的行数和校验和）。"

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None, help=f"输出目录（默认 {settings.BACKUP_DIR}）")

    def handle(self, *args, out=None, **options):
        try:
            backup = write_backup(out or Path(settings.BACKUP_DIR))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"备份文件：{backup.dump}")
        self.stdout.write(f"清单文件：{backup.manifest}")
        self.stdout.write(self.style.SUCCESS(f"已备份 {backup.tables} 张表，共 {backup.rows} 行。"))
