"""The machinery of the access matrix (tests/security/test_access_matrix.py): every URL pattern of the project,
each persona of the demo province, an object inside and one outside the personas' scopes."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

PERSONAS = ["anon", "sheng", "xining", "chengdong", "haidong", "jiaoyu", "qhu"]


def url_patterns() -> dict[str, str]:
    """Every named route of the project, name → route (admin's routes under admin:, the API's by its names)."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = namespace + (pattern.name or f"<unnamed:{prefix}{pattern.pattern}>")
                found.setdefault(name, prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "/", "")
    return found


@dataclasses.dataclass
class Rule:
    """METHOD on the route with KWARGS built per object ("A" inside 西宁/城东区 or 青海大学's, "B" inside 海东 or
    another university's; "-" for a route without an object); EXPECT: per object, the status each persona gets,
    in PERSONAS' order, as a string of codes."""

    expect: dict[str, str]
    method: str = "get"
    kwargs: Callable[[dict, str], dict] | None = None
    data: dict | None = None
    content_type: str | None = None
    path: str | None = None  # for an unnamed route: the address to ask


class Rollback(Exception):
    pass


def answer(client, method: str, url: str, data: dict | None, content_type: str | None) -> int:
    """The status of one request, whatever it changed rolled back (a POST that succeeds leaves nothing behind
    for the next persona)."""
    status = 0
    try:
        with transaction.atomic():
            call = getattr(client, method)
            kwargs = {}
            if data is not None:
                kwargs["data"] = data
            if content_type:
                kwargs["content_type"] = content_type
            status = call(url, **kwargs).status_code
            raise Rollback
    except Rollback:
        pass
    return status


UNKNOWN_JOB = str(uuid.UUID(int=0, version=4))
