"""Audit rows for lockouts; the login time every session keeps (for its absolute lifetime).

Logins, logouts and failed logins are audited by core/signals.py."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from core.audit import record_audit

from .sessions import start_session_clock


@receiver(user_locked_out, dispatch_uid="security_locked_out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    if getattr(request, "axes_failures_since_start", None) is None:
        return  # a login refused while locked (axes says so again): audited as a failed login, not a new lock
    record_audit(action="auth.lockout", request=request, data={"username": (username or "")[:150]})


@receiver(user_logged_in, dispatch_uid="security_session_clock")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)
