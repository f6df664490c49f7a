"""Demo only: the demo provincial admin `sheng` gets an authenticator with a published key, so whoever tries the
demo can log in without binding a phone. Never in production: seed_demo is the demo's command, and the key is in
this file for everyone to read."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import User

DEMO_TOTP_KEY = (
    "3132333435363738393031323334353637383930"  # RFC 6238's test key; base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
)
DEMO_DEVICE_NAME = "演示用身份验证器（密钥公开，仅供演示）"
DEMO_ADMIN = "sheng"


def demo_second_factor(size: int) -> str | None:
    user = User.objects.filter(username=DEMO_ADMIN).first()
    if user is None:
        return None
    TOTPDevice.objects.update_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
    )
    return (
        f"{DEMO_ADMIN} 登录须输入验证码：身份验证器中添加密钥 GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ，"
        "或运行 python3 dev.py manage demo_totp 查看当前验证码（仅演示）"
    )
