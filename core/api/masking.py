"""Personal numbers in API answers: masked in lists, full on retrieve for a user whose scope covers the record,
and each full retrieve written to the audit log (core.audit.record_audit), as the record's page does.

A serializer lists its sensitive fields and how to mask them (`MaskedSerializerMixin.masked_fields`); it shows
them in full only when its context says ``{"unmasked": True}``, which `full_retrieve` decides (and audits).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from core.api.audit import mark_audited
from core.audit import record_audit


class MaskedSerializerMixin:
    """`masked_fields`: {field name: mask function}. Masked unless the context carries ``unmasked=True``."""

    masked_fields: dict[str, Callable[[str], str]] = {}

    def to_representation(self, instance):
        data = super().to_representation(instance)  # type: ignore[misc]
        if not self.context.get("unmasked"):  # type: ignore[attr-defined]
            for name, mask in self.masked_fields.items():
                if data.get(name):
                    data[name] = mask(data[name])
        return data


def full_retrieve(request, obj: models.Model, *, covered: bool, action: str) -> bool:
    """Whether REQUEST's user sees OBJ's personal numbers in full (COVERED: their scope covers it); when so, the
    retrieve is audited as ACTION (e.g. "graduate.viewed", the same action as the page), marked as via the API."""
    if not covered:
        return False
    record_audit(action=action, actor=request.user, obj=obj, request=request, data={"via": "api"})
    mark_audited(request)  # not written a second time as api.read
    return True
