"""The pages' django-filter filter sets through the API: they take the user (their choices follow the scope)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend


class UserFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend for filter sets whose __init__ takes ``user=`` (graduates.filters.GraduateFilter)."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}
