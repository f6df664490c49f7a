"""Session limits: an idle timeout (sliding, ≤ 30 minutes) and an absolute lifetime (≤ 12 hours) from the login.

The session keeps its login time and the time of the latest request; the latter is rewritten at most once a
minute, so a busy page does not write the session table at every request (SESSION_SAVE_EVERY_REQUEST would)."""

from __future__ import annotations

import time

from django.conf import settings

LOGIN_AT = "security_login_at"
SEEN_AT = "security_seen_at"
ACTIVITY_RESOLUTION = 60  # seconds: the idle clock is exact to this


def start_session_clock(session) -> None:
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def expired(session) -> str | None:
    """'idle', 'absolute' or None; touches the activity time when due."""
    now = int(time.time())
    if LOGIN_AT not in session:  # a session from before these limits: its clocks start now
        start_session_clock(session)
        return None
    if now - int(session[LOGIN_AT]) > settings.SESSION_ABSOLUTE_LIFETIME:
        return "absolute"
    seen = int(session.get(SEEN_AT, session[LOGIN_AT]))
    if now - seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if now - seen >= ACTIVITY_RESOLUTION:
        session[SEEN_AT] = now
    return None


MESSAGES = {
    "idle": "您已 {minutes} 分钟未操作，为保护个人信息已自动退出，请重新登录。",
    "absolute": "本次登录已超过 {hours} 小时，请重新登录。",
}


def expiry_message(reason: str) -> str:
    return MESSAGES[reason].format(
        minutes=settings.SESSION_IDLE_TIMEOUT // 60, hours=settings.SESSION_ABSOLUTE_LIFETIME // 3600
    )
