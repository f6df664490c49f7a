import pytest

from core.demo import DEMO_PASSWORD, DEMO_USERS
from core.models import User
from tests.conftest import pass_second_factor_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_each_demo_role_logs_in_and_sees_its_home_page(page, demo_province, screenshot):
    for demo in DEMO_USERS:
        user = User.objects.select_related("office").get(username=demo.username)
        log_in(page, demo.username, DEMO_PASSWORD)
        pass_second_factor_in_browser(page, user)  # the provincial admin's second factor
        page.wait_for_url(page.base_url + "/")
        assert page.get_by_test_id("office-name").inner_text() == user.office.name
        assert user.get_role_display() in page.get_by_test_id("current-user").inner_text()
        screenshot(f"home-{demo.username}")
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url("**/login/")


def test_wrong_password_shows_an_error_in_chinese(page, demo_province, screenshot):
    log_in(page, "chengdong", "not-the-password")
    error = page.get_by_test_id("login-error")
    assert "用户名或密码不正确" in error.inner_text()
    screenshot("login-wrong-password")
    assert page.url.endswith("/login/")


def test_the_provincial_admin_binds_an_authenticator_from_the_qr_code(page, demo_province, screenshot):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    log_in(page, "sheng", DEMO_PASSWORD)
    page.wait_for_url("**/account/otp/setup/**")
    qr = page.get_by_test_id("otp-qr").locator("svg")
    assert qr.is_visible() and qr.bounding_box()["width"] > 150
    screenshot("otp-setup")
    device = TOTPDevice.objects.get(user__username="sheng", confirmed=False)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("验证码").fill(f"{code:06d}")
    page.get_by_role("button", name="完成绑定").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    assert codes.count() == 10
    screenshot("otp-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(page.base_url + "/")
    page.goto(page.base_url + "/admin/")
    assert "管理后台" in page.title() or page.get_by_text("省级管理").first.is_visible()
