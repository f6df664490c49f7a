"""The one way to write the audit log.

The table is append-only in PostgreSQL itself (trigger of core/migrations/0004): rows are inserted, never updated;
only the retention job (`core.retention.purge_audit`) deletes, and only rows past the retention period.

Also here, connected at start-up (core.signals imports this module): the receivers that audit changes of users'
role, office, status, groups and permissions wherever they happen (admin, shell, commands), and the middleware
that tells them who is acting (`AuditRequestMiddleware`)."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import Group
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from .crypto import mask_id_numbers_in
from .models import AuditEvent, OfficeKind, User

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)

# Filters stored with an export: each value bounded, never more than this many keys.
MAX_FILTERS = 20
MAX_FILTER_LENGTH = 100


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def current_request():
    """The request being served on this thread (set by AuditRequestMiddleware), or None (commands, workers)."""
    return _current_request.get()


class AuditRequestMiddleware:
    """Makes the request known to audit rows written far from the view (signals on users and groups)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


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


def scope_label(user: User | None) -> str:
    """The user's data scope in words, for export rows: 全省, or the office's area, or the university."""
    from .scope import scope_for

    scope = scope_for(user)
    if scope.everything:
        return "全省"
    office = getattr(user, "office", None)
    if office is None:
        return "无"
    if office.kind == OfficeKind.BUREAU:
        return "全省"
    if scope.university_ids is not None and scope.office_ids is None:
        return f"{office.name}（{len(scope.university_ids)} 所院校）"
    return f"{office.name}辖区"


def clean_filters(filters: Mapping[str, Any] | None) -> dict[str, str]:
    """The query parameters an export was asked with, bounded (the audit row is no place for a long text)."""
    if not filters:
        return {}
    getlist = getattr(filters, "getlist", None)
    cleaned: dict[str, str] = {}
    for key in list(filters)[:MAX_FILTERS]:
        if key in {"csrfmiddlewaretoken", "purpose"}:
            continue
        value = ",".join(getlist(key)) if getlist is not None else str(filters[key])
        # An ID number or a mobile number typed as a filter is never kept in clear (core/crypto.py).
        cleaned[str(key)[:MAX_FILTER_LENGTH]] = _MOBILE_IN_TEXT.sub(
            r"\1****\2", mask_id_numbers_in(value[:MAX_FILTER_LENGTH])
        )
    return cleaned


_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def record_export(
    *,
    action: str,
    request=None,
    actor: User | None = None,
    obj: models.Model | None = None,
    rows: int,
    purpose: str = "",
    filters: Mapping[str, Any] | None = None,
    scope: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """One export or download of personal data: who (actor, office), scope, filters, row count, stated purpose."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if filters is None and request is not None:
        filters = request.GET
    return record_audit(
        action=action,
        actor=actor,
        obj=obj,
        request=request,
        data={
            **(data or {}),
            "rows": rows,
            "purpose": purpose,
            "scope": scope if scope is not None else scope_label(actor),
            "filters": clean_filters(filters),
        },
    )


# --- users' role, office, status, groups and permissions -----------------------------------------------------

TRACKED_USER_FIELDS = ("role", "office_id", "is_active", "is_staff", "is_superuser")


def _acting() -> tuple[User | None, Any]:
    request = current_request()
    user = getattr(request, "user", None)
    return (user if user is not None and user.is_authenticated else None), request


def _values(user: User) -> dict[str, Any]:
    return {field: getattr(user, field) for field in TRACKED_USER_FIELDS}


@receiver(pre_save, sender=User, dispatch_uid="audit_user_before")
def _user_before(sender, instance: User, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {f.removesuffix("_id") for f in TRACKED_USER_FIELDS} & {
        f.removesuffix("_id") for f in update_fields
    }:
        return  # e.g. last_login at each login: nothing tracked can change
    before = User.objects.filter(pk=instance.pk).values(*TRACKED_USER_FIELDS).first()
    instance._audit_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="audit_user_after")
def _user_after(sender, instance: User, created: bool, raw=False, **kwargs):
    if raw:
        return
    actor, request = _acting()
    after = _values(instance)
    if created:
        record_audit(action="user.created", actor=actor, obj=instance, request=request, data=after)
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None  # type: ignore[attr-defined]
    if not before:
        return
    changes = {
        field: [before[field], after[field]] for field in TRACKED_USER_FIELDS if before[field] != after[field]
    }
    if changes:
        record_audit(action="user.changed", actor=actor, obj=instance, request=request, data=changes)


@receiver(post_delete, sender=User, dispatch_uid="audit_user_deleted")
def _user_deleted(sender, instance: User, **kwargs):
    actor, request = _acting()
    record_audit(
        action="user.deleted",
        actor=actor,
        request=request,
        data={"user": instance.pk, "username": instance.username},
    )


def _names(model, pk_set) -> list[str]:
    if not pk_set:
        return []
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    if model is User:
        return sorted(User.objects.filter(pk__in=pk_set).values_list("username", flat=True))
    return sorted(
        f"{app}.{codename}"
        for app, codename in model.objects.filter(pk__in=pk_set).values_list(
            "content_type__app_label", "codename"
        )
    )


def _m2m_audit(action_name: str, owner_model):
    """A receiver auditing adds to and removals from one many-to-many relation, whichever side it is changed from."""

    def handler(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action == "pre_clear":
            # the cleared members are known only before the clear
            related = getattr(instance, _m2m_audit.attrs[(sender, reverse)])
            instance._audit_cleared = set(related.values_list("pk", flat=True))
            return
        if action not in {"post_add", "post_remove", "post_clear"}:
            return
        if action == "post_clear":
            pk_set = getattr(instance, "_audit_cleared", set())
        if not pk_set:
            return
        key = "added" if action == "post_add" else "removed"
        actor, request = _acting()
        if not reverse:
            record_audit(
                action=action_name,
                actor=actor,
                obj=instance,
                request=request,
                data={key: _names(model, pk_set)},
            )
            return
        # changed from the other side (group.user_set.add(...)): one row per owner whose members changed
        for owner in owner_model.objects.filter(pk__in=pk_set):
            record_audit(
                action=action_name,
                actor=actor,
                obj=owner,
                request=request,
                data={key: _names(type(instance), {instance.pk})},
            )

    return handler


_m2m_audit.attrs = {  # type: ignore[attr-defined]
    (User.groups.through, False): "groups",
    (User.groups.through, True): "user_set",
    (User.user_permissions.through, False): "user_permissions",
    (User.user_permissions.through, True): "user_set",
    (Group.permissions.through, False): "permissions",
    (Group.permissions.through, True): "group_set",
}

m2m_changed.connect(
    _m2m_audit("user.groups_changed", User),
    sender=User.groups.through,
    dispatch_uid="audit_groups",
    weak=False,
)
m2m_changed.connect(
    _m2m_audit("user.permissions_changed", User),
    sender=User.user_permissions.through,
    dispatch_uid="audit_user_permissions",
    weak=False,
)
m2m_changed.connect(
    _m2m_audit("group.permissions_changed", Group),
    sender=Group.permissions.through,
    dispatch_uid="audit_group_permissions",
    weak=False,
)
