"""The Django admin site behind the second factor (the equivalent of django-otp's OTPAdminSite, with our own
login pages instead of the admin's login form)."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse


class SecureAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return super().has_permission(request) and bool(getattr(request.user, "is_verified", lambda: False)())

    def login(self, request, extra_context=None):
        """The admin has no login form of its own: the password at /login/, then the second factor."""
        target = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated:
            return redirect(f"{reverse('security:otp_verify')}?{urlencode({'next': target})}")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


class SecureAdminConfig(AdminConfig):
    default_site = "core.security.admin_site.SecureAdminSite"
