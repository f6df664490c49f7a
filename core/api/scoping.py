"""The data scope through the API: each viewset's queryset comes from the app's selector, already narrowed by
core.scope.scope_for, so an object outside the user's scope is simply not found: 404, never 403 (a caller
cannot tell "elsewhere" from "does not exist", and cannot enumerate other offices' records)."""

from __future__ import annotations

from django.http import Http404

from core.scope import Scope, scope_for

NOT_FOUND = "未找到该记录，或该记录不在您的数据范围内。"


class ScopedViewMixin:
    """Implement `scoped_queryset(user)` with the app's selector; `get_queryset` and `get_object` go through it.
    While drf-spectacular generates the schema there is no user to scope: the class's `queryset` (an empty one,
    for the path parameters' types) stands in when the view declares one."""

    def scoped_queryset(self, user):
        raise NotImplementedError

    def get_queryset(self):
        declared = getattr(self, "queryset", None)
        if getattr(self, "swagger_fake_view", False) and declared is not None:
            return declared
        return self.scoped_queryset(self.request.user)  # type: ignore[attr-defined]

    def get_object(self):
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            raise Http404(NOT_FOUND) from None

    @property
    def scope(self) -> Scope:
        return scope_for(self.request.user)  # type: ignore[attr-defined]


def covers(scope: Scope, *, office_id: int | None = None, university_id: int | None = None) -> bool:
    """Whether SCOPE covers a record held by OFFICE_ID, or a graduate of UNIVERSITY_ID."""
    return scope.covers_office(office_id) or scope.covers_university(university_id)
