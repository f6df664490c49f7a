from .actions import create_batch_from_upload


def batch_from_roster(sender, *, upload, acting_user, **kwargs) -> None:
    """An Education Dept or MOHRSS list committed by the roster import becomes a handover batch."""
    create_batch_from_upload(upload=upload, acting_user=acting_user)
