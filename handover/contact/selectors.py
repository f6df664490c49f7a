"""Reads of the contact work: the worklist and the report-in lists, narrowed by the scope rule."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.models import Office, OfficeKind, User
from core.scope import scope_for
from graduates.models import Graduate
from graduates.paging import Page, capped_count, parse_int
from handover.models import ContactAttempt

WORKLIST_STATES = ["waiting", "unreachable"]


def worklist(*, user: User, mine_only: bool = False) -> QuerySet[Graduate]:
    """Received graduates still waiting for contact (or unreachable), oldest hand-over first: what the office
    works through one by one."""
    graduates = (
        Graduate.objects.in_scope_of(user)
        .filter(state__in=["waiting", "unreachable"])
        .exclude(responsible_office__kind=OfficeKind.BUREAU)
        .select_related("responsible_office", "staff", "origin_region")
        .annotate(handed_over=Min("handover_items__dispatched_at"), attempts=Count("contact_attempts"))
        .order_by(F("handed_over").asc(nulls_last=True), "created_at", "id")
    )
    if mine_only:
        graduates = graduates.filter(Q(staff=user) | Q(staff__isnull=True))
    return graduates


# The worklist's order: the graduate's first hand-over (oldest first; never handed over: last), then id. It is read
# in index order from HandoverItem (dispatched_at, graduate_id) for those handed over, then from the graduates'
# primary key for the rest, with keyset links (graduates/paging.py): no aggregate over the whole scope.
# The cursor's first hand-over, read only for a graduate in the user's scope (whatever its state now: a clerk
# contacts people on the page before clicking 下一页), so a crafted cursor tells nothing about anyone else.
FIRST_HANDOVER = (
    "(SELECT min(dispatched_at) FROM handover_handoveritem WHERE graduate_id = %(cursor)s "
    "AND dispatched_at IS NOT NULL AND (%(everything)s OR EXISTS (SELECT 1 FROM graduates_graduate c "
    "WHERE c.id = %(cursor)s AND c.responsible_office_id = ANY(%(office_ids)s))))"
)
HANDED_OVER_SQL = """
    SELECT i.dispatched_at AS handed_over, g.id
    FROM handover_handoveritem i JOIN graduates_graduate g ON g.id = i.graduate_id
    WHERE i.dispatched_at IS NOT NULL AND {graduates}
      AND NOT EXISTS (SELECT 1 FROM handover_handoveritem e WHERE e.graduate_id = i.graduate_id
          AND e.dispatched_at IS NOT NULL AND (e.dispatched_at, e.id) < (i.dispatched_at, i.id))
      AND {seek}
    ORDER BY i.dispatched_at {direction}, i.graduate_id {direction} LIMIT %(limit)s
"""
NEVER_HANDED_OVER_SQL = """
    SELECT NULL::timestamptz AS handed_over, g.id
    FROM graduates_graduate g
    WHERE {graduates}
      AND NOT EXISTS (SELECT 1 FROM handover_handoveritem e WHERE e.graduate_id = g.id
          AND e.dispatched_at IS NOT NULL)
      AND {seek}
    ORDER BY g.id {direction} LIMIT %(limit)s
"""


def _worklist_graduates(*, user: User, mine_only: bool) -> tuple[QuerySet[Graduate], str, dict]:
    """The worklist's graduates as a queryset (for the count) and as SQL conditions on alias g (for the page)."""
    bureau_ids = list(Office.objects.filter(kind=OfficeKind.BUREAU).values_list("id", flat=True))
    queryset = (
        Graduate.objects.in_scope_of(user)
        .filter(state__in=WORKLIST_STATES)
        .exclude(responsible_office_id__in=bureau_ids)
    )
    conditions = ["g.state = ANY(%(states)s)", "NOT (g.responsible_office_id = ANY(%(bureau_ids)s))"]
    params: dict = {"states": WORKLIST_STATES, "bureau_ids": bureau_ids}
    scope = scope_for(user)
    params["everything"] = scope.everything
    params["office_ids"] = sorted(scope.office_ids or [])
    if not scope.everything:
        conditions.append("g.responsible_office_id = ANY(%(office_ids)s)")
    if mine_only:
        queryset = queryset.filter(Q(staff=user) | Q(staff__isnull=True))
        conditions.append("(g.staff_id = %(user_id)s OR g.staff_id IS NULL)")
        params["user_id"] = user.pk
    return queryset, " AND ".join(conditions), params


def worklist_page(*, user: User, mine_only: bool = False, params, per_page: int = 50) -> Page:
    """One page of the worklist (after=<id>, before=<id>, page=last or page=<n>), each graduate with
    `handed_over` and `attempts`. Three queries whatever the page size: count, page ids, rows."""
    queryset, graduates, sql_params = _worklist_graduates(user=user, mine_only=mine_only)
    count, exact = capped_count(queryset)
    num_pages = max(1, -(-count // per_page)) if exact else None
    after, before = parse_int(params.get("after")), parse_int(params.get("before"))
    raw_page = str(params.get("page") or "").strip()
    number = parse_int(raw_page)
    offset = 0
    if after:
        sql_params["cursor"] = after
        # Each seek is one comparison on the index's columns (no OR), so PostgreSQL starts the walk at the cursor.
        parts = [
            (HANDED_OVER_SQL, f"(i.dispatched_at, i.graduate_id) > ({FIRST_HANDOVER}, %(cursor)s)", "ASC"),
            (NEVER_HANDED_OVER_SQL,
             f"g.id > (CASE WHEN {FIRST_HANDOVER} IS NULL THEN %(cursor)s ELSE 0 END)", "ASC"),
        ]  # fmt: skip
        reverse = False
    elif before or raw_page == "last" or (number and number >= (num_pages or -(-count // per_page))):
        sql_params["cursor"] = before or 0
        parts = [
            (NEVER_HANDED_OVER_SQL,
             f"g.id < (CASE WHEN {FIRST_HANDOVER} IS NULL THEN %(cursor)s ELSE 0 END)" if before else "TRUE",
             "DESC"),
            (HANDED_OVER_SQL,
             f"(i.dispatched_at, i.graduate_id) < (COALESCE({FIRST_HANDOVER}, 'infinity'), %(cursor)s)"
             if before else "TRUE", "DESC"),
        ]  # fmt: skip
        reverse = True
    else:
        number = number or 1
        offset = (number - 1) * per_page
        parts = [(HANDED_OVER_SQL, "TRUE", "ASC"), (NEVER_HANDED_OVER_SQL, "TRUE", "ASC")]
        reverse = False
    size = per_page
    if reverse and not before:  # 末页: what is left after the full pages
        size = count - (num_pages - 1) * per_page if num_pages else per_page
        number = num_pages
    needed = offset + size + 1
    found: list[tuple] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # The walk stops after a page of matches; parallel workers would cost more to start than the walk itself
        # (~150 ms on a busy 2-core server for a county's page, against ~10 ms without).
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        for template, seek, direction in parts:  # the second part only when the first does not fill the page
            if len(found) >= needed:
                break
            sql = template.format(graduates=graduates, seek=seek, direction=direction)
            cursor.execute(sql, {**sql_params, "limit": needed - len(found)})
            found.extend(cursor.fetchall())
    found = found[offset:]
    more = len(found) > size
    found = found[:size]
    if reverse:
        found.reverse()
    rows = {
        g.pk: g
        for g in Graduate.objects.filter(pk__in=[pk for _, pk in found])
        .select_related("responsible_office", "staff", "origin_region")
        .annotate(
            attempts=Coalesce(
                Subquery(
                    ContactAttempt.objects.filter(graduate_id=OuterRef("pk"))
                    .order_by()
                    .values("graduate_id")
                    .annotate(n=Count("id"))
                    .values("n")[:1]
                ),
                0,
            )
        )
    }
    object_list = []
    for handed_over, pk in found:
        if pk in rows:
            rows[pk].handed_over = handed_over  # type: ignore[attr-defined]  # shown beside the name
            object_list.append(rows[pk])
    if after:
        has_previous, has_next = True, more
        number = number or None
    elif reverse:
        has_previous, has_next = more, bool(before)
        if before and not more:
            number = 1
    else:
        has_previous, has_next = (number or 1) > 1, more
    return Page(object_list, per_page, count, exact, number, has_previous, has_next)


def report_in_lists(*, user: User, cohort: int) -> dict:
    """The three report-in lists of the office: matched; on the office's list but not reported (to trace);
    reported but not on the list (to register on the spot)."""
    from handover.models import ReportIn

    reports = ReportIn.objects.filter(office=user.office, cohort=cohort).select_related("graduate")
    reported_ids = reports.exclude(graduate__isnull=True).values("graduate_id")
    not_reported = (
        Graduate.objects.in_scope_of(user)
        .filter(cohort=cohort)
        .exclude(state__in=["employed", "transferred"])
        .exclude(pk__in=reported_ids)
        .order_by("name")
    )
    return {
        "matched": reports.filter(graduate__isnull=False).order_by("-reported_on"),
        "not_reported": not_reported,
        "unknown": reports.filter(graduate__isnull=True).order_by("-reported_on"),
    }
