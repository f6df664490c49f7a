"""The second factor's pages: verification after the password, enrolment with a QR code, recovery codes."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from core.audit import record_audit

from . import otp
from .forms import TokenForm


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    if otp.is_verified(request):
        return redirect(_next(request))
    if otp.confirmed_totp(request.user) is None and otp.recovery_codes_left(request.user) == 0:
        return redirect(f"{reverse('security:otp_setup')}?{urlencode({'next': _next(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = otp.verify(request, form.cleaned_data["token"])
        if result.ok:
            if result.method == "recovery":
                left = otp.recovery_codes_left(request.user)
                messages.warning(
                    request, f"已使用一个恢复码，还剩 {left} 个。请尽快找回或重新绑定身份验证器。"
                )
            return redirect(_next(request))
        if result.wait_seconds:
            form.add_error("token", f"验证码错误次数过多，请 {result.wait_seconds} 秒后再试。")
        elif result.method == "recovery":
            form.add_error("token", "恢复码不正确或已经用过。")
        else:
            form.add_error("token", "验证码不正确或已经用过，请输入身份验证器上当前显示的 6 位数字。")
    return render(request, "security/otp_verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app. Replacing a bound one needs a verified session."""
    if otp.confirmed_totp(request.user) is not None and not otp.is_verified(request):
        return redirect(f"{reverse('security:otp_verify')}?{urlencode({'next': _next(request)})}")
    device = otp.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = otp.confirm_enrolment(request, device, form.cleaned_data["token"])
        if enrolment.ok:
            return render(
                request,
                "security/recovery_codes.html",
                {"codes": enrolment.recovery_codes, "next": _next(request), "enrolled": True},
            )
        form.add_error("token", "验证码不正确，请输入身份验证器上当前显示的 6 位数字。")
    return render(
        request,
        "security/otp_setup.html",
        {
            "form": form,
            "qr_svg": otp.qr_svg(device),
            "secret": otp.secret_b32(device),
            "next": _next(request),
            "replacing": otp.confirmed_totp(request.user) is not None,
        },
    )


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; a POST makes a new set (the old ones stop working)."""
    if not otp.is_verified(request):
        return redirect(f"{reverse('security:otp_verify')}?{urlencode({'next': request.path})}")
    if request.method == "POST":
        codes = otp.regenerate_recovery_codes(request)
        return render(
            request, "security/recovery_codes.html", {"codes": codes, "next": "/", "enrolled": False}
        )
    return render(
        request,
        "security/recovery_status.html",
        {"left": otp.recovery_codes_left(request.user), "device": otp.confirmed_totp(request.user)},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password change: our rules (settings.AUTH_PASSWORD_VALIDATORS), audited. A user who owes
    the second factor passes it first."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("security:password_changed")

    def dispatch(self, request, *args, **kwargs):
        if otp.requires_otp(request.user) and not otp.is_verified(request):
            return redirect(f"{reverse('security:otp_verify')}?{urlencode({'next': request.path})}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        record_audit(
            action="auth.password_changed",
            actor=self.request.user,
            obj=self.request.user,
            request=self.request,
        )
        return response
