"""The second factor: TOTP devices (django-otp) with recovery codes (a static device). Who must use it, enrolment
with a QR code drawn here (segno, inline SVG: the secret never leaves the server for a QR service), verification.

Writes go through these functions (views and the admin call them); each one is audited."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import record_audit
from core.models import Role, User

TOTP_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"
RECOVERY_CODES = 10
TOTP_TOKEN = re.compile(r"^\d{6}$")


def requires_otp(user) -> bool:
    """Provincial admins and every account that may open the admin site must pass the second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role == Role.PROVINCE_ADMIN or user.is_staff or user.is_superuser


def is_verified(request) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled (unconfirmed until a code from it is entered); the same one on every reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_b32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it by hand, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, title="双因素认证二维码")


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@dataclass
class Enrolment:
    ok: bool
    recovery_codes: list[str]


def confirm_enrolment(request, device: TOTPDevice, token: str) -> Enrolment:
    """A code from the new device confirms it: older TOTP devices go, new recovery codes are made, and the session
    counts as verified."""
    user = request.user
    token = normalise(token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not TOTP_TOKEN.match(token) or not device.verify_token(token):
            record_audit(action="auth.otp_enrol_failed", actor=user, request=request)
            return Enrolment(ok=False, recovery_codes=[])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record_audit(action="auth.otp_enrolled", actor=user, obj=user, request=request)
    otp_login(request, device)
    return Enrolment(ok=True, recovery_codes=codes)


def regenerate_recovery_codes(request) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(request.user)
        record_audit(
            action="auth.recovery_codes_renewed", actor=request.user, obj=request.user, request=request
        )
    return codes


def normalise(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()[:32]


@dataclass
class Verification:
    ok: bool
    method: str = ""  # "totp" or "recovery"
    wait_seconds: int = 0  # > 0: too many wrong codes just now, try again later


def verify(request, token: str) -> Verification:
    """Check a six-digit code against the user's authenticator, anything else against the recovery codes."""
    user = request.user
    token = normalise(token)
    method = "totp" if TOTP_TOKEN.match(token) else "recovery"
    model = TOTPDevice if method == "totp" else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-id").first()
        if device is None:
            record_audit(action="auth.otp_failed", actor=user, request=request, data={"method": method})
            return Verification(ok=False, method=method)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return Verification(ok=False, method=method, wait_seconds=_wait(device, info))
        if not device.verify_token(token):
            record_audit(action="auth.otp_failed", actor=user, request=request, data={"method": method})
            return Verification(ok=False, method=method)
        data = {"method": method}
        if method == "recovery":
            data["recovery_codes_left"] = device.token_set.count()
        record_audit(action="auth.otp_verified", actor=user, request=request, data=data)
    otp_login(request, device)
    return Verification(ok=True, method=method)


def _wait(device, info) -> int:
    from django.utils import timezone

    failures = (info or {}).get("failure_count", device.throttling_failure_count) or 1
    required = device.get_throttle_factor() * 2 ** (failures - 1)
    since = (timezone.now() - device.throttling_failure_timestamp).total_seconds()
    return max(1, int(required - since + 0.999))


def reset_second_factor(*, user: User, acting_user: User, request=None) -> int:
    """An admin removes a user's devices (a lost phone): the user enrols again at the next login."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        StaticDevice.objects.filter(user=user).delete()
        record_audit(
            action="auth.otp_reset",
            actor=acting_user,
            obj=user,
            request=request,
            data={"username": user.username},
        )
    return removed
