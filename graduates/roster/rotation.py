"""The roster's encrypted values outside EncryptedCharField columns, re-encrypted by `rotate_field_key`
(registered in GraduatesConfig.ready): the ID number cell of staged invalid rows (kept to download and fix) and
the uploaded files kept in the database, encrypted whole. Each batch its own transaction; resumable."""

from __future__ import annotations

from django.db import transaction

from core import crypto


def rotate_invalid_row_cells(cursor, batch: int) -> int:
    """Set-based per batch: one SELECT of rows whose cell is under another key, one UPDATE … FROM unnest."""
    prefix = crypto.current_prefix()
    total, after_id = 0, 0
    while True:
        with transaction.atomic():
            cursor.execute(
                "SELECT id, data->>'id_number' FROM graduates_rosterrow WHERE id > %s "
                "AND data->>'id_number' ~ '^v[0-9]+:' AND left(data->>'id_number', %s) <> %s ORDER BY id LIMIT %s",
                [after_id, len(prefix), prefix, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return total
            cursor.execute(
                "UPDATE graduates_rosterrow r SET data = jsonb_set(r.data, '{id_number}', to_jsonb(u.value)) "
                "FROM unnest(%s::bigint[], %s::text[]) AS u(id, value) WHERE r.id = u.id",
                [[pk for pk, _ in rows], [crypto.encrypt(crypto.decrypt(value)) for _, value in rows]],
            )
        total += len(rows)
        after_id = rows[-1][0]


def rotate_uploaded_files(cursor, batch: int) -> int:
    """One file at a time (a file can be tens of megabytes), each locked while it is rewritten."""
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
