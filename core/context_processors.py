from .navigation import nav_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from .models import Notification

    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"nav_items": nav_for(user), "unread_notifications": unread}
