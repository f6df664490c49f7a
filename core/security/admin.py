"""Admin actions on users (core/admin.py lists them): lift a lockout, reset the second factor. Both audited.

The devices' own admin pages are not shown: their secret keys are nobody's business but the user's; an admin
resets, the user enrols again."""

from django.contrib import admin, messages
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import lockout, otp

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.action(description="解除登录锁定")
def unlock_users(modeladmin, request, queryset):
    users = list(queryset)
    locked = [user for user in users if lockout.is_locked(user.username)]
    for user in users:
        lockout.unlock(user=user, acting_user=request.user, request=request)
    modeladmin.message_user(
        request,
        f"已为 {len(users)} 个用户解除登录锁定（其中 {len(locked)} 个此前处于锁定状态）。",
        messages.SUCCESS,
    )


@admin.action(description="重置双因素认证（下次登录重新绑定）")
def reset_second_factor(modeladmin, request, queryset):
    users = [user for user in queryset if user.pk != request.user.pk]
    for user in users:
        otp.reset_second_factor(user=user, acting_user=request.user, request=request)
    skipped = queryset.count() - len(users)
    note = "（不能重置自己的，已跳过）" if skipped else ""
    modeladmin.message_user(request, f"已重置 {len(users)} 个用户的双因素认证{note}。", messages.SUCCESS)


@admin.display(description="登录锁定", boolean=True)
def locked_out(user) -> bool:
    locked = getattr(user, "login_locked", None)  # annotated by lockout.with_lockout in the list
    return lockout.is_locked(user.username) if locked is None else locked
