"""python manage.py rotate_field_key: re-encrypt every encrypted column under the current key.

Put the new key first in FIELD_ENCRYPTION_KEY ("2:<new>,1:<old>"), restart the application (new values are written
under version 2 at once), then run this. It walks every EncryptedCharField of every model in batches of --batch-size
rows (one SELECT and one set-based UPDATE per batch, each batch its own transaction), plus the encrypted cells kept
in JSON and files. Resumable: only values still under another key version are work left, so a stopped run simply
runs again. Audited (`crypto.key_rotated`, with the rows re-encrypted per column). When it reports 0 left, the old
key may be removed from FIELD_ENCRYPTION_KEY.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core import crypto
from core.audit import record_audit
from core.rotation import encrypted_columns, registered_rotations


class Command(BaseCommand):
    help = "用当前密钥（FIELD_ENCRYPTION_KEY 的第一个）重新加密全部公民身份号码；分批进行，可中断后重跑，记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=crypto.BATCH, help="每批行数（默认 5000）")

    def handle(self, *args, batch_size: int, **options):
        crypto.reset_keys()
        batch_size = max(1, min(batch_size, 100_000))
        version = crypto.key_ring().current
        done: dict[str, int] = {}
        with connection.cursor() as cursor:
            for table, column in encrypted_columns():
                name = f"{table}.{column}"
                left = crypto.rows_to_convert(cursor, table=table, column=column, direction="rotate")
                self.stdout.write(f"{name}：{left} 行待重新加密为密钥版本 {version}")
                after_id, total = 0, 0
                while True:
                    with transaction.atomic():
                        after_id, count = crypto.convert_batch(
                            cursor,
                            table=table,
                            column=column,
                            direction="rotate",
                            after_id=after_id,
                            batch=batch_size,
                        )
                    if not count:
                        break
                    total += count
                    self.stdout.write(f"  {name}：{total}/{left}")
                done[name] = total
            for name, rotate in registered_rotations().items():
                done[name] = rotate(cursor, batch_size)
                self.stdout.write(f"{name}：{done[name]} 个值已重新加密")
        record_audit(action="crypto.key_rotated", data={"key_version": version, "rows": done})
        self.stdout.write(f"完成：共重新加密 {sum(done.values())} 个值，当前密钥版本 {version}，剩余 0。")
