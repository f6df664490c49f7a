"""Writes of the contact work: every attempt to reach a received graduate, and the report-in matching."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_audit
from core.models import User
from graduates.codes import State

# What each contact outcome does to the record (graduates.codes.ALLOWED_TRANSITIONS still decides).
# 暂无就业意愿 (002 §五(七)): the record is 暂不就业 and followed up later.
OUTCOME_STATE = {
    "verified": "verified",
    "unreachable": "unreachable",
    "employed": "employed",
    "no_intention": "not_seeking",
}


@transaction.atomic
def record_contact(*, graduate, method: str, outcome: str, acting_user: User, note: str = ""):
    """Log one attempt to reach a received graduate; a verified / unreachable / employed outcome moves the record
    (when the state table allows it). 现居外地 leads to a transfer request; 本次未联系上 changes nothing."""
    from graduates.actions import can_transition, change_state
    from graduates.selectors import get_graduate_for
    from handover.models import ContactAttempt

    graduate = get_graduate_for(user=acting_user, pk=graduate.pk)
    if acting_user.office is None or not acting_user.office.is_employment_office:
        raise ValidationError("只有就业服务机构可以记录联系情况。")
    attempt = ContactAttempt.objects.create(
        graduate=graduate,
        office=acting_user.office,
        staff=acting_user,
        method=method,
        outcome=outcome,
        note=note,
    )
    target = OUTCOME_STATE.get(outcome)
    if target and graduate.state != target and can_transition(graduate.state, target, manual=True):
        change_state(graduate=graduate, to_state=target, acting_user=acting_user, note=f"联系：{attempt}")
    record_audit(action="handover.contacted", actor=acting_user, obj=graduate, data={"outcome": outcome})
    return attempt


@dataclass
class ReportInResult:
    matched: int = 0
    unknown: int = 0
    duplicates: int = 0


@transaction.atomic
def record_report_ins(*, entries: list[dict], cohort: int, acting_user: User) -> ReportInResult:
    """Record graduates who reported (报到) and match them to the office's records by ID number: a match keeps the
    numbers and marks the record verified; an unknown ID waits on the 'reported but not on the list' list."""
    from core.crypto import blind_index
    from graduates.actions import move_states
    from graduates.checks import check_id_number
    from graduates.models import Graduate
    from handover.models import ReportIn

    office = acting_user.office
    if office is None or not office.is_employment_office:
        raise ValidationError("只有就业服务机构可以登记报到。")
    result = ReportInResult()
    numbers = [check_id_number(e["id_number"]).number for e in entries]
    in_scope = {
        g.id_number: g
        for g in Graduate.objects.in_scope_of(acting_user).filter(cohort=cohort).with_id_numbers(numbers)
    }
    matched_ids = []
    for entry, number in zip(entries, numbers, strict=True):
        graduate = in_scope.get(number)
        _, created = ReportIn.objects.get_or_create(
            office=office,
            cohort=cohort,
            id_number_digest=blind_index(number),
            defaults={
                "id_number": number,
                "name": entry["name"],
                "kind": entry["kind"],
                "certificate_no": entry.get("certificate_no", ""),
                "transfer_no": entry.get("transfer_no", ""),
                "verify_no": entry.get("verify_no", ""),
                "reported_on": entry.get("reported_on") or timezone.localdate(),
                "graduate": graduate,
                "created_by": acting_user,
            },
        )
        if not created:
            result.duplicates += 1
            continue
        if graduate is None:
            result.unknown += 1
            continue
        result.matched += 1
        matched_ids.append(graduate.pk)
    # Reporting in verifies a record still waiting for contact (or unreachable); it never moves a record that is
    # already settled (已就业, 升学出国) or 暂不就业 back to 已核实.
    move_states(
        graduate_ids=matched_ids,
        to_state=State.VERIFIED,
        from_states={State.WAITING, State.UNREACHABLE},
        acting_user=acting_user,
        note="报到核实",
    )
    record_audit(action="handover.report_in", actor=acting_user, obj=office, data=result.__dict__)
    return result
