"""The form's signed start time: a submission sooner than SELF_REGISTRATION_MIN_FILL_SECONDS after the form was
opened is a script's, and one older than a day is stale. Instead of a captcha (with the honeypot field)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

SALT = "graduates.selfreg.form"
MAX_AGE = 24 * 3600

MSG_MISSING = "页面已过期，请刷新页面后重新提交。"
MSG_TOO_FAST = "提交过快，请核对填写的内容后再提交。"


def issue_form_token(*, at: float | None = None) -> str:
    return signing.dumps({"t": round(at if at is not None else time.time(), 3)}, salt=SALT, compress=False)


def min_fill_seconds() -> float:
    return float(getattr(settings, "SELF_REGISTRATION_MIN_FILL_SECONDS", 5))


def check_form_token(token: str | None) -> None:
    """Raise ValidationError (Chinese) unless TOKEN is ours, under a day old and at least the minimum fill time."""
    if not token:
        raise ValidationError(MSG_MISSING, code="missing")
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        started = float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(MSG_MISSING, code="invalid") from None
    elapsed = time.time() - started
    if elapsed > MAX_AGE:
        raise ValidationError(MSG_MISSING, code="stale")
    if elapsed < min_fill_seconds():
        raise ValidationError(MSG_TOO_FAST, code="too_fast")
