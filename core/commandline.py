"""Helpers shared by the management commands (which act as a user, like every page)."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import Role, User


def command_user(username: str | None) -> User:
    """The active user a command acts as: USERNAME, else the first provincial admin."""
    users = User.objects.filter(is_active=True).select_related("office")
    if username:
        found = users.filter(username=username).first()
        if found is None:
            raise CommandError(f"no active user {username!r}")
        return found
    found = users.filter(role=Role.PROVINCE_ADMIN).order_by("pk").first()
    if found is None:
        raise CommandError("no provincial admin exists: create one or pass --user")
    return found
