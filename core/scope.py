"""The data-scope rule: what a user may see. Every list, page, export and API goes through `scope_for`.

- provincial admin (the bureau): everything of the province;
- prefecture / county staff: records whose responsible office lies in their office's region subtree;
- university staff: their own university's graduates only;
- Education Dept staff: the graduates of the province's universities (they collect the rosters);
- anybody else (anonymous, inactive, a user without an office): nothing. Superusers without an office: all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Office, OfficeKind, Role, User, region_prefix


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    office_ids: frozenset[int] | None = None  # employment offices whose records are visible
    university_ids: frozenset[int] | None = None  # universities whose own graduates are visible

    def filter(
        self, queryset: QuerySet, *, office_field: str | None = None, university_field: str | None = None
    ) -> QuerySet:
        """Narrow QUERYSET to this scope. Name the model's path to its responsible office and/or university."""
        if self.everything:
            return queryset
        if self.office_ids is not None and office_field:
            return queryset.filter(**{f"{office_field}__in": sorted(self.office_ids)})
        if self.university_ids is not None and university_field:
            return queryset.filter(**{f"{university_field}__in": sorted(self.university_ids)})
        return queryset.none()

    def covers_office(self, office_id: int | None) -> bool:
        return self.everything or (self.office_ids is not None and office_id in self.office_ids)

    def covers_university(self, university_id: int | None) -> bool:
        return self.everything or (self.university_ids is not None and university_id in self.university_ids)


NOTHING = Scope()


def scope_for(user: User | None) -> Scope:
    """The one rule deciding what USER may see; cached on the user object for the length of a request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    setattr(user, "_scope_cache", scope)  # noqa: B010 - a per-request cache, not a model field
    return scope


def _compute_scope(user: User) -> Scope:
    office = user.office
    if office is None:
        return Scope(everything=True) if user.is_superuser else NOTHING
    if not office.is_active:
        return NOTHING
    prefix = region_prefix(office.region_id)
    if user.role in (Role.PROVINCE_ADMIN, Role.PREFECTURE_STAFF, Role.COUNTY_STAFF):
        ids = (
            Office.objects.employment_offices()
            .filter(region__code__startswith=prefix)
            .values_list("id", flat=True)
        )
        return Scope(office_ids=frozenset(ids))
    if user.role == Role.UNIVERSITY_STAFF:
        return Scope(university_ids=frozenset({office.id}))
    if user.role == Role.EDUCATION_STAFF:
        ids = Office.objects.filter(kind=OfficeKind.UNIVERSITY, region__code__startswith=prefix).values_list(
            "id", flat=True
        )
        return Scope(university_ids=frozenset(ids))
    return NOTHING


def visible_offices(user: User) -> QuerySet[Office]:
    """The offices USER may see in lists and filters: their subtree, or their universities."""
    scope = scope_for(user)
    offices = Office.objects.all()
    if scope.everything:
        return offices
    if scope.office_ids is not None:
        return offices.filter(id__in=sorted(scope.office_ids))
    if scope.university_ids is not None:
        return offices.filter(id__in=sorted(scope.university_ids))
    return offices.none()
