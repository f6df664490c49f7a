"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent, User


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_audit(
    *,
    action: str,
    actor: User | None = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request=None,
) -> AuditEvent:
    """Append one audit row. Call it inside the action's transaction so the row lands with the change."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        office_id=getattr(actor, "office_id", None),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=_client_ip(request),
        data=data or {},
    )
