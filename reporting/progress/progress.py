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
- willing (有就业意愿): received graduates, not ``not_seeking``, whose 就业意向 holds an employment intention
  (codes 1–6 or A; 7 升学 and 8 出国 are not employment, 9 is 自愿暂时不就业);
- entrepreneurship (有创业意向): received graduates whose 就业意向 holds 4 准备创业;
- one_on_one (困难人员一对一帮扶): received graduates with a one-on-one help (services.OneOnOne: a named
  specialist and a plan) begun by then;
- rates: each figure / received (0 when nothing was received);
- days since dispatch: days since the oldest ``dispatched_at`` not yet acknowledged; when everything is signed
  for, days since the first dispatch (``waiting`` tells which).

Set-based: one query per level (FIGURES_SQL: one row per graduate and office key, then plain counts; the total
from the same pass by GROUPING SETS), whatever the number of offices or graduates. At a million graduates that
pass takes seconds for the bureau, so the page (progress_table) reads the same figures from a snapshot counted
every 5 minutes (reporting.progress.snapshot) and says when they were counted; the downloads count live.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from core.models import Office, OfficeKind, User, region_prefix
from core.scope import scope_for
from graduates.codes import Intention
from services.models import OneOnOne

from .snapshot import read_snapshot

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
    "willing",
    "entrepreneurship",
    "one_on_one",
)
RATES = tuple(name for name in FIGURES if name != "received")

EMPLOYMENT_INTENTIONS = [
    code
    for code in Intention.values
    if code not in (Intention.FURTHER_STUDY, Intention.STUDY_ABROAD, Intention.NOT_SEEKING)
]


# One pass over the items under a prefix: first one row per (office key, graduate) and per graduate (GROUPING
# SETS: the total counts a graduate once across the subtree), then plain counts of those rows with the graduate's
# state. COUNT(DISTINCT ...) per figure sorted every item once per figure (10 s for the bureau at 1M graduates).
FIGURES_SQL = """
WITH per AS (
    SELECT COALESCE({keys}) AS key,
           GROUPING({keys}) = {all_grouped} AS total,
           i.graduate_id,
           bool_or({acknowledged}) AS acknowledged,
           min(i.dispatched_at) FILTER (WHERE NOT ({acknowledged})) AS oldest_waiting,
           min(i.dispatched_at) AS first_dispatch
    FROM handover_handoveritem i
    JOIN core_office o ON o.id = i.office_id
    {batch_join}
    WHERE i.dispatched_at IS NOT NULL AND o.region_id LIKE %(prefix)s {until_items}
    GROUP BY GROUPING SETS ({sets}, (i.graduate_id))
), flagged AS (
    SELECT per.*, g.state,
           g.state <> 'waiting' OR EXISTS (
               SELECT 1 FROM handover_contactattempt c WHERE c.graduate_id = per.graduate_id {until_contacts}
           ) AS contacted,
           g.intentions && %(employment_intentions)s::varchar[] AS willing,
           %(entrepreneurship)s = ANY(g.intentions) AS entrepreneurship,
           EXISTS (
               SELECT 1 FROM {one_on_one} h WHERE h.graduate_id = per.graduate_id {until_one_on_one}
           ) AS one_on_one
    FROM per JOIN graduates_graduate g ON g.id = per.graduate_id
)
SELECT key, total,
       count(*) AS received,
       count(*) FILTER (WHERE acknowledged) AS acknowledged,
       count(*) FILTER (WHERE contacted) AS contacted,
       count(*) FILTER (WHERE state IN ('verified', 'not_seeking')) AS verified,
       count(*) FILTER (WHERE state = 'not_seeking') AS not_seeking,
       count(*) FILTER (WHERE state = 'unreachable') AS unreachable,
       count(*) FILTER (WHERE state = 'employed') AS employed,
       count(*) FILTER (WHERE state = 'studying') AS studying,
       count(*) FILTER (WHERE state = 'transferred') AS transferred,
       count(*) FILTER (WHERE willing AND state <> 'not_seeking') AS willing,
       count(*) FILTER (WHERE entrepreneurship) AS entrepreneurship,
       count(*) FILTER (WHERE one_on_one) AS one_on_one,
       min(oldest_waiting) AS oldest_waiting,
       min(first_dispatch) AS first_dispatch
FROM flagged
GROUP BY key, total
"""


def figures(
    *, prefix: str, key_length: int, until: datetime.datetime | None = None, cohort: int | None = None
) -> tuple[dict[str, dict], dict]:
    """One query: (the figures per region-code prefix of length KEY_LENGTH, the figures over the whole subtree)
    of the items dispatched under PREFIX (of COHORT's batches when given, as of UNTIL when given)."""
    by_length, totals = figures_by_length(
        prefix=prefix, key_lengths=(key_length,), until=until, cohort=cohort
    )
    return by_length[int(key_length)], totals


def figures_by_length(
    *,
    prefix: str,
    key_lengths: tuple[int, ...],
    until: datetime.datetime | None = None,
    cohort: int | None = None,
) -> tuple[dict[int, dict[str, dict]], dict]:
    """One query: ({length: the figures per region-code prefix of that length} for each of KEY_LENGTHS, the
    figures over the whole subtree) of the items dispatched under PREFIX (of COHORT's batches when given, as of
    UNTIL when given): one pass for every level of the weekly table."""
    lengths = sorted({int(length) for length in key_lengths})
    keys = [f"substr(o.region_id, 1, {length})" for length in lengths]
    acknowledged = "i.acknowledged_at IS NOT NULL" + (" AND i.acknowledged_at <= %(until)s" if until else "")
    sql = FIGURES_SQL.format(
        keys=", ".join(keys),
        all_grouped=(1 << len(keys)) - 1,
        sets=", ".join(f"({key}, i.graduate_id)" for key in keys),
        acknowledged=acknowledged,
        batch_join="JOIN handover_handoverbatch b ON b.id = i.batch_id AND b.cohort = %(cohort)s"
        if cohort is not None
        else "",
        until_items="AND i.dispatched_at <= %(until)s" if until else "",
        until_contacts="AND c.at <= %(until)s" if until else "",
        one_on_one=connection.ops.quote_name(OneOnOne._meta.db_table),
        until_one_on_one="AND h.created_at <= %(until)s" if until else "",
    )
    params = {
        "prefix": f"{prefix}%",
        "until": until,
        "cohort": cohort,
        "employment_intentions": EMPLOYMENT_INTENTIONS,
        "entrepreneurship": Intention.ENTREPRENEURSHIP.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    by_length: dict[int, dict[str, dict]] = {length: {} for length in lengths}
    totals: dict = {}
    for row in rows:
        key, total = row.pop("key"), row.pop("total")
        if total:
            totals = row
        else:
            by_length[len(key)][key] = row
    return by_length, totals


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


@dataclass(frozen=True)
class Table:
    level: Level
    rows: list[dict]
    computed_at: (
        datetime.datetime | None
    )  # when the snapshot was counted; None: counted live for this request


def progress_table(
    *, user: User, parent_office: Office | None = None, cohort: int | None = None, snapshot: bool = True
) -> Table:
    """progress_rows, read from the snapshot (reporting.progress.snapshot) when SNAPSHOT and one younger than its
    STALE_AFTER exists, else counted live. Three queries (the level, the snapshot, the live figures if need be)."""
    level = level_for(user=user, parent_office=parent_office)
    prefix = region_prefix(level.parent.region_id)
    taken = read_snapshot(prefix=prefix, key_length=level.key_length, cohort=cohort) if snapshot else None
    if taken is not None:
        return Table(level, _rows(level, taken.by_key, taken.totals), taken.computed_at)
    by_key, totals = figures(prefix=prefix, key_length=level.key_length, cohort=cohort)
    return Table(level, _rows(level, by_key, totals), None)


def progress_rows(
    *, user: User, parent_office: Office | None = None, cohort: int | None = None
) -> list[dict]:
    """The children of PARENT_OFFICE (default: the user's own level) with their figures over their subtree,
    then the parent's own share when it holds items itself (本级), then a total row. Raises PermissionDenied
    for users outside employment offices and for parents outside the user's scope. Counted live; two queries
    (the level, the figures)."""
    return progress_table(user=user, parent_office=parent_office, cohort=cohort, snapshot=False).rows


def _rows(level: Level, by_key: dict[str, dict], totals: dict) -> list[dict]:
    by_key = dict(by_key)
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
