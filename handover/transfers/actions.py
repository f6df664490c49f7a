"""Transfers of graduates who live elsewhere: the sending office asks, the receiving office accepts or rejects;
until then the sender keeps the graduate. A transfer out of the province is final when requested (已转出).

Every step is on the record's timeline (through graduates.actions) and in the audit. Kept apart from
handover/batches/, which holds the batch handover.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import record_audit
from core.models import Office, OfficeKind, Region, User
from core.scope import scope_for
from graduates.actions import add_timeline_note, mark_left_province, reassign_offices
from graduates.codes import State
from graduates.models import Graduate
from handover.models import HandoverItem, Transfer

RECEIVING_KINDS = (OfficeKind.PREFECTURE, OfficeKind.COUNTY)
OPEN_REQUEST_MESSAGE = "该毕业生已有待处理的转移申请，请等待对方处理或先撤回。"


def receiving_offices():
    """The offices a graduate may be transferred to inside the province: active prefecture and county offices."""
    return Office.objects.active().filter(kind__in=RECEIVING_KINDS)


def _log(graduate: Graduate, *, acting_user: User, note: str) -> None:
    add_timeline_note(graduate_id=graduate.pk, acting_user=acting_user, note=note)


def _check_target(graduate: Graduate, to_office: Office | None, to_region: Region | None) -> None:
    if (to_office is None) == (to_region is None):
        raise ValidationError("请选择接收机构，或填写省外的现居住地（二者选一）。")
    if to_office is not None:
        if to_office.kind not in RECEIVING_KINDS or not to_office.is_active:
            raise ValidationError("只能转移给启用中的市（州）或县（市、区）就业服务机构。")
        if to_office.pk == graduate.responsible_office_id:
            raise ValidationError("接收机构不能是当前的责任机构。")
    elif to_region is not None and to_region.code.startswith(str(settings.PROVINCE_CODE)[:2]):
        raise ValidationError("省内转移请选择接收机构；“省外”只用于转出本省。")


@transaction.atomic
def request_transfer(
    *,
    graduate: Graduate,
    to_office: Office | None = None,
    to_region: Region | None = None,
    reason: str,
    acting_user: User,
) -> Transfer:
    """The sending office asks TO_OFFICE to take GRADUATE (the sender keeps it until then), or records that the
    graduate has left the province for TO_REGION (final at once: state 已转出)."""
    if not scope_for(acting_user).covers_office(graduate.responsible_office_id):
        raise PermissionDenied("只能转移本机构（含下级）负责的毕业生。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写转移原因。"})
    # The lock serialises two requests for the same graduate: the second sees the first one's open request.
    graduate = Graduate.objects.select_for_update().get(pk=graduate.pk)
    if graduate.state == State.TRANSFERRED:
        raise ValidationError("该毕业生已转出，不能再申请转移。")
    _check_target(graduate, to_office, to_region)
    if Transfer.objects.filter(graduate=graduate, status=Transfer.Status.REQUESTED).exists():
        raise ValidationError(OPEN_REQUEST_MESSAGE)
    now = timezone.now()
    leaves = to_region is not None
    try:
        with transaction.atomic():  # a savepoint, so the caller's transaction survives the constraint error
            transfer = Transfer.objects.create(
                graduate=graduate,
                from_office_id=graduate.responsible_office_id,
                to_office=to_office,
                to_region=to_region,
                reason=reason,
                status=Transfer.Status.LEFT_PROVINCE if leaves else Transfer.Status.REQUESTED,
                requested_at=now,
                requested_by=acting_user,
                decided_at=now if leaves else None,
                decided_by=acting_user if leaves else None,
            )
    except IntegrityError:
        raise ValidationError(OPEN_REQUEST_MESSAGE) from None
    if to_region is not None:
        _log(graduate, acting_user=acting_user, note=f"转出省外（{to_region.full_name}）：{reason}")
        mark_left_province(graduate_id=graduate.pk, acting_user=acting_user, note="转出省外")
        action = "handover.transfer.left_province"
    else:
        _log(graduate, acting_user=acting_user, note=f"申请转移至 {_receiver(transfer).name}：{reason}")
        action = "handover.transfer.requested"
    record_audit(
        action=action,
        actor=acting_user,
        obj=transfer,
        data={
            "graduate": graduate.pk,
            "to_office": transfer.to_office_id,
            "to_region": transfer.to_region_id,
        },
    )
    return transfer


def decided_message(transfer: Transfer) -> str:
    """What became of a transfer that is no longer waiting, for the office that lost the race or acted on a stale
    page: which office settled it and how (no personal data)."""
    if transfer.status == Transfer.Status.LEFT_PROVINCE:
        return "该毕业生已转出省外，无需再操作。"
    decider = transfer.decided_by.office if transfer.decided_by and transfer.decided_by.office else None
    if decider is None:
        decider = transfer.from_office if transfer.status == Transfer.Status.CANCELLED else transfer.to_office
    name = decider.name if decider is not None else "对方机构"
    return f"该转移申请已被{name}处理（{transfer.get_status_display()}），无需再操作。"


def _receiver(transfer: Transfer) -> Office:
    """The receiving office of a transfer inside the province (only a transfer out of it has none)."""
    assert transfer.to_office is not None, "a transfer inside the province names its receiving office"
    return transfer.to_office


def _lock_open(transfer: Transfer) -> tuple[Transfer, Graduate]:
    """Lock the transfer, then its graduate (always in this order), and check it is still waiting."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",)).select_related("to_office").get(pk=transfer.pk)
    )
    if transfer.status != Transfer.Status.REQUESTED:
        raise ValidationError(decided_message(transfer))
    graduate = Graduate.objects.select_for_update().get(pk=transfer.graduate_id)
    return transfer, graduate


def _ensure_receiver(transfer: Transfer, acting_user: User) -> None:
    if not scope_for(acting_user).covers_office(transfer.to_office_id):
        raise PermissionDenied("只有接收机构（或其上级）可以处理该转移申请。")


@transaction.atomic
def accept_transfer(*, transfer: Transfer, acting_user: User, note: str = "") -> Transfer:
    """The receiving office takes the graduate: it becomes the responsible office; the sender's staff no longer
    holds the record. The graduate's state is kept (a transfer inside the province changes only the office)."""
    _ensure_receiver(transfer, acting_user)
    transfer, graduate = _lock_open(transfer)
    note = (note or "").strip()
    receiver = _receiver(transfer)
    moved = reassign_offices(
        targets=[(graduate.pk, receiver.pk)],
        acting_user=acting_user,
        note=f"{receiver.name} 接收转移" + (f"：{note}" if note else ""),
        from_office_id=transfer.from_office_id,
        clear_staff=True,
    )
    if not moved:
        raise ValidationError("该毕业生的责任机构已经变更，这一转移申请不能再接收；请转出机构重新申请。")
    # The receiving office now holds the graduate's hand-over items too; accepting is its signing for them.
    HandoverItem.objects.filter(graduate=graduate, office_id=transfer.from_office_id).update(
        office=transfer.to_office_id, acknowledged_at=timezone.now(), acknowledged_by=acting_user
    )
    transfer.status = Transfer.Status.ACCEPTED
    transfer.decided_at = timezone.now()
    transfer.decided_by = acting_user
    transfer.decision_note = note[:300]
    transfer.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    record_audit(
        action="handover.transfer.accepted", actor=acting_user, obj=transfer, data={"graduate": graduate.pk}
    )
    return transfer


@transaction.atomic
def reject_transfer(*, transfer: Transfer, acting_user: User, note: str) -> Transfer:
    """The receiving office declines, saying why; the sender keeps the graduate."""
    _ensure_receiver(transfer, acting_user)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "拒绝转移时请填写理由。"})
    transfer, graduate = _lock_open(transfer)
    transfer.status = Transfer.Status.REJECTED
    transfer.decided_at = timezone.now()
    transfer.decided_by = acting_user
    transfer.decision_note = note[:300]
    transfer.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    _log(graduate, acting_user=acting_user, note=f"{_receiver(transfer).name} 拒绝转移：{note}")
    record_audit(
        action="handover.transfer.rejected", actor=acting_user, obj=transfer, data={"graduate": graduate.pk}
    )
    return transfer


@transaction.atomic
def cancel_transfer(*, transfer: Transfer, acting_user: User) -> Transfer:
    """The sending side withdraws a request the receiver has not decided yet."""
    if not scope_for(acting_user).covers_office(transfer.from_office_id):
        raise PermissionDenied("只有转出机构（或其上级）可以撤回该转移申请。")
    transfer, graduate = _lock_open(transfer)
    transfer.status = Transfer.Status.CANCELLED
    transfer.decided_at = timezone.now()
    transfer.decided_by = acting_user
    transfer.save(update_fields=["status", "decided_at", "decided_by"])
    _log(graduate, acting_user=acting_user, note=f"撤回转移至 {_receiver(transfer).name} 的申请")
    record_audit(
        action="handover.transfer.cancelled", actor=acting_user, obj=transfer, data={"graduate": graduate.pk}
    )
    return transfer
