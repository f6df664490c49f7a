"""Pages of long lists at province scale: keyset links, capped counts.

A list of a million records cannot be counted, nor paged with OFFSET, on every request: both read every row
before the page. So:

- the count is exact up to COUNT_CAP matches (reading at most that many index entries); beyond it the page says
  "约 N 名" with the planner's estimate (never below the cap);
- 上一页 / 下一页 carry the id of the page's first or last row (`before=` / `after=`): the next page starts right
  after that row's sort key in the index, as fast on page 5,000 as on page 1. Only an id goes into the URL, never
  a name or a number (the row's sort key is read back inside the query);
- 末页 (`page=last`) reads the list in reverse order; a typed `page=N` still works (OFFSET), for bookmarks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet, Subquery
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): the number of rows of QUERYSET when ≤ CAP (default COUNT_CAP), else the planner's
    estimate (≥ CAP + 1)."""
    cap = COUNT_CAP if cap is None else cap
    ids = queryset.order_by().values("pk")
    count = ids[: cap + 1].count()
    if count <= cap:
        return count, True
    return max(estimated_count(ids), cap + 1), False


def count_label(queryset: QuerySet, cap: int | None = None) -> str:
    """A counter for a page: "1,234", or "10,000+" beyond CAP (default COUNT_CAP; nothing counted past it)."""
    cap = COUNT_CAP if cap is None else cap
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return f"{cap:,}+" if count > cap else f"{count:,}"


def estimated_count(queryset: QuerySet) -> int:
    """The planner's row estimate of QUERYSET (no rows read)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def parse_int(value, *, low: int = 1, high: int = 10**9) -> int | None:
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if low <= number <= high else None


@dataclass
class Page:
    """One page, with what the template needs for 首页 / 上一页 / 下一页 / 末页 (Django's Page names where they
    exist: object_list, number, paginator.count, paginator.num_pages)."""

    object_list: list
    per_page: int
    count: int
    exact: bool
    number: int | None = None  # None: a page reached by a link whose number is unknown (末页 of an estimate)
    has_previous_rows: bool = False
    has_next_rows: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def paginator(self) -> Page:  # templates and tests written for Django's Paginator keep working
        return self

    @property
    def num_pages(self) -> int | None:
        return max(1, math.ceil(self.count / self.per_page)) if self.exact else None

    def has_previous(self) -> bool:
        return self.has_previous_rows

    def has_next(self) -> bool:
        return self.has_next_rows

    def has_other_pages(self) -> bool:
        return self.has_previous_rows or self.has_next_rows

    def _id(self, row) -> int:
        return row["id"] if isinstance(row, dict) else row.pk

    @property
    def next_params(self) -> str:
        """The query string (without the list's filters) of 下一页."""
        if not self.object_list:
            return ""
        number = f"&page={self.number + 1}" if self.number else ""
        return f"after={self._id(self.object_list[-1])}{number}"

    @property
    def previous_params(self) -> str:
        if not self.object_list:
            return ""
        number = f"&page={self.number - 1}" if self.number and self.number > 1 else ""
        return f"before={self._id(self.object_list[0])}{number}"


def _flip(key: str) -> str:
    return key[1:] if key.startswith("-") else f"-{key}"


def keyset_page(
    queryset: QuerySet,
    *,
    key: str,
    params,
    per_page: int,
    count_queryset: QuerySet,
    boundary_queryset: QuerySet,
) -> Page:
    """The page of QUERYSET (ordered here by KEY, then -id) that PARAMS ask for: `after=<id>` / `before=<id>`
    (keyset), `page=last`, or `page=<n>` (offset). Counted on COUNT_QUERYSET (the bare filtered rows). The
    boundary row's sort key is read from BOUNDARY_QUERYSET: the user's scope, not the filters (a row the clerk
    just acted on may have left them), so a crafted cursor tells nothing about records outside the scope."""
    count, exact = capped_count(count_queryset)
    num_pages = max(1, math.ceil(count / per_page)) if exact else None
    name = key.lstrip("-")
    descending = key.startswith("-")
    ordered = queryset.order_by(key, "-id")
    after, before = parse_int(params.get("after")), parse_int(params.get("before"))
    raw_page = str(params.get("page") or "").strip()
    number = parse_int(raw_page)

    def boundary(row_id: int):
        return Subquery(boundary_queryset.filter(pk=row_id).order_by().values(name)[:1])

    if after or before:
        row_id = after or before
        value = boundary(row_id)
        # In the list's order (KEY, then -id): rows after the boundary have a "later" key, or the same key and a
        # smaller id. The first comparison (≥ / ≤) lets PostgreSQL seek the index to the boundary.
        later, later_or_equal = ("lt", "lte") if descending else ("gt", "gte")
        earlier, earlier_or_equal = ("gt", "gte") if descending else ("lt", "lte")
        if after:
            condition = Q(**{f"{name}__{later_or_equal}": value}) & (
                Q(**{f"{name}__{later}": value}) | Q(id__lt=row_id)
            )
            rows = list(ordered.filter(condition)[: per_page + 1])
            has_next, has_previous = len(rows) > per_page, True
            rows = rows[:per_page]
        else:
            condition = Q(**{f"{name}__{earlier_or_equal}": value}) & (
                Q(**{f"{name}__{earlier}": value}) | Q(id__gt=row_id)
            )
            rows = list(queryset.order_by(_flip(key), "id").filter(condition)[: per_page + 1])
            has_previous, has_next = len(rows) > per_page, True
            rows = rows[:per_page][::-1]
        if number is not None and num_pages is not None:
            number = min(number, num_pages)
        if number is not None and not has_previous:
            number = 1
        return Page(rows, per_page, count, exact, number, has_previous, has_next)
    # A typed page at or past the end (past the estimate when the count is capped) is the last page: never an
    # OFFSET over every row.
    if raw_page == "last" or (number is not None and number >= (num_pages or math.ceil(count / per_page))):
        size = count - (num_pages - 1) * per_page if num_pages is not None else per_page
        rows = list(queryset.order_by(_flip(key), "id")[: size + 1])
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        return Page(rows, per_page, count, exact, num_pages, has_previous, False)
    number = number or 1
    offset = (number - 1) * per_page
    rows = list(ordered[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    return Page(rows[:per_page], per_page, count, exact, number, number > 1, has_next)


class CappedPaginator(Paginator):
    """Django's Paginator for short lists that may grow long: the count is exact up to COUNT_CAP, an estimate
    beyond (`exact` tells which), so a page never counts a million rows."""

    exact = True

    def __init__(self, *args, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        count, self.exact = capped_count(self.object_list, self.cap)
        return count
