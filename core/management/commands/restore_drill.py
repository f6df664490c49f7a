"""python manage.py restore_drill [--dump PATH]: restore a backup into a fresh empty database (created and dropped
here), compare every table's row count and checksum with the backup's manifest; exit 1 on any difference."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, latest_dump, restore_drill


class Command(BaseCommand):
    help = "恢复演练：把备份恢复到一个新建的空数据库，逐表核对行数和校验和，之后删除该数据库；有差异时退出码非零。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--dump", type=Path, default=None, help=f"备份文件（默认 {settings.BACKUP_DIR} 中最新的 .dump）"
        )

    def handle(self, *args, dump=None, **options):
        try:
            path = dump or latest_dump(Path(settings.BACKUP_DIR))
            result = restore_drill(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"备份文件：{result.dump}")
        self.stdout.write(f"演练数据库：{result.database}（已删除）")
        self.stdout.write(f"恢复后：{result.tables} 张表，共 {result.rows} 行。")
        if not result.passed:
            for line in result.differences:
                self.stderr.write(f"  不一致 {line}")
            raise CommandError(f"恢复演练未通过：{len(result.differences)} 处不一致。")
        self.stdout.write(self.style.SUCCESS("恢复演练通过：每张表的行数和校验和都与清单一致。"))
