"""Model fields for ID numbers encrypted at rest (core/crypto.py).

``EncryptedCharField``: Python (forms, templates, serializers, ``values()``) sees the plain number; the column holds
SM4-GCM ciphertext (text). Its ciphertext differs every time, so SQL cannot compare it: ``filter(id_number=…)``,
``__in``, ``order_by`` pieces and the like raise EncryptedLookupError at once instead of silently matching nothing.
Search through the blind index instead: ``BlindIndexField(source="id_number")`` beside it keeps the HMAC of the
number (computed on every save and bulk_create), and ``EncryptedQuerySet.with_id_number(s)`` filters on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import FieldError
from django.db import models

from . import crypto


class EncryptedLookupError(FieldError):
    pass


class _RefusedLookup(models.Lookup):
    def __init__(self, lhs, rhs):
        field = getattr(lhs, "target", None) or getattr(lhs, "field", None)
        name = getattr(field, "name", "id_number")
        raise EncryptedLookupError(
            f"{name} is encrypted at rest: SQL cannot compare it. Filter through its blind index instead "
            f"(.with_{name}(number) / .with_{name}s(numbers), or {name}_digest=crypto.blind_index(number))."
        )


class EncryptedCharField(models.CharField):
    """A CharField (max_length bounds the plain value) stored as SM4-GCM ciphertext in a text column."""

    def db_type(self, connection) -> str:
        return "text"

    def cast_db_type(self, connection) -> str:
        return "text"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return _RefusedLookup

    def get_transform(self, name):
        return None


class BlindIndexField(models.CharField):
    """The keyed HMAC of SOURCE's normalised value (64 hex characters), recomputed whenever the row is saved."""

    def __init__(self, *args, source: str = "id_number", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("default", ""), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = blind_index_or_blank(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def blind_index_or_blank(value) -> str:
    return crypto.blind_index(value) if value else ""


def _blind_index_fields(model) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def with_blind_indexes(model, fields: Iterable[str]) -> list[str]:
    """FIELDS (update_fields of a save, fields of a bulk_update) plus the blind indexes of any source among them."""
    fields = list(fields)
    for index in _blind_index_fields(model):
        if index.source in fields and index.name not in fields:
            fields.append(index.name)
    return fields


_M = TypeVar("_M", bound=models.Model)


class EncryptedQuerySet(models.QuerySet[_M]):
    """Keeps blind indexes in step on update()/bulk_update(); exact search by ID number through the index."""

    def with_id_number(self, number: str):
        return self.filter(id_number_digest=crypto.blind_index(number))

    def with_id_numbers(self, numbers: Iterable[str]):
        return self.filter(id_number_digest__in=sorted({crypto.blind_index(n) for n in numbers}))

    def update(self, **kwargs):
        for index in _blind_index_fields(self.model):
            value = kwargs.get(index.source)
            if index.source in kwargs and index.name not in kwargs:
                if value is not None and not isinstance(value, str):
                    raise EncryptedLookupError(f"{index.source} can only be updated to a plain value.")
                kwargs[index.name] = blind_index_or_blank(value)
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        fields = with_blind_indexes(self.model, fields)
        for index in _blind_index_fields(self.model):
            if index.name in fields:
                for obj in objs:
                    setattr(obj, index.attname, blind_index_or_blank(getattr(obj, index.source)))
        return super().bulk_update(objs, fields, batch_size=batch_size)

    bulk_update.alters_data = True  # type: ignore[attr-defined]


class BlindIndexModelMixin(models.Model):
    """save(update_fields=[…, "id_number"]) writes the blind index too."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = with_blind_indexes(type(self), update_fields)
        super().save(*args, **kwargs)
