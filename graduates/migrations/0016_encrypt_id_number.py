"""ID numbers encrypted at rest (SM4-GCM, core/crypto.py), searched through a keyed blind index.

Expand, migrate, contract in one migration: the digest column is added, the id_number column becomes text, the
existing rows are encrypted in batches of 5,000 (set-based UPDATE per batch), then the one-per-ID-and-cohort rule
moves onto (digest, cohort). Reversible: backwards decrypts every row again (the keys must still be configured).
The field history keeps ID numbers only masked (630102********1234), which cannot be reversed.
"""

import json

from django.db import migrations, models

import core.fields
from core import crypto

TABLES = ["graduates_graduate", "graduates_rosterrow"]


def encrypt_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            crypto.convert_column(
                cursor, table=table, column="id_number", digest_column="id_number_digest", direction="encrypt"
            )
        # A staged invalid row keeps its original cells (to download and fix): the ID number cell encrypted.
        cursor.execute(
            "SELECT id, data->>'id_number' FROM graduates_rosterrow "
            "WHERE data ? 'id_number' AND data->>'id_number' <> '' AND data->>'id_number' !~ '^v[0-9]+:'"
        )
        for pk, value in cursor.fetchall():
            cursor.execute(
                "UPDATE graduates_rosterrow SET data = jsonb_set(data, '{id_number}', to_jsonb(%s::text)) "
                "WHERE id = %s",
                [crypto.encrypt(value), pk],
            )
        mask_history(cursor)


def mask_history(cursor):
    from graduates.checks import mask_id_number

    cursor.execute(
        "SELECT id, changes->'id_number' FROM graduates_graduatechange WHERE changes ? 'id_number'"
    )
    for pk, pair in cursor.fetchall():
        if isinstance(pair, str):  # Django's connection hands jsonb over as text
            pair = json.loads(pair)
        masked = [mask_id_number(v) if isinstance(v, str) and "*" not in v else v for v in pair or []]
        cursor.execute(
            "UPDATE graduates_graduatechange SET changes = jsonb_set(changes, '{id_number}', %s::jsonb) "
            "WHERE id = %s",
            [json.dumps(masked), pk],
        )


def decrypt_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            crypto.convert_column(
                cursor, table=table, column="id_number", digest_column="id_number_digest", direction="decrypt"
            )
        cursor.execute(
            "SELECT id, data->>'id_number' FROM graduates_rosterrow WHERE data->>'id_number' ~ '^v[0-9]+:'"
        )
        for pk, value in cursor.fetchall():
            cursor.execute(
                "UPDATE graduates_rosterrow SET data = jsonb_set(data, '{id_number}', to_jsonb(%s::text)) "
                "WHERE id = %s",
                [crypto.decrypt(value), pk],
            )


class Migration(migrations.Migration):
    dependencies = [("graduates", "0015_self_registration")]

    operations = [
        migrations.RemoveConstraint(model_name="graduate", name="graduate_one_per_id_and_cohort"),
        migrations.AddField(
            model_name="graduate",
            name="id_number_digest",
            field=core.fields.BlindIndexField(source="id_number", verbose_name="公民身份号码索引"),
        ),
        migrations.AddField(
            model_name="rosterrow",
            name="id_number_digest",
            field=core.fields.BlindIndexField(source="id_number"),
        ),
        migrations.AlterField(
            model_name="graduate",
            name="id_number",
            field=core.fields.EncryptedCharField(max_length=18, verbose_name="公民身份号码"),
        ),
        migrations.AlterField(
            model_name="rosterrow",
            name="id_number",
            field=core.fields.EncryptedCharField(blank=True, max_length=18),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AddConstraint(
            model_name="graduate",
            constraint=models.UniqueConstraint(
                fields=("id_number_digest", "cohort"), name="graduate_one_per_id_and_cohort"
            ),
        ),
    ]
