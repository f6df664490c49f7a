"""Two middlewares, after AuthenticationMiddleware, MessageMiddleware and django-otp's OTPMiddleware:

- SessionLimitsMiddleware ends a session idle too long or older than its absolute lifetime (audited);
- SecondFactorMiddleware sends a user who must pass the second factor and has not yet to enrolment or
  verification before any other page (the API answers 403)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.audit import record_audit

from . import otp
from .sessions import expired, expiry_message

# Pages a user who still owes the second factor may open.
OPEN_URL_NAMES = {"login", "logout", "healthz", "javascript-catalog", "favicon"}
OPEN_NAMESPACES = {"security"}


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = expired(request.session)
            if reason:
                record_audit(
                    action="auth.session_expired", actor=user, request=request, data={"reason": reason}
                )
                request.session.flush()
                request.user = AnonymousUser()
                messages.warning(request, expiry_message(reason))
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not otp.requires_otp(user) or otp.is_verified(request):
            return None
        match = request.resolver_match
        if match is not None and (
            match.url_name in OPEN_URL_NAMES or set(match.namespaces) & OPEN_NAMESPACES
        ):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "该账号须先在网页上完成双因素认证。"}, status=403)
        step = "security:otp_verify" if otp.confirmed_totp(user) else "security:otp_setup"
        target = request.get_full_path() if request.method == "GET" else "/"
        url = f"{reverse(step)}?{urlencode({'next': target})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
