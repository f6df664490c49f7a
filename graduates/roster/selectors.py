"""Reads of the roster import, narrowed by the one scope rule."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from core.models import Office, OfficeKind, Role, User
from core.scope import scope_for

from ..models import RosterDeadline, RosterUpload

DEFAULT_DUE = (6, 15)  # 15 June (青人社厅函〔2017〕490号)


def uploads_visible_to(user: User) -> QuerySet[RosterUpload]:
    """Who sees an upload (its file, its invalid rows with full ID numbers and phones):

    - a university only what it uploaded itself, never an office's upload merely tagged with its name;
    - the Education Dept its own uploads and those the province's universities made themselves;
    - prefecture and county offices the uploads of the offices in their subtree;
    - the bureau (provincial admin) every upload of the province: their records wait at the bureau."""
    scope = scope_for(user)
    uploads = RosterUpload.objects.select_related("uploaded_by", "office", "university").defer("content")
    if scope.everything or (user.role == Role.PROVINCE_ADMIN and scope.office_ids is not None):
        return uploads
    if user.role == Role.UNIVERSITY_STAFF:
        return uploads.filter(office=user.office_id)
    if user.role == Role.EDUCATION_STAFF and scope.university_ids is not None:
        return uploads.filter(Q(office=user.office_id) | Q(office__in=sorted(scope.university_ids)))
    if scope.office_ids is not None:
        return uploads.filter(office__in=sorted(scope.office_ids))
    return uploads.none()


def get_upload_for(*, user: User, pk: int) -> RosterUpload:
    try:
        return uploads_visible_to(user).get(pk=pk)
    except RosterUpload.DoesNotExist:
        raise Http404("没有找到该名单") from None


def due_date(cohort: int) -> datetime.date:
    deadline = RosterDeadline.objects.filter(cohort=cohort).first()
    return deadline.due_date if deadline else datetime.date(cohort, *DEFAULT_DUE)


def university_upload_status(*, user: User, cohort: int) -> list[dict]:
    """For the Education Dept: each of the province's universities, whether it has loaded its roster for COHORT."""
    universities = Office.objects.filter(
        kind=OfficeKind.UNIVERSITY, region__code__startswith=str(settings.PROVINCE_CODE), is_active=True
    ).order_by("-is_province_run", "name")
    scope = scope_for(user)
    if not scope.everything and scope.university_ids is not None:
        universities = universities.filter(pk__in=sorted(scope.university_ids))
    stats = {
        row["university"]: {**row, "rows": row["row_count"]}
        for row in RosterUpload.objects.filter(
            cohort=cohort, university__in=universities, status=RosterUpload.Status.COMMITTED
        )
        .values("university")
        .annotate(uploads=Count("id"), last=Max("committed_at"), row_count=Max("rows_total"))
    }
    pending = set(
        RosterUpload.objects.filter(
            cohort=cohort, university__in=universities, status=RosterUpload.Status.CHECKED
        ).values_list("university", flat=True)
    )
    return [
        {
            "university": university,
            "committed": stats.get(university.pk),
            "waiting_confirmation": university.pk in pending,
        }
        for university in universities
    ]


def roster_waiting_count(user: User) -> int:
    """Uploads of the user's own office that were checked and wait for a confirmation."""
    if user.office_id is None:
        return 0
    return RosterUpload.objects.filter(office=user.office_id, status=RosterUpload.Status.CHECKED).count()
