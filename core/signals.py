"""Logins, logouts and failed logins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import record_audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record_audit(action="auth.login", actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_audit(action="auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record_audit(
        action="auth.login_failed", request=request, data={"username": credentials.get("username", "")}
    )
