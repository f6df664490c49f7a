"""Rate limits of self-registration, per client address and per ID number (DRF throttles, counted in the cache:
Redis in production). The rates are settings.SELF_REGISTRATION_RATES, read at each request."""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from graduates.checks import normalize_text

DEFAULT_RATES = {"ip": "30/hour", "id_number": "5/day"}


def throttled_message(wait: float | None) -> str:
    if wait is None:
        return "提交过于频繁，请稍后再试。"
    minutes = max(1, math.ceil(wait / 60))
    if minutes >= 60:
        return f"提交过于频繁，请 {math.ceil(minutes / 60)} 小时后再试。"
    return f"提交过于频繁，请 {minutes} 分钟后再试。"


class _SelfRegistrationThrottle(SimpleRateThrottle):
    kind = ""

    def get_rate(self) -> str:
        rates = {**DEFAULT_RATES, **getattr(settings, "SELF_REGISTRATION_RATES", {})}
        return rates[self.kind]

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()  # settings may change between requests (tests); DRF reads it once
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class SelfRegistrationIPThrottle(_SelfRegistrationThrottle):
    kind = "ip"
    scope = "selfreg_ip"

    def get_cache_key(self, request, view) -> str | None:
        if request.method != "POST":
            return None
        # REMOTE_ADDR, or behind our reverse proxy the address it saw (REST_FRAMEWORK["NUM_PROXIES"])
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _submitted_id_number(request) -> str:
    try:
        data = request.data if hasattr(request, "data") else request.POST  # the API's request, or the page's
        value = data.get("id_number")
    except Exception:  # a body that is not JSON, or not an object: the view answers it
        return ""
    return normalize_text(value if isinstance(value, str) else "")[:40].upper()


class SelfRegistrationIDThrottle(_SelfRegistrationThrottle):
    """Per ID number: the key is a keyed hash, so the cache never holds an ID number."""

    kind = "id_number"
    scope = "selfreg_id"

    def get_cache_key(self, request, view) -> str | None:
        if request.method != "POST":
            return None
        number = _submitted_id_number(request)
        if not number:
            return None
        digest = hashlib.blake2b(
            number.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16
        ).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


THROTTLES = [SelfRegistrationIPThrottle, SelfRegistrationIDThrottle]


def check_throttles(request) -> float | None:
    """For the page's own form: None when allowed, else the seconds to wait (the API view uses the classes)."""
    waits = []
    for throttle_class in THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 0)
    return max(waits) if waits else None
