"""Writes to the registry. Views, admin, API, commands, tasks and the other apps call these: no module outside
`graduates/` writes a Graduate or its history (tests/test_write_path.py checks)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core.audit import record_audit
from core.crypto import blind_index
from core.models import Office, OfficeKind, Region, User
from core.scope import scope_for

from .checks import mask_id_number
from .codes import (
    ALLOWED_TRANSITIONS,
    DESTINATIONS_EMPLOYED,
    MANUAL_TRANSITIONS,
    Destination,
    SourceChannel,
    State,
    VisitOutcome,
)
from .models import TRACKED_FIELDS, FollowUpVisit, Graduate, GraduateChange, GraduateQuerySet, GraduateSource

# Derived from the ID number inside Graduate.clean(), so not checked as blank before it runs.
DERIVED_FIELDS = ["birth_date", "gender"]


class StaleRecord(Exception):
    """The record was changed by someone else since the user loaded it."""


@dataclass(frozen=True)
class DuplicateGraduate(Exception):
    """A graduate with this ID number is already registered for this cohort."""

    existing: Graduate

    def __str__(self) -> str:
        return f"duplicate of graduate {self.existing.pk}"


def office_for_origin(region: Region | None) -> Office | None:
    """The employment office that receives graduates from REGION: the deepest office whose region covers it,
    down to prefecture level, or to county level where the province hands over to counties."""
    if region is None:
        return None
    code = region.successor_id or region.code if region.valid_to else region.code
    province_bureau = Office.objects.filter(kind=OfficeKind.BUREAU, region_id=code[:2] + "0000").first()
    if province_bureau is None:
        return None
    candidates = [code[:4] + "00"]
    if province_bureau.handover_to_county:
        candidates.insert(0, code)
    for candidate in candidates:
        office = Office.objects.employment_offices().active().filter(region_id=candidate).first()
        if office is not None:
            return office
    return province_bureau


def responsible_office_for_new_record(*, acting_user: User, origin_region: Region | None) -> Office:
    """A record entered by an office stays with that office (it met the graduate); the bureau's go by origin."""
    office = acting_user.office
    if office is None or not office.is_employment_office:
        raise PermissionDenied("只有就业服务机构的工作人员可以登记毕业生。")
    if office.kind == OfficeKind.BUREAU:
        return office_for_origin(origin_region) or office
    return office


def _snapshot(graduate: Graduate) -> dict:
    return {name: getattr(graduate, name) for name in TRACKED_FIELDS}


def _jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


def _diff(before: dict, after: dict) -> dict:
    return {
        name: [_history_value(name, before[name]), _history_value(name, after[name])]
        for name in TRACKED_FIELDS
        if before[name] != after[name]
    }


def _history_value(name: str, value):
    """A value as the field history keeps it: ID numbers only masked (encryption at rest: the record holds the
    number, encrypted; the history must not hold it in clear)."""
    if name == "id_number":
        return mask_id_number(value or "")
    return _jsonable(value)


def _existing(id_number: str, cohort: int) -> Graduate | None:
    return (
        Graduate.objects.with_id_number(id_number)
        .filter(cohort=cohort)
        .select_related("responsible_office")
        .first()
    )


@transaction.atomic
def create_graduate(
    *,
    graduate: Graduate,
    acting_user: User,
    channel: str = SourceChannel.WALK_IN,
    reference: str = "",
) -> Graduate:
    """Register an unsaved GRADUATE entered by ACTING_USER's office. Raises DuplicateGraduate when the ID number
    is already registered for the cohort (the caller leads the user to that record), ValidationError when a
    check fails."""
    graduate.responsible_office = responsible_office_for_new_record(
        acting_user=acting_user, origin_region=graduate.origin_region
    )
    graduate.sources = sorted(set(graduate.sources or []) | {channel})
    # Duplicates are answered with the existing record (DuplicateGraduate), not a constraint error; the unique
    # constraint still stops a race between two offices.
    graduate.full_clean(exclude=DERIVED_FIELDS, validate_constraints=False)
    existing = _existing(graduate.id_number, graduate.cohort)
    if existing is not None:
        raise DuplicateGraduate(existing)
    now = timezone.now()
    graduate.created_at = graduate.state_changed_at = now
    try:
        with transaction.atomic():  # a savepoint: the constraint error of a race must not end the transaction
            graduate.save()
    except IntegrityError:
        # Another post registered the same ID number and cohort in the meantime: answer like any duplicate.
        graduate.pk = None
        existing = _existing(graduate.id_number, graduate.cohort)
        if existing is None:
            raise
        raise DuplicateGraduate(existing) from None
    GraduateSource.objects.create(
        graduate=graduate,
        channel=channel,
        reference=reference,
        office=acting_user.office,
        created_by=acting_user,
    )
    GraduateChange.objects.create(
        graduate=graduate,
        kind=GraduateChange.Kind.CREATED,
        actor=acting_user,
        office=acting_user.office,
        changes={},
        note=SourceChannel(channel).label,
    )
    record_audit(action="graduate.created", actor=acting_user, obj=graduate)
    return graduate


@transaction.atomic
def update_graduate(*, graduate: Graduate, acting_user: User, expected_version: int) -> Graduate:
    """Save the edits made on GRADUATE (an instance loaded, then changed by a form). Refuses when someone else
    saved in between (StaleRecord), records each changed field with its old and new value."""
    _ensure_in_scope(graduate, acting_user)
    before = _snapshot(Graduate.objects.select_for_update().get(pk=graduate.pk))
    graduate.full_clean(exclude=DERIVED_FIELDS, validate_constraints=False)
    other = (
        Graduate.objects.with_id_number(graduate.id_number)
        .filter(cohort=graduate.cohort)
        .exclude(pk=graduate.pk)
    )
    if other.exists():
        raise DuplicateGraduate(other.select_related("responsible_office").get())
    changes = _diff(before, _snapshot(graduate))
    if not changes:
        return graduate
    hand_edited = sorted(set(graduate.hand_edited or []) | set(changes))
    updated = Graduate.objects.filter(pk=graduate.pk, version=expected_version).update(
        **{name: getattr(graduate, name) for name in changes},
        hand_edited=hand_edited,
        birth_date=graduate.birth_date,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated == 0:
        raise StaleRecord()
    GraduateChange.objects.create(
        graduate=graduate,
        kind=GraduateChange.Kind.UPDATED,
        actor=acting_user,
        office=acting_user.office,
        changes=changes,
    )
    record_audit(action="graduate.updated", actor=acting_user, obj=graduate, data={"fields": sorted(changes)})
    graduate.refresh_from_db()
    return graduate


def _ensure_in_scope(graduate: Graduate, user: User) -> None:
    if not scope_for(user).covers_office(graduate.responsible_office_id):
        raise PermissionDenied("该毕业生不在您的管辖范围内。")


def can_transition(from_state: str, to_state: str, *, manual: bool = False) -> bool:
    """Whether the notices allow FROM_STATE → TO_STATE (MANUAL: as a clerk's own state change)."""
    table = MANUAL_TRANSITIONS if manual else ALLOWED_TRANSITIONS
    return to_state in table.get(from_state, frozenset())


@transaction.atomic
def change_state(*, graduate: Graduate, to_state: str, acting_user: User, note: str = "") -> Graduate:
    """Move GRADUATE to TO_STATE if the notices allow that step (codes.ALLOWED_TRANSITIONS)."""
    _ensure_in_scope(graduate, acting_user)
    graduate = Graduate.objects.select_for_update().get(pk=graduate.pk)
    if not can_transition(graduate.state, to_state, manual=True):
        raise ValidationError(
            f"不能从“{State(graduate.state).label}”直接变更为“{State(to_state).label}”。", code="transition"
        )
    _set_state(graduate, to_state, acting_user=acting_user, note=note)
    return graduate


def _set_state(
    graduate: Graduate, to_state: str, *, acting_user: User, note: str = "", extra: dict | None = None
):
    changes = {"state": [graduate.state, to_state], **(extra or {})}
    graduate.state = to_state
    graduate.state_changed_at = timezone.now()
    graduate.version += 1
    graduate.save(update_fields=["state", "state_changed_at", "version", "updated_at", "destination"])
    GraduateChange.objects.create(
        graduate=graduate,
        kind=GraduateChange.Kind.STATE,
        actor=acting_user,
        office=acting_user.office,
        changes=changes,
        note=note[:200],
    )
    record_audit(action="graduate.state_changed", actor=acting_user, obj=graduate, data={"to": to_state})


def state_after_destination(current: str, destination: str) -> str:
    """The state a visit's destination leads to: employment (1–10) → 已就业; 13 → 升学出国 (settled, not
    employment); 14 → 暂不就业; else 已核实."""
    if destination in DESTINATIONS_EMPLOYED:
        return State.EMPLOYED
    if destination == Destination.STUDY:
        return State.STUDYING
    if destination == Destination.NOT_SEEKING:
        return State.NOT_SEEKING
    return State.VERIFIED


@transaction.atomic
def record_visit(
    *,
    graduate: Graduate,
    acting_user: User,
    visited_on: datetime.date,
    method: str,
    outcome: str = VisitOutcome.REACHED,
    destination: str = "",
    employer: str = "",
    note: str = "",
) -> FollowUpVisit:
    """Log a follow-up visit (回访). A reached graduate's record takes the visit's destination when it is the
    latest visit, and its state follows (已就业 / 暂不就业 / 已核实); the visits' history stays."""
    _ensure_in_scope(graduate, acting_user)
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": "回访日期不能晚于今天。"})
    if outcome == VisitOutcome.NOT_REACHED and destination:
        raise ValidationError({"destination": "未联系上时不能填写就业去向。"})
    graduate = Graduate.objects.select_for_update().get(pk=graduate.pk)
    visit = FollowUpVisit.objects.create(
        graduate=graduate,
        visited_on=visited_on,
        method=method,
        outcome=outcome,
        destination=destination,
        employer=employer,
        note=note,
        staff=acting_user,
        office=acting_user.office or graduate.responsible_office,  # a superuser has no office of its own
    )
    latest = graduate.visits.filter(outcome=VisitOutcome.REACHED).exclude(destination="").first()
    if outcome == VisitOutcome.REACHED and graduate.state != State.TRANSFERRED:
        new_destination = latest.destination if latest is not None else graduate.destination
        target = state_after_destination(graduate.state, new_destination) if new_destination else None
        if target is None and graduate.state in (State.WAITING, State.UNREACHABLE):
            target = State.VERIFIED
        extra = {}
        if new_destination != graduate.destination:
            extra["destination"] = [graduate.destination, new_destination]
            graduate.destination = new_destination
        if target is not None and target != graduate.state:
            _set_state(graduate, target, acting_user=acting_user, note="回访", extra=extra)
        elif extra:
            graduate.version += 1
            graduate.save(update_fields=["destination", "version", "updated_at"])
            GraduateChange.objects.create(
                graduate=graduate,
                kind=GraduateChange.Kind.UPDATED,
                actor=acting_user,
                office=acting_user.office,
                changes=extra,
                note="回访",
            )
    record_audit(action="graduate.visit_recorded", actor=acting_user, obj=graduate, data={"visit": visit.pk})
    return visit


@transaction.atomic
def assign_staff(*, graduates: GraduateQuerySet, staff: User | None, acting_user: User) -> int:
    """Give the selected graduates to STAFF (a user of the graduate's responsible office), set-based."""
    graduates = graduates.in_scope_of(acting_user)
    if staff is not None:
        graduates = graduates.filter(responsible_office=staff.office_id)
    rows = list(graduates.exclude(staff=staff).values_list("pk", "staff_id"))
    if not rows:
        return 0
    _bulk_change(
        rows,
        field="staff_id",
        new_value=staff.pk if staff else None,
        kind=GraduateChange.Kind.ASSIGNED,
        acting_user=acting_user,
        updates={"staff": staff},
    )
    ids = [pk for pk, _ in rows]
    record_audit(
        action="graduate.bulk_assigned",
        actor=acting_user,
        data={"count": len(ids), "staff": staff and staff.pk},
    )
    return len(ids)


def _bulk_change(
    rows, *, field: str, new_value, kind: str, acting_user: User, updates: dict, note: str = ""
) -> None:
    """Set-based update of the records in ROWS ([(pk, old value)]) with one history row each."""
    now = timezone.now()
    Graduate.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        **updates, version=F("version") + 1, updated_at=now
    )
    with connection.cursor() as cursor:
        _write_history(
            cursor,
            rows=[(pk, {field: [old, new_value]}) for pk, old in rows],
            kind=kind,
            acting_user=acting_user,
            note=note,
            at=now,
        )


@transaction.atomic
def mark_unreachable(*, graduates: GraduateQuerySet, acting_user: User, note: str = "") -> int:
    """Mark the selected graduates 无法联系 where a clerk may make that step; returns how many changed."""
    ids = list(graduates.in_scope_of(acting_user).values_list("pk", flat=True))
    moved = move_states(
        graduate_ids=ids, to_state=State.UNREACHABLE, acting_user=acting_user, note=note, manual=True
    )
    if moved:
        record_audit(action="graduate.bulk_unreachable", actor=acting_user, data={"count": len(moved)})
    return len(moved)


# --- Set-based writes for the other apps ---------------------------------------------------------------------
# The handover (dispatch, the 待分配 queue, passing down, transfers, contact work, report-in, the Education side's
# answers) moves graduates only through these functions. Each one is one UPDATE … FROM unnest(…) that bumps
# `version`, then `_write_history`, which writes one GraduateChange row per changed record.


# The one place the history of a set-based write is written: one row per changed record, selected from a
# source with columns (id, changes) — a data-modifying CTE of the UPDATE itself, or unnest() of Python values.
HISTORY_INSERT = (
    "INSERT INTO graduates_graduatechange (graduate_id, at, kind, actor_id, office_id, changes, note) "
    "SELECT h.id, %(h_at)s, %(h_kind)s, %(h_actor)s, %(h_office)s, h.changes, %(h_note)s FROM "
)


def _history_params(*, kind: str, acting_user: User | None, note: str, at: datetime.datetime) -> dict:
    return {
        "h_at": at,
        "h_kind": kind,
        "h_actor": acting_user.pk if acting_user else None,
        "h_office": acting_user.office_id if acting_user else None,
        "h_note": note[:200],
    }


def _write_history(
    cursor,
    *,
    rows: list[tuple[int, dict]],
    kind: str,
    acting_user: User | None,
    note: str,
    at: datetime.datetime,
) -> None:
    """One history row per (graduate id, {field: [old, new]}) in ROWS, in one INSERT."""
    if not rows:
        return
    cursor.execute(
        HISTORY_INSERT + "unnest(%(ids)s::bigint[], %(changes)s::jsonb[]) AS h(id, changes)",
        {
            **_history_params(kind=kind, acting_user=acting_user, note=note, at=at),
            "ids": [pk for pk, _ in rows],
            "changes": [json.dumps(changes, ensure_ascii=False) for _, changes in rows],
        },
    )


@transaction.atomic
def reassign_offices(
    *,
    targets: list[tuple[int, int]],
    acting_user: User,
    note: str,
    from_office_id: int | None = None,
    clear_staff: bool = False,
    kind: str = GraduateChange.Kind.HANDOVER,
) -> dict[int, int]:
    """Give each graduate in TARGETS ([(graduate id, office id)]) to that office. With FROM_OFFICE_ID only the
    records that office still holds move (the condition is re-checked on the locked row, so a record another
    action moved meanwhile is left alone, never overwritten); 已转出 records never move. CLEAR_STAFF drops the
    staff member of the office that gave it up. Returns {graduate id: new office id} of the records that moved."""
    if not targets:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH upd AS (
                UPDATE graduates_graduate g SET responsible_office_id = t.office_id,
                    staff_id = CASE WHEN %(clear)s THEN NULL ELSE g.staff_id END,
                    version = g.version + 1, updated_at = %(h_at)s
                FROM unnest(%(ids)s::bigint[], %(offices)s::bigint[]) AS t(graduate_id, office_id),
                    graduates_graduate old
                WHERE g.id = t.graduate_id AND old.id = g.id
                    AND g.responsible_office_id IS DISTINCT FROM t.office_id AND g.state <> 'transferred'
                    AND (%(from)s::bigint IS NULL OR g.responsible_office_id = %(from)s::bigint)
                RETURNING g.id, t.office_id,
                    jsonb_build_object('responsible_office_id',
                                       jsonb_build_array(old.responsible_office_id, t.office_id))
                    || CASE WHEN %(clear)s AND old.staff_id IS NOT NULL
                            THEN jsonb_build_object('staff_id', jsonb_build_array(old.staff_id, NULL))
                            ELSE '{}'::jsonb END AS changes
            ), history AS ("""
            + HISTORY_INSERT
            + """upd h)
            SELECT id, office_id FROM upd
            """,
            {
                **_history_params(kind=kind, acting_user=acting_user, note=note, at=timezone.now()),
                "ids": [g for g, _ in targets],
                "offices": [o for _, o in targets],
                "from": from_office_id,
                "clear": clear_staff,
            },
        )
        return dict(cursor.fetchall())


@transaction.atomic
def move_states(
    *,
    graduate_ids: list[int],
    to_state: str,
    acting_user: User,
    note: str = "",
    from_states: frozenset[str] | set[str] | None = None,
    manual: bool = False,
) -> list[int]:
    """Move the graduates to TO_STATE where codes.ALLOWED_TRANSITIONS (MANUAL: MANUAL_TRANSITIONS) allows the step
    from their current state, and FROM_STATES (when given) contains it; the rest stay as they are. Returns the
    ids that moved."""
    table = MANUAL_TRANSITIONS if manual else ALLOWED_TRANSITIONS
    allowed_from = [s for s, targets in table.items() if to_state in targets]
    if from_states is not None:
        allowed_from = [s for s in allowed_from if s in from_states]
    if not graduate_ids or not allowed_from:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH old AS (
                -- Locking reads the latest version of each row, so the history shows the state it really left.
                SELECT id, state FROM graduates_graduate
                WHERE id = ANY(%(ids)s) AND state = ANY(%(from)s) FOR UPDATE
            ), upd AS (
                UPDATE graduates_graduate g SET state = %(to)s, state_changed_at = %(h_at)s,
                    version = g.version + 1, updated_at = %(h_at)s
                FROM old WHERE g.id = old.id
                RETURNING g.id, jsonb_build_object('state', jsonb_build_array(old.state, g.state)) AS changes
            ), history AS ("""
            + HISTORY_INSERT
            + """upd h)
            SELECT id FROM upd ORDER BY id
            """,
            {
                **_history_params(
                    kind=GraduateChange.Kind.STATE, acting_user=acting_user, note=note, at=timezone.now()
                ),
                "ids": list(graduate_ids),
                "from": allowed_from,
                "to": to_state,
            },
        )
        return [pk for (pk,) in cursor.fetchall()]


def mark_left_province(*, graduate_id: int, acting_user: User, note: str) -> bool:
    """The graduate left the province (a transfer out of it): 已转出, final. False when already so."""
    return bool(
        move_states(
            graduate_ids=[graduate_id], to_state=State.TRANSFERRED, acting_user=acting_user, note=note
        )
    )


# The contact details another side may send back for a graduate (the Education side's answers).
CONTACT_DETAIL_FIELDS = ("mobile", "email", "landline")


@transaction.atomic
def set_contact_details(
    *,
    details: dict[int, dict[str, str]],
    expected_states: dict[int, str],
    acting_user: User,
    note: str,
    then_state: str | None = None,
) -> list[int]:
    """Set new contact details ({graduate id: {field: checked value}}, fields from CONTACT_DETAIL_FIELDS) on
    records still in the state the caller read (EXPECTED_STATES; the rows are locked, so a record another clerk
    moved meanwhile is left alone). A record whose details really change moves on to THEN_STATE where the
    transition table allows it. Returns the ids that changed."""
    if not details:
        return []
    now = timezone.now()
    locked = {
        g["pk"]: g
        for g in Graduate.objects.select_for_update()
        .filter(pk__in=list(details))
        .values("pk", "state", *CONTACT_DETAIL_FIELDS)
    }
    history, updates = [], []
    for pk, values in details.items():
        row = locked.get(pk)
        if row is None or row["state"] != expected_states.get(pk):
            continue
        diff = {f: [row[f], v] for f, v in values.items() if f in CONTACT_DETAIL_FIELDS and row[f] != v}
        if not diff:
            continue
        new_state = row["state"]
        if then_state and then_state != row["state"] and can_transition(row["state"], then_state):
            diff["state"] = [row["state"], then_state]
            new_state = then_state
        merged = {f: diff[f][1] if f in diff else row[f] for f in CONTACT_DETAIL_FIELDS}
        updates.append((pk, merged, new_state))
        history.append((pk, diff))
    if not updates:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE graduates_graduate g SET mobile = t.mobile, email = t.email, landline = t.landline,
                state_changed_at = CASE WHEN g.state <> t.state THEN %(now)s ELSE g.state_changed_at END,
                state = t.state, version = g.version + 1, updated_at = %(now)s
            FROM unnest(%(ids)s::bigint[], %(mobile)s::text[], %(email)s::text[], %(landline)s::text[],
                        %(state)s::text[]) AS t(id, mobile, email, landline, state)
            WHERE g.id = t.id
            """,
            {
                "ids": [pk for pk, _, _ in updates],
                "mobile": [m["mobile"] for _, m, _ in updates],
                "email": [m["email"] for _, m, _ in updates],
                "landline": [m["landline"] for _, m, _ in updates],
                "state": [s for _, _, s in updates],
                "now": now,
            },
        )
        _write_history(
            cursor, rows=history, kind=GraduateChange.Kind.UPDATED, acting_user=acting_user, note=note, at=now
        )
    return [pk for pk, _ in history]


def add_timeline_note(
    *, graduate_id: int, acting_user: User, note: str, kind: str = GraduateChange.Kind.HANDOVER
) -> None:
    """A step of another app that changes no field of the record but belongs on its timeline (a transfer
    requested, rejected or withdrawn)."""
    GraduateChange.objects.create(
        graduate_id=graduate_id,
        kind=kind,
        actor=acting_user,
        office=acting_user.office,
        changes={},
        note=note[:200],
    )


# --- Self-registration (本人登记, seed 002's 求职登记小程序) ---------------------------------------------------------
# What a graduate's own registration may set on a record. A field an office changed by hand (hand_edited) is never
# overwritten: it becomes a conflict on the lead, for the office to resolve.
SELF_REGISTRATION_FIELDS = (
    "name", "mobile", "email", "university_name", "graduation_date", "education", "major", "origin_region_id",
    "intentions", "service_needs",
)  # fmt: skip


def _same(old, new) -> bool:
    if isinstance(old, (list, tuple)) or isinstance(new, (list, tuple)):
        return sorted(old or []) == sorted(new or [])
    return old == new


def _self_registration_changes(existing: Graduate, incoming: Graduate) -> tuple[dict, list[dict]]:
    """The fields INCOMING would change on EXISTING ({field: [old, new]}), and those held back as conflicts."""
    hand_edited = set(existing.hand_edited or [])
    changes: dict = {}
    conflicts: list[dict] = []
    for name in SELF_REGISTRATION_FIELDS:
        new = getattr(incoming, name)
        old = getattr(existing, name)
        if new in (None, "", []) or _same(old, new):
            continue
        field = name.removesuffix("_id")
        if name in hand_edited or field in hand_edited:
            conflicts.append({
                "field": field,
                "label": str(getattr(Graduate._meta.get_field(field), "verbose_name", field)),
                "office_value": _jsonable(old),
                "self_value": _jsonable(new),
            })  # fmt: skip
            continue
        changes[name] = [_jsonable(old), _jsonable(new)]
    return changes, conflicts


@transaction.atomic
def register_self(
    *,
    graduate: Graduate,
    office: Office,
    requested_office: Office | None,
    due_on: datetime.date,
    reference: str,
):
    """A graduate's own registration (checked by graduates/selfreg/validation.py): create the record for OFFICE,
    or link the existing one of that ID number and cohort (its responsible office keeps it). Either way the
    source 本人登记 is kept with REFERENCE, and a lead (SelfRegistration) due on DUE_ON goes on the worklist of
    the office holding the record. Returns the lead. No user acts: the history shows the graduate's own entry."""
    from .models import SelfRegistration

    note = SourceChannel.SELF.label
    now = timezone.now()
    lookup = {"id_number_digest": blind_index(graduate.id_number), "cohort": graduate.cohort}
    existing = Graduate.objects.select_for_update().filter(**lookup).first()
    conflicts: list[dict] = []
    if existing is None:
        graduate.responsible_office = office
        graduate.sources = [SourceChannel.SELF]
        graduate.state = State.WAITING
        graduate.created_at = graduate.state_changed_at = now
        try:
            with transaction.atomic():  # a savepoint: two submissions at once give one record
                graduate.save()
        except IntegrityError:
            graduate.pk = None
            existing = Graduate.objects.select_for_update().filter(**lookup).first()
            if existing is None:
                raise
        else:
            GraduateChange.objects.create(
                graduate=graduate, kind=GraduateChange.Kind.CREATED, changes={}, note=note
            )
    created = existing is None
    if existing is not None:
        changes, conflicts = _self_registration_changes(existing, graduate)
        for name in changes:
            setattr(existing, name, getattr(graduate, name))
        if SourceChannel.SELF not in (existing.sources or []):
            sources = sorted({*(existing.sources or []), SourceChannel.SELF})
            changes["sources"] = [list(existing.sources or []), sources]
            existing.sources = sources
        # New contact details bring an unreachable graduate back to 待联系 (codes.SYSTEM_ONLY_TRANSITIONS).
        if existing.state == State.UNREACHABLE and ({"mobile", "email"} & set(changes)):
            changes["state"] = [existing.state, State.WAITING]
            existing.state, existing.state_changed_at = State.WAITING, now
        if changes:
            existing.version += 1
            existing.save(update_fields=[*changes, "state_changed_at", "version", "updated_at"])
            GraduateChange.objects.create(
                graduate=existing, kind=GraduateChange.Kind.UPDATED, changes=changes, note=note
            )
        graduate = existing
    GraduateSource.objects.get_or_create(
        graduate=graduate,
        channel=SourceChannel.SELF,
        reference=reference[:200],
        defaults={"office": requested_office or graduate.responsible_office, "received_at": now},
    )
    lead = SelfRegistration.objects.create(
        graduate=graduate,
        office_id=graduate.responsible_office_id,
        requested_office=requested_office,
        created_record=created,
        received_at=now,
        due_on=due_on,
        conflicts=conflicts,
    )
    record_audit(action="graduate.self_registered", actor=None, obj=graduate, data={"lead": lead.pk})
    return lead


@transaction.atomic
def resolve_self_registration_conflict(*, lead_id: int, field: str, accept: bool, acting_user: User):
    """The office decides one conflict of a self-registration: ACCEPT takes the graduate's value (an office's
    edit, in the history), else the office's value stays (noted on the timeline). Returns the lead."""
    from .models import SelfRegistration

    lead = SelfRegistration.objects.select_for_update().select_related("graduate").get(pk=lead_id)
    _ensure_in_scope(lead.graduate, acting_user)
    conflict = next((c for c in lead.conflicts if c["field"] == field), None)
    if conflict is None:
        raise ValidationError("该冲突已处理。")
    if accept:
        graduate = Graduate.objects.get(pk=lead.graduate_id)
        name = "origin_region_id" if field == "origin_region" else field
        value = conflict["self_value"]
        if field == "graduation_date":
            value = datetime.date.fromisoformat(value)
        setattr(graduate, name, value)
        update_graduate(graduate=graduate, acting_user=acting_user, expected_version=graduate.version)
    else:
        add_timeline_note(
            graduate_id=lead.graduate_id,
            acting_user=acting_user,
            note=f"本人登记：保留现有的“{conflict['label']}”",
            kind=GraduateChange.Kind.UPDATED,
        )
    lead.conflicts = [c for c in lead.conflicts if c["field"] != field]
    lead.save(update_fields=["conflicts"])
    return lead


@transaction.atomic
def mark_self_registration_contacted(*, lead_id: int, acting_user: User, note: str = ""):
    """The office contacted the graduate who registered: the lead leaves the worklist. False if it already had."""
    from .models import SelfRegistration

    lead = SelfRegistration.objects.select_for_update().select_related("graduate").get(pk=lead_id)
    _ensure_in_scope(lead.graduate, acting_user)
    if lead.status != SelfRegistration.Status.OPEN:
        return False
    lead.status = SelfRegistration.Status.CONTACTED
    lead.contacted_at = timezone.now()
    lead.contacted_by = acting_user
    lead.note = note[:200]
    lead.save(update_fields=["status", "contacted_at", "contacted_by", "note"])
    add_timeline_note(
        graduate_id=lead.graduate_id,
        acting_user=acting_user,
        note=f"已联系本人登记的毕业生{('：' + note) if note else ''}",
        kind=GraduateChange.Kind.UPDATED,
    )
    record_audit(action="graduate.self_registration_contacted", actor=acting_user, obj=lead.graduate)
    return True
