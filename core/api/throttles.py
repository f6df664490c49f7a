"""Rate limits per user (token or session) and per client IP, counted in the cache (Redis in production).

Rates are read from settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] at each request (so a test's
override_settings applies), keys ``user`` and ``ip``; an absent or None rate means no limit. The client IP is
REMOTE_ADDR, or the address the reverse proxy put in X-Forwarded-For when BEHIND_PROXY (NUM_PROXIES): a client
cannot pick its own address. A refused request answers 429 with a Chinese message and ``Retry-After``.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserRateThrottle(_SettingsRateThrottle):
    """Per signed-in user: a token and the session of the same user share one budget."""

    scope = "user"

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class IPRateThrottle(_SettingsRateThrottle):
    """Per client address: every user calling from it shares one budget (throttles run after authentication,
    so a call without valid credentials is answered 401 before it counts)."""

    scope = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


THROTTLE_CLASSES = ["core.api.throttles.UserRateThrottle", "core.api.throttles.IPRateThrottle"]
