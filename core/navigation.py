"""The navigation by role, and the home page's 'waiting for you' counters.

Apps register their entries in `AppConfig.ready()`, so the core shows a page only once the app that serves it
exists (no dead links) and never imports a domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse

from .models import Role, User


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 100


@dataclass(frozen=True)
class WaitingCounter:
    """A count of work waiting for a user (e.g. graduates not yet contacted) with the page that lists it."""

    label: str
    url_name: str
    roles: frozenset[str]
    count: Callable[[User], int]
    order: int = 100
    query: str = ""  # e.g. "state=waiting": the list filtered to exactly what is counted


_NAV: list[NavItem] = []
_COUNTERS: list[WaitingCounter] = []

ALL_ROLES = frozenset(Role.values)


def register_nav(*, label: str, url_name: str, roles: Iterable[str] = ALL_ROLES, order: int = 100) -> None:
    item = NavItem(label=label, url_name=url_name, roles=frozenset(roles), order=order)
    if item not in _NAV:
        _NAV.append(item)


def register_counter(
    *,
    label: str,
    url_name: str,
    count: Callable[[User], int],
    roles: Iterable[str] = ALL_ROLES,
    order: int = 100,
    query: str = "",
) -> None:
    if any(c.label == label and c.url_name == url_name for c in _COUNTERS):
        return
    _COUNTERS.append(
        WaitingCounter(
            label=label, url_name=url_name, roles=frozenset(roles), count=count, order=order, query=query
        )
    )


def _role_of(user: User) -> str:
    if user.role:
        return user.role
    return Role.PROVINCE_ADMIN if user.is_superuser else ""


def nav_for(user: User) -> list[dict]:
    role = _role_of(user)
    items = sorted((i for i in _NAV if role in i.roles), key=lambda i: i.order)
    return [{"label": i.label, "url": reverse(i.url_name), "url_name": i.url_name} for i in items]


def waiting_work_for(user: User) -> list[dict]:
    role = _role_of(user)
    counters = sorted((c for c in _COUNTERS if role in c.roles), key=lambda c: c.order)
    return [
        {
            "label": c.label,
            "url": reverse(c.url_name) + (f"?{c.query}" if c.query else ""),
            "count": c.count(user),
        }
        for c in counters
    ]
