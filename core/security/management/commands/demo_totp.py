from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.security.demo import DEMO_ADMIN, DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Demo only: print the current code of the demo admin's authenticator (the published demo key)."

    def handle(self, *args, **options):
        device = TOTPDevice.objects.filter(
            user__username=DEMO_ADMIN, key=DEMO_TOTP_KEY, confirmed=True
        ).first()
        if device is None:
            raise CommandError("没有演示用身份验证器（它只由 seed_demo 创建，且只用公开的演示密钥）。")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(
            f"{DEMO_ADMIN} 当前验证码：{totp.token():06d}（{device.step - totp.time % device.step:.0f} 秒内有效）"
        )
