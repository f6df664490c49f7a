import pytest

from core.demo import DEMO_PASSWORD, DEMO_USERS
from core.models import User

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
