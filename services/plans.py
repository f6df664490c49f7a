"""Service plans: what each graduate is owed under the active service standard, and whether it was given in time.

Every figure comes from ONE set-based query (PLAN_SQL) over the graduates of a scope, the standard's rules, the
service log and the registry's history, never a loop per graduate. The semantics (issue 9):

- anchor: the local date of the graduate's first hand-over dispatch (the dispatch to the office now responsible;
  an accepted transfer keeps it), or the record's creation date for a graduate an office registered itself; for a
  rule of 就业意向 / 就业服务需求 / 困难状况 the date the graduate came to match it, when later (the latest change in
  the registry's history whose old value did not match); for the 求职登记 anchor, the first 求职登记 entry;
- due: anchor + N calendar months (PostgreSQL clamps the month end: 2026-11-30 + 3 months = 2027-02-28) or N days,
  or a fixed day of the cohort year; due at the end of that day;
- the graduate's 就业意向 / 需求 / 困难状况 on a past as-of date is read back from the history for graduates who
  match today (one who matched then but no longer does is not reconstructed);
- a service counts when not voided, of the rule's type, dated on or after the graduation date and on or before the
  as-of date; states met / late / overdue / due / closed as in codes.PlanState.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.crypto import decrypt

from .codes import CLOSED_GRADUATE_STATES, PlanState, ServiceType
from .models import PlanSnapshot, ServiceStandard

# Inputs: %(standard)s, %(as_of)s, %(tz)s, %(closed)s and the graduate filter's own parameters ({where}).
PLAN_SQL = """
WITH g AS MATERIALIZED (
    SELECT g.id, g.graduation_date, g.cohort, g.state, g.intentions, g.service_needs, g.hardship,
           g.responsible_office_id AS office_id, g.staff_id,
           (COALESCE(
               (SELECT min(i.dispatched_at) FROM handover_handoveritem i
                WHERE i.graduate_id = g.id AND i.dispatched_at IS NOT NULL),
               g.created_at) AT TIME ZONE %(tz)s)::date AS received
    FROM graduates_graduate g
    WHERE {where}
), r AS (
    SELECT r.id, r.position, r.applies_to, r.codes::text[] AS codes, r.service_type, r.required, r.window_unit,
           r.window_length, r.fixed_month, r.fixed_day, r.anchor,
           CASE r.applies_to WHEN 'intention' THEN 'intentions' WHEN 'need' THEN 'service_needs'
                             WHEN 'hardship' THEN 'hardship' END AS field
    FROM services_standardrule r
    WHERE r.standard_id = %(standard)s
), o AS (
    SELECT g.id, g.graduation_date, g.cohort, g.state, g.office_id, g.staff_id, g.received,
           r.id AS rule_id, r.position, r.service_type, r.required, r.window_unit, r.window_length,
           r.fixed_month, r.fixed_day, r.anchor AS anchor_kind, r.field, r.codes
    FROM g JOIN r ON CASE r.applies_to
        WHEN 'intention' THEN g.intentions::text[] && r.codes
        WHEN 'need' THEN g.service_needs::text[] && r.codes
        WHEN 'hardship' THEN g.hardship::text[] && r.codes
        ELSE TRUE END
), changed AS (
    -- Per graduate and rule of a registry field: the day the graduate came to match the rule (the latest change on
    -- or before the as-of date from a value that did not match; none when it always matched), and whether the
    -- value held on the as-of date matched (the old value of the first later change; none: today's value).
    SELECT h.id, h.rule_id,
           max(h.day) FILTER (WHERE h.day <= %(as_of)s AND NOT h.old_matched) AS changed_on,
           (array_agg(h.old_matched ORDER BY h.at, h.change_id) FILTER (WHERE h.day > %(as_of)s))[1] AS matched_then
    FROM (
        SELECT o.id, o.rule_id, c.at, c.id AS change_id, (c.at AT TIME ZONE %(tz)s)::date AS day,
               COALESCE((c.changes -> o.field -> 0) ?| o.codes, FALSE) AS old_matched
        FROM o JOIN (
            SELECT c.id, c.graduate_id, c.at, c.changes FROM graduates_graduatechange c
            WHERE c.changes ?| ARRAY['intentions', 'service_needs', 'hardship']
                AND c.graduate_id IN (SELECT g.id FROM g)
        ) c ON c.graduate_id = o.id
        WHERE o.field IS NOT NULL AND c.changes ? o.field
    ) h
    GROUP BY h.id, h.rule_id
), seeking AS (
    -- The first 求职登记 of each graduate, read only when a rule counts from it (one index probe per graduate).
    SELECT g.id AS graduate_id,
           (SELECT min(e.date) FROM services_serviceentry e
            WHERE e.graduate_id = g.id AND e.service_type = 'job_seeking' AND e.voided_at IS NULL
                AND e.date >= g.graduation_date AND e.date <= %(as_of)s) AS first_day
    FROM g
    WHERE EXISTS (SELECT 1 FROM r WHERE r.anchor = 'first_job_seeking')
), a AS (
    SELECT o.*,
           CASE WHEN o.anchor_kind = 'first_job_seeking' THEN s.first_day
                ELSE GREATEST(o.received, ch.changed_on) END AS anchor_day,
           ch.matched_then
    FROM o
    LEFT JOIN changed ch ON ch.id = o.id AND ch.rule_id = o.rule_id
    LEFT JOIN seeking s ON s.graduate_id = o.id AND o.anchor_kind = 'first_job_seeking'
), d AS (
    SELECT a.*,
           CASE a.window_unit
               WHEN 'months' THEN (a.anchor_day + make_interval(months => a.window_length))::date
               WHEN 'days' THEN a.anchor_day + a.window_length
               ELSE make_date(a.cohort, a.fixed_month, LEAST(a.fixed_day, extract(day FROM
                   make_date(a.cohort, a.fixed_month, 1) + interval '1 month - 1 day')::int))
           END AS due
    FROM a
    WHERE a.anchor_day IS NOT NULL AND a.anchor_day <= %(as_of)s AND a.matched_then IS NOT FALSE
), c AS (
    SELECT d.id, d.rule_id, count(e.id) AS done, count(e.id) FILTER (WHERE e.date <= d.due) AS by_due,
           {entries} AS entry_ids
    FROM d LEFT JOIN services_serviceentry e
        ON e.graduate_id = d.id AND e.service_type = d.service_type AND e.voided_at IS NULL
        AND e.date >= d.graduation_date AND e.date <= %(as_of)s
    GROUP BY d.id, d.rule_id
), p AS (
    SELECT d.id, d.office_id, d.staff_id, d.state, d.rule_id, d.position, d.service_type,
           d.required, d.anchor_day, d.due, c.done, c.by_due, c.entry_ids,
           CASE WHEN c.by_due >= d.required THEN 'met'
                WHEN c.done >= d.required THEN 'late'
                WHEN d.state = ANY(%(closed)s) THEN 'closed'
                WHEN %(as_of)s > d.due THEN 'overdue'
                ELSE 'due' END AS plan_state
    FROM d JOIN c ON c.id = d.id AND c.rule_id = d.rule_id
)
"""

ENTRY_IDS = "array_agg(e.id ORDER BY e.date, e.id) FILTER (WHERE e.id IS NOT NULL)"


@dataclass
class Obligation:
    graduate_id: int
    rule_id: int
    service_type: str
    required: int
    done: int
    anchor: datetime.date
    due: datetime.date
    state: str
    entry_ids: list[int] = field(default_factory=list)

    @property
    def service_label(self) -> str:
        return str(ServiceType(self.service_type).label)

    @property
    def state_label(self) -> str:
        return str(PlanState(self.state).label)


@dataclass
class GraduatePlan:
    graduate_id: int
    id_number: str
    name: str
    office_id: int
    obligations: list[Obligation] = field(default_factory=list)


@dataclass
class PlanScope:
    """Which graduates a plan query covers: all of the province, those of some offices, or some graduates."""

    office_ids: list[int] | None = None
    graduate_ids: list[int] | None = None
    staff_id: int | None = None

    def where(self) -> tuple[str, dict]:
        clauses = ["TRUE"]
        params: dict = {}
        if self.office_ids is not None:
            clauses.append("g.responsible_office_id = ANY(%(scope_offices)s)")
            params["scope_offices"] = list(self.office_ids)
        if self.graduate_ids is not None:
            clauses.append("g.id = ANY(%(scope_graduates)s)")
            params["scope_graduates"] = list(self.graduate_ids)
        if self.staff_id is not None:
            clauses.append("g.staff_id = %(scope_staff)s")
            params["scope_staff"] = self.staff_id
        return " AND ".join(clauses), params


def active_standard(province: str | None = None) -> ServiceStandard | None:
    """The standard PROVINCE (default: this installation's) has switched on, if any."""
    return ServiceStandard.objects.filter(province=province or settings.PROVINCE_CODE, is_active=True).first()


def _run(
    *,
    standard: ServiceStandard,
    as_of: datetime.date,
    scope: PlanScope,
    select: str,
    entries: bool = False,
    extra: dict | None = None,
) -> list[tuple]:
    where, params = scope.where()
    params.update(extra or {})
    sql = PLAN_SQL.format(where=where, entries=ENTRY_IDS if entries else "NULL::bigint[]") + select
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                **params,
                "standard": standard.pk,
                "as_of": as_of,
                "tz": settings.TIME_ZONE,
                "closed": list(CLOSED_GRADUATE_STATES),
            },
        )
        return cursor.fetchall()


def plans(
    *, standard: ServiceStandard, as_of: datetime.date, scope: PlanScope, entries: bool = False
) -> list[GraduatePlan]:
    """Every graduate of SCOPE with at least one obligation under STANDARD on AS_OF, by ID number, each with
    its obligations in the standard's order (ENTRIES: with the ids of the services counted)."""
    rows = _run(
        standard=standard,
        as_of=as_of,
        scope=scope,
        entries=entries,
        select="SELECT p.id, gg.id_number, gg.name, p.office_id, p.rule_id, p.service_type, p.required, p.done, "
        "p.anchor_day, p.due, p.plan_state, p.entry_ids FROM p JOIN graduates_graduate gg ON gg.id = p.id "
        "ORDER BY p.id, p.position, p.rule_id",
    )
    result: list[GraduatePlan] = []
    for gid, id_number, name, office_id, rule_id, stype, required, done, anchor, due, state, ids in rows:
        if not result or result[-1].graduate_id != gid:
            # The ID number is encrypted at rest: decrypted here, once per graduate.
            number = decrypt(id_number)
            result.append(GraduatePlan(graduate_id=gid, id_number=number, name=name, office_id=office_id))
        result[-1].obligations.append(
            Obligation(
                graduate_id=gid,
                rule_id=rule_id,
                service_type=stype,
                required=required,
                done=done,
                anchor=anchor,
                due=due,
                state=state,
                entry_ids=list(ids or []),
            )
        )
    result.sort(key=lambda plan: (plan.id_number, plan.graduate_id))  # by ID number, as before encryption
    return result


def graduate_plan(
    *, graduate_id: int, as_of: datetime.date | None = None, standard: ServiceStandard | None = None
) -> list[Obligation]:
    """One graduate's obligations under the active standard today (Beijing), with the services counted."""
    standard = standard or active_standard()
    if standard is None:
        return []
    found = plans(
        standard=standard,
        as_of=as_of or timezone.localdate(),
        scope=PlanScope(graduate_ids=[graduate_id]),
        entries=True,
    )
    return found[0].obligations if found else []


def summarise(found: list[GraduatePlan]) -> dict[str, int]:
    counts = Counter(o.state for plan in found for o in plan.obligations)
    return {state: counts.get(state, 0) for state in PlanState.values}


def plans_json(*, standard: ServiceStandard, as_of: datetime.date, scope: PlanScope) -> dict:
    """The `service_plans --json` document (issue 9's shape exactly)."""
    found = plans(standard=standard, as_of=as_of, scope=scope)
    return {
        "as_of": as_of.isoformat(),
        "standard": standard.code,
        "graduates": [
            {
                "id_number": plan.id_number,
                "obligations": [
                    {
                        "service": o.service_label,
                        "required": o.required,
                        "done": o.done,
                        "due": o.due.isoformat(),
                        "state": o.state,
                    }
                    for o in plan.obligations
                ],
            }
            for plan in found
        ],
        "summary": summarise(found),
    }


@dataclass
class ComplianceRow:
    """Counts of obligations per state for one group (an office, a prefecture, or the total) and one rule (None:
    every rule)."""

    key: str | None
    rule_id: int | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def kept(self) -> int:
        """met + late: the share of obligations given at all."""
        return self.counts.get("met", 0) + self.counts.get("late", 0)


COMPLIANCE_GROUPS = {
    # The responsible office's id, or its prefecture (the first 4 digits of the office's region code).
    "office": "p.office_id::text",
    "prefecture": "left(o.region_id, 4)",
}


def compliance(
    *, standard: ServiceStandard, as_of: datetime.date, scope: PlanScope, group_by: str = "office"
) -> list[ComplianceRow]:
    """Obligations per state for each group × rule, each group's total, each rule's total and the grand total:
    one query (GROUPING SETS over the plan)."""
    key = COMPLIANCE_GROUPS[group_by]  # one of two fixed expressions, never user text
    rows = _run(
        standard=standard,
        as_of=as_of,
        scope=scope,
        select=f"""
        SELECT {key} AS k, p.rule_id, p.plan_state, count(*)
        FROM p JOIN core_office o ON o.id = p.office_id
        GROUP BY GROUPING SETS (({key}, p.rule_id, p.plan_state), ({key}, p.plan_state),
                                (p.rule_id, p.plan_state), (p.plan_state))
        """,  # noqa: S608 - KEY is one of COMPLIANCE_GROUPS' fixed expressions, values as parameters
    )
    table: dict[tuple[str | None, int | None], dict[str, int]] = {}
    for k, rule_id, state, count in rows:
        table.setdefault((k, rule_id), dict.fromkeys(PlanState.values, 0))[state] = count
    return [ComplianceRow(key=k, rule_id=rule_id, counts=counts) for (k, rule_id), counts in table.items()]


def worklist(
    *, standard: ServiceStandard, as_of: datetime.date, scope: PlanScope, days: int = 7, limit: int = 200
) -> dict[str, list[dict]]:
    """Obligations overdue, and due within DAYS of AS_OF (this week), oldest due first, at most LIMIT of each,
    in one query: {"overdue": [row], "due": [row]} (the caller masks the ID numbers)."""
    rows = _run(
        standard=standard,
        as_of=as_of,
        scope=scope,
        select="""
        SELECT w.plan_state, w.id, gg.name, gg.id_number, w.service_type, w.required, w.done, w.due, w.n FROM (
            SELECT p.plan_state, p.id, p.service_type, p.required, p.done, p.due,
                   row_number() OVER (PARTITION BY p.plan_state ORDER BY p.due, p.id, p.position) AS n
            FROM p
            WHERE p.plan_state = 'overdue' OR (p.plan_state = 'due' AND p.due <= %(as_of)s + %(days)s)
        ) w JOIN graduates_graduate gg ON gg.id = w.id
        WHERE w.n <= %(limit)s ORDER BY w.plan_state, w.due, w.id
        """,
        extra={"days": days, "limit": limit},
    )
    result: dict[str, list[dict]] = {"overdue": [], "due": []}
    for state, gid, name, id_number, stype, required, done, due, _n in rows:
        result[state].append(
            {
                "graduate_id": gid,
                "name": name,
                "id_number": decrypt(id_number),
                "service": str(ServiceType(stype).label),
                "required": required,
                "done": done,
                "due": due,
            }
        )
    return result


# --- The obligations kept as rows (services_obligation) ---------------------------------------------------------

REFRESH_INSERT = """
INSERT INTO services_obligation (graduate_id, rule_id, standard_id, office_id, staff_id, position, service_type,
    required, anchor, due, done, by_due, closed, open)
SELECT p.id, p.rule_id, %(standard)s, p.office_id, p.staff_id, p.position, p.service_type, p.required,
       p.anchor_day, p.due, p.done, p.by_due, p.state = ANY(%(closed)s),
       p.plan_state IN ('due', 'overdue')
FROM p
ON CONFLICT (graduate_id, rule_id) DO NOTHING  -- a graduate refreshed meanwhile by a logged service: fresher
"""

# A few graduates' rows in one statement: upsert what the plan says, delete what it no longer says.
REFRESH_SOME = """,
ins AS (
    INSERT INTO services_obligation (graduate_id, rule_id, standard_id, office_id, staff_id, position, service_type,
        required, anchor, due, done, by_due, closed, open)
    SELECT p.id, p.rule_id, %(standard)s, p.office_id, p.staff_id, p.position, p.service_type, p.required,
           p.anchor_day, p.due, p.done, p.by_due, p.state = ANY(%(closed)s), p.plan_state IN ('due', 'overdue')
    FROM p
    ON CONFLICT (graduate_id, rule_id) DO UPDATE SET standard_id = EXCLUDED.standard_id,
        office_id = EXCLUDED.office_id, staff_id = EXCLUDED.staff_id, position = EXCLUDED.position,
        service_type = EXCLUDED.service_type, required = EXCLUDED.required, anchor = EXCLUDED.anchor,
        due = EXCLUDED.due, done = EXCLUDED.done, by_due = EXCLUDED.by_due, closed = EXCLUDED.closed,
        open = EXCLUDED.open
    RETURNING 1
)
DELETE FROM services_obligation o
WHERE o.graduate_id = ANY(%(scope_graduates)s)
    AND NOT EXISTS (SELECT 1 FROM p WHERE p.id = o.graduate_id AND p.rule_id = o.rule_id)
"""


def refresh_obligations(
    *, standard: ServiceStandard | None = None, graduate_ids: list[int] | None = None
) -> int:
    """Recompute the kept obligations under STANDARD (default: the active one) as of today: of GRADUATE_IDS (one
    statement: upsert what the plan says, delete what it no longer says; in the caller's transaction), or of
    everyone (a DELETE and an INSERT … SELECT in one transaction, the snapshot's time recorded; returns the rows)."""
    from django.db import transaction

    standard = standard or active_standard()
    if standard is None:
        return 0
    as_of = timezone.localdate()
    started = timezone.now()
    scope = PlanScope(graduate_ids=graduate_ids)
    where, params = scope.where()
    values = {
        **params,
        "standard": standard.pk,
        "as_of": as_of,
        "tz": settings.TIME_ZONE,
        "closed": list(CLOSED_GRADUATE_STATES),
    }
    plan = PLAN_SQL.format(where=where, entries="NULL::bigint[]")
    if graduate_ids is not None:
        with connection.cursor() as cursor:
            # One refresh of a graduate at a time, held to the end of the caller's transaction: a second clerk's
            # refresh waits, then its statement sees the first one's service (else the later upsert would write
            # counts that miss it).
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext('services.obligation'), (s.id %% 2147483647)::int) "
                "FROM (SELECT DISTINCT id FROM unnest(%s::bigint[]) AS u(id) ORDER BY id) s",
                [list(graduate_ids)],
            )
            cursor.execute(plan.rstrip() + REFRESH_SOME, values)
        return len(graduate_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        # One refresh at a time; readers keep seeing the previous rows until this commits.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('services.refresh_obligations'))")
        cursor.execute("DELETE FROM services_obligation")
        cursor.execute(plan + REFRESH_INSERT, values)
        rows = cursor.rowcount
        PlanSnapshot.objects.filter(standard__province=standard.province).exclude(standard=standard).delete()
        PlanSnapshot.objects.update_or_create(
            standard=standard,
            defaults={
                "as_of": as_of,
                "refreshed_at": timezone.now(),
                "seconds": (timezone.now() - started).total_seconds(),
                "rows": rows,
            },
        )
    return rows


def snapshot_usable(standard: ServiceStandard, as_of: datetime.date) -> PlanSnapshot | None:
    """The snapshot of STANDARD when the pages may read it for AS_OF (not before it was computed, not in the
    future), else None: the pages then compute live."""
    if as_of > timezone.localdate():
        return None
    return PlanSnapshot.objects.filter(standard=standard, as_of__lte=as_of).first()


SNAPSHOT_STATE = """CASE WHEN o.by_due >= o.required THEN 'met' WHEN o.done >= o.required THEN 'late'
    WHEN o.closed THEN 'closed' WHEN %(as_of)s > o.due THEN 'overdue' ELSE 'due' END"""


def _snapshot_where(scope: PlanScope, params: dict) -> str:
    clauses = ["o.standard_id = %(standard)s"]
    if scope.office_ids is not None and len(scope.office_ids) == 1:
        # One office (a county): its rows in due order straight from the (office, due) index.
        clauses.append("o.office_id = %(scope_office)s")
        params["scope_office"] = next(iter(scope.office_ids))
    elif scope.office_ids is not None:
        clauses.append("o.office_id = ANY(%(scope_offices)s)")
        params["scope_offices"] = list(scope.office_ids)
    if scope.graduate_ids is not None:
        clauses.append("o.graduate_id = ANY(%(scope_graduates)s)")
        params["scope_graduates"] = list(scope.graduate_ids)
    if scope.staff_id is not None:
        clauses.append("o.staff_id = %(scope_staff)s")
        params["scope_staff"] = scope.staff_id
    return " AND ".join(clauses)


def compliance_from_snapshot(
    *, standard: ServiceStandard, as_of: datetime.date, scope: PlanScope, group_by: str = "office"
) -> list[ComplianceRow]:
    """As compliance(), from the kept obligations: one GROUP BY over the rows of the scope."""
    key = {"office": "o.office_id::text", "prefecture": "left(f.region_id, 4)"}[group_by]
    params: dict = {"standard": standard.pk, "as_of": as_of}
    where = _snapshot_where(scope, params)
    sql = f"""
        SELECT {key} AS k, o.rule_id, {SNAPSHOT_STATE} AS state, count(*)
        FROM services_obligation o JOIN core_office f ON f.id = o.office_id
        WHERE {where}
        GROUP BY GROUPING SETS (({key}, o.rule_id, 3), ({key}, 3), (o.rule_id, 3), (3))
    """  # noqa: S608 - KEY and WHERE are fixed expressions, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    table: dict[tuple[str | None, int | None], dict[str, int]] = {}
    for k, rule_id, state, count in rows:
        table.setdefault((k, rule_id), dict.fromkeys(PlanState.values, 0))[state] = count
    return [ComplianceRow(key=k, rule_id=rule_id, counts=counts) for (k, rule_id), counts in table.items()]


def worklist_from_snapshot(
    *, standard: ServiceStandard, as_of: datetime.date, scope: PlanScope, days: int = 7, limit: int = 200
) -> dict[str, list[dict]]:
    """As worklist(), from the kept open obligations: two index-ordered reads (overdue, due within DAYS)."""
    params: dict = {"standard": standard.pk, "as_of": as_of, "until": as_of + datetime.timedelta(days=days),
                    "limit": limit}  # fmt: skip
    where = _snapshot_where(scope, params)
    result: dict[str, list[dict]] = {"overdue": [], "due": []}
    parts = {
        "overdue": "o.due < %(as_of)s AND NOT o.closed",
        "due": "o.due >= %(as_of)s AND o.due <= %(until)s AND NOT o.closed",
    }
    with connection.cursor() as cursor:
        for state, condition in parts.items():
            cursor.execute(
                f"""
                SELECT o.graduate_id, g.name, g.id_number, o.service_type, o.required, o.done, o.due
                FROM services_obligation o JOIN graduates_graduate g ON g.id = o.graduate_id
                WHERE o.open AND {where} AND {condition}
                ORDER BY o.due, o.graduate_id, o.position LIMIT %(limit)s
                """,  # noqa: S608 - fixed conditions, values as parameters
                params,
            )
            for gid, name, id_number, stype, required, done, due in cursor.fetchall():
                result[state].append(
                    {"graduate_id": gid, "name": name, "id_number": decrypt(id_number),
                     "service": str(ServiceType(stype).label), "required": required, "done": done, "due": due}
                )  # fmt: skip
    return result
