"""Writes of the core app."""

from django.db import transaction
from django.utils import timezone

from .models import Notification, User


def notify(*, user: User, message: str, url: str = "") -> Notification:
    """Tell USER something in the system (no personal data of graduates in the text: ids and counts only)."""
    return Notification.objects.create(user=user, message=message[:300], url=url[:300])


@transaction.atomic
def mark_notifications_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark USER's unread notifications read (only NOTIFICATION_ID when given); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
