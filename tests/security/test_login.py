"""Lockout by username (django-axes) after 5 failures in 30 minutes; unlock by an admin; nothing tells whether a
username exists."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from core.models import AuditEvent

WRONG = "Wrong-password-1"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def error_text(response) -> str:
    match = re.search(r'data-testid="login-error">(.*?)</div>', response.content.decode(), re.S)
    assert match, "the login page shows no error"
    return " ".join(match.group(1).split())


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, county_clerk, password):
    answers = [attempt(client, "chengdong", WRONG) for _ in range(5)]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    assert all("用户名或密码不正确" in error_text(r) for r in answers[:4])
    assert "账号已被暂时锁定" in error_text(answers[4]) and "30 分钟" in error_text(answers[4])

    sixth = attempt(client, "chengdong", password)
    assert sixth.status_code == 429
    assert "账号已被暂时锁定" in error_text(sixth)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.lockout", data__username="chengdong").count() == 1
    assert AuditEvent.objects.filter(action="auth.login_failed", data__username="chengdong").count() == 6
    assert not AuditEvent.objects.filter(action="auth.login", actor=county_clerk).exists()


def test_an_unknown_username_gets_exactly_the_same_answers(client, county_clerk, password):
    known = [attempt(client, "chengdong", WRONG) for _ in range(6)]
    unknown = [attempt(client, "nobody-here", WRONG) for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert [error_text(r) for r in known] == [error_text(r) for r in unknown]
    assert AuditEvent.objects.filter(action="auth.lockout", data__username="nobody-here").count() == 1


def test_the_lock_is_on_the_username_not_on_the_office_address(
    client, county_clerk, prefecture_clerk, password
):
    """Offices share one NAT address: one clerk's typos never lock out a colleague; another address does not
    help the locked account either."""
    for _ in range(5):
        attempt(client, "chengdong", WRONG, ip="10.0.0.1")
    colleague = attempt(client, "xining", password, ip="10.0.0.1")
    assert colleague.status_code == 302 and colleague["Location"] == reverse("home")
    client.post(reverse("logout"))
    assert attempt(client, "chengdong", password, ip="10.9.9.9").status_code == 429


def test_the_lock_lifts_after_thirty_minutes_and_failures_reset_at_a_login(client, county_clerk, password):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            attempt(client, "chengdong", WRONG)
        clock.shift(dt.timedelta(minutes=29))
        assert attempt(client, "chengdong", password).status_code == 429
        clock.shift(dt.timedelta(minutes=2))
        assert attempt(client, "chengdong", password).status_code == 302
        client.post(reverse("logout"))
        # a success cleared the count: four more failures do not lock
        for _ in range(4):
            assert attempt(client, "chengdong", WRONG).status_code == 200
        assert attempt(client, "chengdong", password).status_code == 302


def test_four_failures_then_the_right_password_logs_in(client, county_clerk, password):
    for _ in range(4):
        attempt(client, "chengdong", WRONG)
    assert attempt(client, "chengdong", password).status_code == 302


def test_an_admin_unlocks_in_the_admin_and_it_is_audited(client, county_clerk, province_admin, password):
    for _ in range(5):
        attempt(client, "chengdong", WRONG)

    admin = type(client)()
    admin.force_login(province_admin)
    listing = admin.get(reverse("admin:core_user_changelist"), {"q": "chengdong"})
    assert listing.status_code == 200
    assert 'alt="True"' in listing.content.decode()  # the 登录锁定 column
    assert "解除登录锁定" in listing.content.decode()
    response = admin.post(
        reverse("admin:core_user_changelist"),
        {"action": "unlock_users", "_selected_action": [county_clerk.pk]},
        follow=True,
    )
    assert "已为 1 个用户解除登录锁定（其中 1 个此前处于锁定状态）" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.unlock")
    assert event.actor == province_admin
    assert (event.object_type, event.object_id) == ("core.user", str(county_clerk.pk))
    assert event.data["username"] == "chengdong"

    assert attempt(client, "chengdong", password).status_code == 302


def test_logins_failures_and_logouts_are_audited(client, county_clerk, password):
    attempt(client, "chengdong", WRONG)
    attempt(client, "chengdong", password)
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["auth.login_failed", "auth.login", "auth.logout"]
    assert AuditEvent.objects.filter(action="auth.login", actor=county_clerk, ip_address="10.0.0.1").exists()


@pytest.mark.django_db
def test_the_lockout_page_is_the_login_page_in_chinese(client):
    for _ in range(5):
        response = attempt(client, "someone", WRONG)
    page = response.content.decode()
    assert response.status_code == 429
    assert 'name="username"' in page and 'value="someone"' in page
    assert "Account locked" not in page
