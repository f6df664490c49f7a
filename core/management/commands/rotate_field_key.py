"""python manage.py rotate_field_key: re-encrypt every encrypted column under the current key.

Put the new key first in FIELD_ENCRYPTION_KEY ("2:<new>,1:<old>"), restart the application (new values are written
under version 2 at once), then run this. It walks every EncryptedCharField of every model in batches of --batch-size
rows (one SELECT and one set-based UPDATE per batch, each batch its own transaction), plus the encrypted cells kept
in JSON and files. Resumable: only values still under another key version are work left, so a stopped run simply
runs again. Audited (`crypto.key_rotated`, with the rows re-encrypted per column). When it reports 0 left, the old
key may be removed from FIELD_ENCRYPTION_KEY.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core import crypto
from core.audit import record_audit
from core.fields import EncryptedCharField


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every EncryptedCharField."""
    return sorted(
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    )


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
            done["graduates_rosterrow.data"] = self._rotate_json_cells(cursor)
            done["graduates_rosterupload.content"] = self._rotate_files(cursor)
        record_audit(action="crypto.key_rotated", data={"key_version": version, "rows": done})
        self.stdout.write(f"完成：共重新加密 {sum(done.values())} 个值，当前密钥版本 {version}，剩余 0。")

    def _rotate_json_cells(self, cursor) -> int:
        """The ID number cell of staged invalid roster rows (kept to download and fix)."""
        prefix = crypto.current_prefix()
        cursor.execute(
            "SELECT id, data->>'id_number' FROM graduates_rosterrow WHERE data->>'id_number' ~ '^v[0-9]+:' "
            "AND left(data->>'id_number', %s) <> %s",
            [len(prefix), prefix],
        )
        rows = cursor.fetchall()
        with transaction.atomic():
            for pk, value in rows:
                cursor.execute(
                    "UPDATE graduates_rosterrow SET data = jsonb_set(data, '{id_number}', to_jsonb(%s::text)) "
                    "WHERE id = %s",
                    [crypto.encrypt(crypto.decrypt(value)), pk],
                )
        return len(rows)

    def _rotate_files(self, cursor) -> int:
        """Uploaded roster files kept in the database (encrypted whole), one file at a time."""
        prefix = crypto.current_prefix().encode("ascii")
        cursor.execute(
            "SELECT id FROM graduates_rosterupload WHERE substring(content from 1 for 1) = 'v'::bytea "
            "AND substring(content from 1 for %s) <> %s ORDER BY id",
            [len(prefix), prefix],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        for pk in ids:
            with transaction.atomic():
                cursor.execute("SELECT content FROM graduates_rosterupload WHERE id = %s FOR UPDATE", [pk])
                (content,) = cursor.fetchone()
                cursor.execute(
                    "UPDATE graduates_rosterupload SET content = %s WHERE id = %s",
                    [crypto.encrypt_bytes(crypto.decrypt_bytes(bytes(content))), pk],
                )
        return len(ids)
