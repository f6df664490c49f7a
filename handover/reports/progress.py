"""Live progress of the handover per office (吉人社发〔2022〕21号: 信息衔接工作进展), with drill-down
bureau → prefecture → county.

Definitions (every figure counts distinct graduates, never items):

- received (接收人数): graduates with a HandoverItem dispatched (``dispatched_at`` set) to the office or to an
  office of its subtree (a prefecture row includes what its counties hold);
- acknowledged (已签收): of those, graduates whose item has ``acknowledged_at`` set;
- contacted (已联系): received graduates with at least one ContactAttempt, or whose state is no longer
  ``waiting`` (an office may record the result without logging the call);
- verified (已核实): received graduates whose current state is ``verified`` or ``not_seeking`` — a graduate who
  says they do not seek work for now has been reached and verified, so the 核实率 counts them; ``not_seeking``
  (其中暂不就业) is also given on its own;
- unreachable / employed / transferred (无法联系 / 已就业 / 已转出): received graduates by current state;
- rates: each figure / received (0 when nothing was received);
- days since dispatch: days since the oldest ``dispatched_at`` not yet acknowledged; when everything is signed
  for, days since the first dispatch (``waiting`` tells which).

Set-based: one grouped query per level (``Count(..., filter=Q(...), distinct=True)``) plus one for the total,
whatever the number of offices or graduates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from core.models import Office, OfficeKind, User, region_prefix
from core.scope import scope_for
from graduates.codes import State
from handover.models import ContactAttempt, HandoverItem

FIGURES = (
    "received",
    "acknowledged",
    "contacted",
    "verified",
    "not_seeking",
    "unreachable",
    "employed",
    "studying",
    "transferred",
)
RATES = tuple(name for name in FIGURES if name != "received")


def _figure_aggregates(*, until: datetime.datetime | None = None) -> dict:
    """The aggregate expressions over HandoverItem rows annotated with ``has_contact``."""
    acknowledged = Q(acknowledged_at__isnull=False)
    if until is not None:
        acknowledged &= Q(acknowledged_at__lte=until)
    unacknowledged = ~acknowledged
    return {
        "received": Count("graduate", distinct=True),
        "acknowledged": Count("graduate", filter=acknowledged, distinct=True),
        "contacted": Count(
            "graduate", filter=Q(has_contact=True) | ~Q(graduate__state=State.WAITING), distinct=True
        ),
        "verified": Count(
            "graduate", filter=Q(graduate__state__in=[State.VERIFIED, State.NOT_SEEKING]), distinct=True
        ),
        "not_seeking": Count("graduate", filter=Q(graduate__state=State.NOT_SEEKING), distinct=True),
        "unreachable": Count("graduate", filter=Q(graduate__state=State.UNREACHABLE), distinct=True),
        "employed": Count("graduate", filter=Q(graduate__state=State.EMPLOYED), distinct=True),
        # 升学出国: settled, never counted as 已就业.
        "studying": Count("graduate", filter=Q(graduate__state=State.STUDYING), distinct=True),
        "transferred": Count("graduate", filter=Q(graduate__state=State.TRANSFERRED), distinct=True),
        "oldest_waiting": Min("dispatched_at", filter=unacknowledged),
        "first_dispatch": Min("dispatched_at"),
    }


def dispatched_items(
    *, prefix: str, until: datetime.datetime | None = None, cohort: int | None = None
) -> QuerySet[HandoverItem]:
    """Items dispatched to an office whose region code starts with PREFIX (of COHORT's batches when given),
    with ``has_contact`` annotated."""
    contacts = ContactAttempt.objects.filter(graduate_id=OuterRef("graduate_id"))
    items = HandoverItem.objects.filter(dispatched_at__isnull=False, office__region__code__startswith=prefix)
    if cohort is not None:
        items = items.filter(batch__cohort=cohort)
    if until is not None:
        items = items.filter(dispatched_at__lte=until)
        contacts = contacts.filter(at__lte=until)
    return items.annotate(has_contact=Exists(contacts))


def grouped_figures(
    *, prefix: str, key_length: int, until: datetime.datetime | None = None, cohort: int | None = None
) -> dict[str, dict]:
    """One grouped query: the figures per region-code prefix of length KEY_LENGTH (4 = prefecture, 6 = the
    office's own region) over the items under PREFIX."""
    rows = (
        dispatched_items(prefix=prefix, until=until, cohort=cohort)
        .annotate(key=Substr("office__region_id", 1, key_length))
        .values("key")
        .annotate(**_figure_aggregates(until=until))
        .order_by("key")
    )
    return {row.pop("key"): row for row in rows}


def total_figures(*, prefix: str, until: datetime.datetime | None = None, cohort: int | None = None) -> dict:
    """One query: the figures over every item under PREFIX (distinct across the whole subtree)."""
    return dispatched_items(prefix=prefix, until=until, cohort=cohort).aggregate(
        **_figure_aggregates(until=until)
    )


def finish(figures: dict | None, *, now: datetime.datetime) -> dict:
    """Add rates and days since dispatch to one row of figures (an absent row is all zeros)."""
    figures = dict(figures or {})
    for name in FIGURES:
        figures[name] = figures.get(name) or 0
    received = figures["received"]
    figures["rates"] = {name: (figures[name] / received if received else 0) for name in RATES}
    figures["percent"] = {name: f"{rate * 100:.1f}%" for name, rate in figures["rates"].items()}
    oldest_waiting = figures.pop("oldest_waiting", None)
    first_dispatch = figures.pop("first_dispatch", None)
    since = oldest_waiting or first_dispatch
    figures["waiting"] = figures["received"] - figures["acknowledged"]
    figures["days_since_dispatch"] = (now - since).days if since else None
    figures["oldest_waiting"] = oldest_waiting
    return figures


@dataclass(frozen=True)
class Level:
    parent: Office
    children: list[Office]
    key_length: int


def _user_office(user: User) -> Office:
    """The employment office whose view the user takes: their own, or the bureau for a superuser."""
    office = getattr(user, "office", None)
    if office is None and scope_for(user).everything:
        return Office.objects.get(kind=OfficeKind.BUREAU, region_id=f"{settings.PROVINCE_CODE}0000")
    if office is None or not office.is_employment_office or not office.is_active:
        raise PermissionDenied("只有就业服务机构的工作人员可以查看交接进度。")
    return office


def level_for(*, user: User, parent_office: Office | None = None) -> Level:
    """The rows to show: the bureau's prefectures, a prefecture's counties, or a county itself."""
    own = _user_office(user)
    parent = parent_office or own
    if not parent.is_employment_office or not scope_for(user).covers_office(parent.pk):
        raise PermissionDenied("只能查看本机构及下级机构的交接进度。")
    if parent.kind == OfficeKind.COUNTY:
        return Level(parent=parent, children=[parent], key_length=6)
    children = list(
        Office.objects.employment_offices().filter(parent=parent, is_active=True).order_by("region_id")
    )
    key_length = 4 if parent.kind == OfficeKind.BUREAU else 6
    return Level(parent=parent, children=children, key_length=key_length)


def progress_rows(
    *, user: User, parent_office: Office | None = None, cohort: int | None = None
) -> list[dict]:
    """The children of PARENT_OFFICE (default: the user's own level) with their figures over their subtree,
    then the parent's own share when it holds items itself (本级), then a total row. Raises PermissionDenied
    for users outside employment offices and for parents outside the user's scope. Three queries."""
    level = level_for(user=user, parent_office=parent_office)
    prefix = region_prefix(level.parent.region_id)
    by_key = grouped_figures(prefix=prefix, key_length=level.key_length, cohort=cohort)
    totals = total_figures(prefix=prefix, cohort=cohort)
    now = timezone.now()
    rows = []
    for child in level.children:
        key = child.region_id[: level.key_length]
        rows.append(
            {
                "office": child,
                "label": child.name,
                "kind": "office",
                "can_drill": child.kind != OfficeKind.COUNTY and child != level.parent,
                **finish(by_key.pop(key, None), now=now),
            }
        )
    own = by_key.pop(level.parent.region_id[: level.key_length], None)
    if own and own["received"]:
        rows.append(
            {
                "office": level.parent,
                "label": f"{level.parent.name}（本级）",
                "kind": "own",
                "can_drill": False,
            }
            | finish(own, now=now)
        )
    leftover = [figures for figures in by_key.values() if figures["received"]]
    if leftover:  # items held by an inactive office or one without a parent link: shown, never lost
        merged = {name: sum(f[name] for f in leftover) for name in FIGURES}
        rows.append(
            {"office": None, "label": "其他机构", "kind": "other", "can_drill": False}
            | finish(merged, now=now)
        )
    rows.append(
        {"office": level.parent, "label": "合计", "kind": "total", "can_drill": False}
        | finish(totals, now=now)
    )
    return rows
