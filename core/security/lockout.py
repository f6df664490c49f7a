"""Lockout by username (django-axes): after AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME the account
refuses every password, the right one too, until the cool-off ends or an admin unlocks it. Keyed by the username
alone: offices share one NAT address, so an IP key would lock a whole office out. The same message for a username
that does not exist, so the page never tells whether an account exists."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone

from core.audit import record_audit
from core.models import User


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return f"登录失败次数过多，该账号已被暂时锁定，请 {minutes} 分钟后再试，或联系省级管理员解锁。"


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout message (axes calls this instead of its own page)."""
    from core.forms import LoginForm

    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": str(username)[:150]})
    return render(
        request,
        "registration/login.html",
        {"form": form, "login_error": lockout_message(), "next": request.POST.get("next", "")},
        status=429,
    )


def locking_attempts():
    """The failure records that lock their username now."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )


def is_locked(username: str) -> bool:
    return locking_attempts().filter(username=username).exists()


def with_lockout(users):
    """Annotate a user queryset with `login_locked` (the admin's list shows it, one query for the page)."""
    return users.annotate(login_locked=Exists(locking_attempts().filter(username=OuterRef("username"))))


def unlock(*, user: User, acting_user: User, request=None) -> int:
    """An admin lifts the lockout of USER; returns how many failure records were cleared. Audited either way."""
    with transaction.atomic():
        cleared = AxesProxyHandler.reset_attempts(username=user.username)
        record_audit(
            action="auth.unlock",
            actor=acting_user,
            obj=user,
            request=request,
            data={"username": user.username, "cleared": cleared},
        )
    return cleared
