"""Who is calling: a token for other systems, the session for the browser.

- ``Authorization: Token <key>``: DRF's `rest_framework.authtoken` (one token per user;
  `python manage.py drf_create_token USERNAME` creates or shows it, ``-r`` replaces it).
- The session cookie of a signed-in user; unsafe methods (POST, PATCH, DELETE) then need the CSRF token
  (``X-CSRFToken`` header), as on the pages.

The token scheme comes first so that a call without credentials answers 401 with ``WWW-Authenticate: Token``.
"""

from rest_framework.authentication import SessionAuthentication, TokenAuthentication

AUTHENTICATION_CLASSES = [
    "rest_framework.authentication.TokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]

__all__ = ["AUTHENTICATION_CLASSES", "SessionAuthentication", "TokenAuthentication"]
