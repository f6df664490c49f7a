"""Uploaded roster files (kept in the database, full of ID numbers) encrypted at rest, one file at a time."""

from django.db import migrations

from core import crypto


def encrypt_files(apps, schema_editor):
    _convert(schema_editor, crypto.encrypt_bytes, encrypted=False)


def decrypt_files(apps, schema_editor):
    _convert(schema_editor, crypto.decrypt_bytes, encrypted=True)


def _convert(schema_editor, convert, *, encrypted: bool):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, substring(content from 1 for 8) FROM graduates_rosterupload ORDER BY id")
        ids = [pk for pk, content in cursor.fetchall() if _is_encrypted(bytes(content)) is encrypted]
        for pk in ids:
            cursor.execute("SELECT content FROM graduates_rosterupload WHERE id = %s", [pk])
            (content,) = cursor.fetchone()
            cursor.execute(
                "UPDATE graduates_rosterupload SET content = %s WHERE id = %s", [convert(bytes(content)), pk]
            )


def _is_encrypted(content: bytes) -> bool:
    return crypto.PREFIX.match(content[:7].decode("ascii", "replace")) is not None


class Migration(migrations.Migration):
    dependencies = [("graduates", "0016_encrypt_id_number")]

    operations = [migrations.RunPython(encrypt_files, decrypt_files, elidable=False)]
