"""The second factor: required for provincial admins and the admin site; enrolment with a QR code drawn here;
recovery codes; a code is good once."""

import io
import re

import pytest
import segno
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from core.security.demo import demo_second_factor
from tests.conftest import OtpClient, enrol_totp, totp_code


@pytest.fixture
def admin_after_password(province_admin, password):
    """The provincial admin's browser after the password, before the second factor."""
    client = OtpClient()
    response = client.post(reverse("login"), {"username": "sheng", "password": password})
    assert response.status_code == 302
    return client


def test_a_provincial_admin_without_an_authenticator_must_bind_one(admin_after_password, province_admin):
    home = admin_after_password.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("security:otp_setup"))
    admin = admin_after_password.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("security:otp_setup"))

    page = admin_after_password.get(home["Location"])
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=province_admin, confirmed=False)
    # the QR code is drawn here, inline, from the device's own otpauth:// URI: no image from anywhere else
    expected = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title="双因素认证二维码"
    )
    assert expected in html
    assert "otpauth://totp/" in device.config_url and "secret=" in device.config_url
    assert "<img" not in html.split('data-testid="otp-qr"')[1].split("</div>")[0]
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert (
        admin_after_password.get(home["Location"]).content.decode().count(secret) == 1
    )  # same device on reload


def test_binding_confirms_the_device_and_shows_ten_recovery_codes(admin_after_password, province_admin):
    admin_after_password.get(reverse("security:otp_setup"))
    device = TOTPDevice.objects.get(user=province_admin, confirmed=False)

    wrong = admin_after_password.post(reverse("security:otp_setup"), {"token": "000000"})
    assert "验证码不正确" in wrong.content.decode()

    import time

    time.sleep(1.1)  # django-otp throttles after a wrong code
    device.confirmed = True  # compute the code as the phone does (totp_code reads confirmed devices)
    code = totp_code_of(device)
    done = admin_after_password.post(reverse("security:otp_setup"), {"token": code, "next": "/admin/"})
    html = done.content.decode()
    assert "绑定成功" in html
    codes = re.findall(r'<li class="col">([a-z2-7]+)</li>', html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=province_admin).count() == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEvent.objects.filter(action="auth.otp_enrolled", actor=province_admin).count() == 1
    # the session now counts as verified
    assert admin_after_password.get(reverse("home")).status_code == 200
    assert admin_after_password.get("/admin/").status_code == 200


def totp_code_of(device) -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_an_enrolled_admin_types_the_code_after_the_password(admin_after_password, province_admin):
    enrol_totp(province_admin)
    home = admin_after_password.get(reverse("home"))
    assert home["Location"] == f"{reverse('security:otp_verify')}?next=%2F"
    # nothing else opens before the code: admin, pages, downloads
    for url in ["/admin/", "/admin/core/user/", reverse("graduates:list")]:
        response = admin_after_password.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("security:otp_verify"))

    wrong = admin_after_password.post(reverse("security:otp_verify"), {"token": "123456", "next": "/admin/"})
    assert "验证码不正确或已经用过" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=province_admin).count() == 1

    import time

    time.sleep(1.1)  # django-otp throttles after a wrong code: 1 s, then 2 s, 4 s...
    code = totp_code(province_admin)
    right = admin_after_password.post(reverse("security:otp_verify"), {"token": code, "next": "/admin/"})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert admin_after_password.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(
        action="auth.otp_verified", actor=province_admin, data__method="totp"
    ).exists()

    # the same code never works twice (another browser, same password)
    other = OtpClient()
    other.post(reverse("login"), {"username": "sheng", "password": "qinghai-demo-2026"})
    replay = other.post(reverse("security:otp_verify"), {"token": code})
    assert "验证码不正确或已经用过" in replay.content.decode()


def test_wrong_codes_in_a_row_are_slowed_down(admin_after_password, province_admin):
    enrol_totp(province_admin)
    admin_after_password.post(reverse("security:otp_verify"), {"token": "111111"})
    second = admin_after_password.post(reverse("security:otp_verify"), {"token": totp_code(province_admin)})
    assert "错误次数过多" in second.content.decode()
    assert admin_after_password.get(reverse("home")).status_code == 302


def test_a_recovery_code_works_once(admin_after_password, province_admin, password):
    enrol_totp(province_admin)
    codes = admin_codes(province_admin)
    first = admin_after_password.post(
        reverse("security:otp_verify"), {"token": codes[0].upper(), "next": "/"}
    )
    assert first.status_code == 302
    assert "还剩 9 个" in admin_after_password.get(reverse("home")).content.decode()
    assert AuditEvent.objects.filter(
        action="auth.otp_verified", data__method="recovery", data__recovery_codes_left=9
    ).exists()

    again = OtpClient()
    again.post(reverse("login"), {"username": "sheng", "password": password})
    reused = again.post(reverse("security:otp_verify"), {"token": codes[0]})
    assert "恢复码不正确或已经用过" in reused.content.decode()
    assert again.get(reverse("home")).status_code == 302


def admin_codes(user) -> list[str]:
    """Recovery codes made the way the recovery page makes them."""
    from django.http import HttpRequest

    from core.security.otp import _new_recovery_codes

    request = HttpRequest()
    request.user = user
    return _new_recovery_codes(user)


def test_the_recovery_page_makes_a_new_set_and_the_old_one_stops(client, province_admin):
    client.force_login(province_admin)
    old = admin_codes(province_admin)
    assert "10 个" in client.get(reverse("security:recovery_codes")).content.decode()
    new_page = client.post(reverse("security:recovery_codes")).content.decode()
    new = re.findall(r'<li class="col">([a-z2-7]+)</li>', new_page)
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEvent.objects.filter(action="auth.recovery_codes_renewed", actor=province_admin).exists()


def test_clerks_need_no_second_factor(client, county_clerk, password):
    client.post(reverse("login"), {"username": "chengdong", "password": password})
    assert client.get(reverse("home")).status_code == 200


def test_the_admin_site_itself_refuses_an_unverified_staff_session(province_admin):
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = province_admin  # a plain user object: never verified
    assert not admin.site.has_permission(request)
    client = OtpClient()
    client.force_login(province_admin, otp=False)
    assert client.get("/admin/")["Location"].startswith(reverse("security:otp_setup"))
    login = client.get("/admin/login/?next=/admin/")
    assert login["Location"].startswith(reverse("security:otp_verify"))


def test_an_admin_resets_a_lost_authenticator_and_it_is_audited(client, province_admin, demo_province):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser("root-admin", password="Qh-jiuye-2026")
    enrol_totp(province_admin)
    admin_codes(province_admin)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:core_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [province_admin.pk]},
        follow=True,
    )
    assert "已重置 1 个用户的双因素认证" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=province_admin).exists()
    assert not StaticToken.objects.filter(device__user=province_admin).exists()
    event = AuditEvent.objects.get(action="auth.otp_reset")
    assert event.actor == superuser and event.object_id == str(province_admin.pk)


def test_the_demo_admin_has_a_published_demo_key_and_the_command_tells_the_code(province_admin, password):
    assert "仅演示" in demo_second_factor(100)
    out = io.StringIO()
    call_command("demo_totp", stdout=out)
    code = re.search(r"当前验证码：(\d{6})", out.getvalue()).group(1)
    client = OtpClient()
    client.post(reverse("login"), {"username": "sheng", "password": password})
    assert client.post(reverse("security:otp_verify"), {"token": code}).status_code == 302
    assert client.get("/admin/").status_code == 200
