"""Reads for the January feedback to universities (青人社厅函〔2017〕490号 §二: "次年1月底前，省就业服务局将上年度
省属院校未就业应届毕业生就业服务情况反馈省教育厅学生工作管理办公室，省教育厅学生工作管理办公室反馈各院校").

Cohort N's feedback opens on 1 January N+1 and is due by 31 January N+1. A university's graduates are the records
of cohort N whose 毕业院校 is that university: the record's university link (set from the university's own roster
or from the name on the Education Dept's list), else — for records an office registered by hand, which carry only
the name — the university whose name the record's 毕业院校 spells exactly. Services are the ones not voided;
就业去向 is the one of the latest follow-up visit that found one. Everything as of the moment of the request.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, JSONObject

from core.models import Office, OfficeKind, Role, User
from core.scope import scope_for
from graduates.models import FollowUpVisit, Graduate
from services.models import ServiceEntry

# Cohorts a user may ask for (the form's bounds; a later one is simply not open yet).
FIRST_COHORT = 2000
LAST_COHORT = 2100

ROW_FIELDS = (
    "id", "name", "gender", "id_number", "education", "major", "graduation_date", "state",
    "responsible_office__name", "services", "latest_visit", "one_on_one__started_on", "one_on_one__office__name",
)  # fmt: skip


def default_cohort(today: datetime.date) -> int:
    """The cohort whose feedback is due this January or was due last: in January 2027 (and all through 2027) 2026."""
    return today.year - 1


def opens_on(cohort: int) -> datetime.date:
    return datetime.date(cohort + 1, 1, 1)


def due_on(cohort: int) -> datetime.date:
    return datetime.date(cohort + 1, 1, 31)


def is_open(cohort: int, today: datetime.date) -> bool:
    """Cohort N's services are reported back once its year is over: from 1 January N+1."""
    return today >= opens_on(cohort)


def may_see_feedback(user: User) -> bool:
    """Universities (their own), the Education Dept and the bureau (every university of the province)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.office is None:
        return user.is_superuser
    return user.office.is_active and user.role in (
        Role.UNIVERSITY_STAFF,
        Role.EDUCATION_STAFF,
        Role.PROVINCE_ADMIN,
    )


def feedback_universities(user: User) -> QuerySet[Office]:
    """The universities whose feedback USER may download: a university its own; the Education Dept the ones its
    scope covers (the province's); the bureau every university of the province; anybody else none."""
    universities = Office.objects.filter(kind=OfficeKind.UNIVERSITY, is_active=True).order_by(
        "region_id", "name"
    )
    if not may_see_feedback(user):
        return universities.none()
    if user.office is None or user.role == Role.PROVINCE_ADMIN:
        return universities.filter(region__code__startswith=str(settings.PROVINCE_CODE))
    scope = scope_for(user)
    if scope.university_ids is None:
        return universities.none()
    return universities.filter(pk__in=sorted(scope.university_ids))


def _graduates_of(cohort: int, universities: list[Office]) -> QuerySet[Graduate]:
    """Cohort COHORT's records linked to one of UNIVERSITIES, or unlinked and naming one of them exactly."""
    ids = [u.pk for u in universities]
    names = [u.name for u in universities]
    return Graduate.objects.filter(
        Q(university_id__in=ids) | Q(university__isnull=True, university_name__in=names), cohort=cohort
    )


def _university_of_record():
    """The university a record belongs to: its link, else the university its 毕业院校 names."""
    by_name = (
        Office.objects.filter(kind=OfficeKind.UNIVERSITY, is_active=True, name=OuterRef("university_name"))
        .order_by("id")
        .values("id")[:1]
    )
    return Coalesce(F("university_id"), Subquery(by_name))


def row_counts(*, cohort: int, universities: list[Office]) -> dict[int, int]:
    """Graduates per university (one GROUP BY query)."""
    if not universities:
        return {}
    counts = (
        _graduates_of(cohort, universities)
        .annotate(feedback_university=_university_of_record())
        .values("feedback_university")
        .annotate(n=Count("id"))
        .values_list("feedback_university", "n")
    )
    return dict(counts)


def _rows(queryset: QuerySet[Graduate]) -> QuerySet[Graduate]:
    """Each record with its services aggregated ("date|type|office" in date order, voided ones left out) and
    its latest visit that found a destination, both correlated subqueries of the one query."""
    services = (
        ServiceEntry.objects.active()
        .filter(graduate_id=OuterRef("pk"))
        .values("graduate_id")
        .annotate(
            items=ArrayAgg(
                Concat(
                    Cast("date", CharField()),
                    Value("|"),
                    "service_type",
                    Value("|"),
                    "office__name",
                    output_field=CharField(),
                ),
                order_by=("date", "id"),
            )
        )
        .values("items")
    )
    latest_visit = (
        FollowUpVisit.objects.filter(graduate_id=OuterRef("pk"))
        .exclude(destination="")
        .order_by("-visited_on", "-created_at", "-id")
        .values(json=JSONObject(destination="destination", visited_on="visited_on", employer="employer"))[:1]
    )
    return queryset.annotate(services=Subquery(services), latest_visit=Subquery(latest_visit))


def feedback_rows(*, cohort: int, university: Office) -> Iterator[dict]:
    """One university's rows in registration order, streamed from a server-side cursor: one query."""
    return (
        _rows(_graduates_of(cohort, [university]))
        .order_by("id")
        .values(*ROW_FIELDS)
        .iterator(chunk_size=2000)
    )


def feedback_rows_by_university(*, cohort: int, universities: list[Office]) -> Iterator[dict]:
    """Every listed university's rows, grouped by university (key feedback_university): one query."""
    return (
        _rows(_graduates_of(cohort, universities))
        .annotate(feedback_university=_university_of_record())
        .order_by("feedback_university", "id")
        .values(*ROW_FIELDS, "feedback_university")
        .iterator(chunk_size=2000)
    )
