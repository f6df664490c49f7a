"""Headers every response carries (issue 12): a CSP without 'unsafe-inline', no caching of anything the
application makes, frame denial, nosniff, Referrer-Policy, HSTS and secure cookies under HTTPS, a request body
limit; and `check --deploy` clean with production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.headers import NoStoreMiddleware, RequestSizeLimitMiddleware  # noqa: F401 - the middleware under test

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("user", [None, "county_clerk"])
def test_pages_carry_a_strict_policy_and_are_never_cached(client, request, user, db):
    urls = ["/login/"]
    if user:
        client.force_login(request.getfixturevalue(user))
        urls = ["/", reverse("graduates:list"), "/reporting/monthly/", "/reporting/statistics/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_static_files_keep_their_cache(client, settings):
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = (
        True  # as in development: no collectstatic
    )
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, county_clerk, settings):
    settings.REQUEST_MAX_BYTES = 1024
    client.force_login(county_clerk)
    response = client.post("/imports/", data=b"x" * 2048, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
    response = client.post(
        "/api/v1/graduates/", data=b"{" + b" " * 2048 + b"}", content_type="application/json"
    )
    assert response.status_code == 413 and "上传内容过大" in response.json()["detail"]
    assert (
        client.post("/imports/", data=b"x" * 10, content_type="application/octet-stream").status_code != 413
    )


def test_no_template_has_inline_script_style_or_handler():
    """The policy forbids them; a template that adds one breaks in the browser, so it fails here first."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if "drf_spectacular" in path.parts:
            continue
        text = path.read_text()
        for pattern in (r"\sstyle=", r"<style", r"\son[a-z]+=", r"<script(?![^>]*\ssrc=)", r"javascript:"):
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {pattern}")
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "production-like-" + "k3y" * 20,
        "ALLOWED_HOSTS": "jiuye.example.gov.cn",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_cookies_are_secure_httponly_and_samesite_under_https():
    # settings of this process come from HTTPS=0 (tests run on plain http); the production values are checked by
    # `check --deploy` above. Here: the cookies are HttpOnly and SameSite whatever the scheme.
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE in {"Lax", "Strict"}
    assert settings.CSRF_COOKIE_SAMESITE in {"Lax", "Strict"}
