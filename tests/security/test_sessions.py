"""Idle timeout (sliding, 30 minutes), absolute lifetime (12 hours), a new session key at every login."""

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from core.models import AuditEvent

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def log_in(client, password):
    response = client.post(reverse("login"), {"username": "chengdong", "password": password})
    assert response.status_code == 302


def test_limits_are_within_mlps():
    assert settings.SESSION_IDLE_TIMEOUT <= 30 * 60
    assert settings.SESSION_ABSOLUTE_LIFETIME <= 12 * 3600


def test_the_session_key_changes_at_login(client, county_clerk, password):
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == before

    log_in(client, password)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("home")).status_code == 200


def test_idle_for_thirty_minutes_logs_out_and_activity_keeps_the_session(client, county_clerk, password):
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, password)
        for _ in range(4):  # two hours of work, a request every 29 minutes
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(minutes=30, seconds=30))
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("login"))
        assert "您已 30 分钟未操作" in response.content.decode()
        assert AuditEvent.objects.filter(
            action="auth.session_expired", actor=county_clerk, data__reason="idle"
        ).exists()
        assert client.get(reverse("home")).status_code == 302  # gone for good, not only for one request


def test_a_session_ends_twelve_hours_after_the_login_however_busy(client, county_clerk, password):
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, password)
        for _ in range(47):  # 11 h 45 min of a request every 15 minutes
            clock.shift(dt.timedelta(minutes=15))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(minutes=16))
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("login"))
        assert "本次登录已超过 12 小时" in response.content.decode()
        assert AuditEvent.objects.filter(action="auth.session_expired", data__reason="absolute").exists()
        log_in(client, password)  # and a new login starts a new twelve hours
        assert client.get(reverse("home")).status_code == 200


def test_the_session_cookie_dies_with_the_browser_and_is_not_readable_by_scripts():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY
