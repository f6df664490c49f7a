from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .actions import mark_notifications_read
from .forms import LoginForm, NotificationReadForm
from .navigation import waiting_work_for


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    office = request.user.office
    subordinates = office.children.filter(is_active=True).count() if office else 0
    return render(
        request,
        "core/home.html",
        {"waiting": waiting_work_for(request.user), "subordinate_count": subordinates},
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first. Reading changes nothing; a POST marks one or all of them read."""
    if request.method == "POST":
        form = NotificationReadForm(request.POST)
        if form.is_valid():
            count = mark_notifications_read(user=request.user, notification_id=form.cleaned_data["id"])
            messages.success(request, f"已将 {count} 条通知标为已读。")
        else:
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("notifications")
    items = list(request.user.notifications.all()[:100])
    unread = sum(1 for n in items if n.read_at is None)
    return render(request, "core/notifications.html", {"items": items, "unread": unread})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 only when both the database and the Celery broker answer; 503 otherwise, saying which failed."""
    checks = {"database": health.check_database(), "broker": health.check_broker()}
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
