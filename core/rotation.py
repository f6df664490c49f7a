"""What `manage.py rotate_field_key` re-encrypts: every EncryptedCharField column (found in the models), and the
values each app keeps encrypted elsewhere (JSON cells, whole files), which that app registers from its
AppConfig.ready() — core names no other app's tables."""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps

from .fields import EncryptedCharField

# (cursor, batch size) -> values re-encrypted under the current key; resumable: only values under another key
# version are work left.
Rotation = Callable[..., int]

_rotations: dict[str, Rotation] = {}


def register_rotation(name: str, rotate: Rotation) -> None:
    """NAME ("table.column") is re-encrypted by ROTATE(cursor, batch) when the key rotates."""
    _rotations[name] = rotate


def registered_rotations() -> dict[str, Rotation]:
    return dict(sorted(_rotations.items()))


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every EncryptedCharField."""
    return sorted(
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    )
