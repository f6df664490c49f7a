"""The site's icon: every page links it, and /favicon.ico (what a browser asks for on a page without the link, and
what used to answer 404 on every page load) leads to the same file, served by whitenoise like any static file."""

import re

import pytest
from django.templatetags.static import static
from django.urls import reverse

ICO_HEADER = b"\x00\x00\x01\x00"  # reserved 0, type 1 (icon)


@pytest.fixture
def static_from_finders(settings):
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = (
        True  # as in development: no collectstatic
    )


def test_favicon_ico_is_not_404_but_the_icon(client, static_from_finders):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == static("favicon.ico")
    icon = client.get("/favicon.ico", follow=True)
    assert icon.status_code == 200
    assert icon["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body.startswith(ICO_HEADER) and int.from_bytes(body[4:6], "little") == 2  # 16 and 32 px
    assert "no-store" not in icon.get("Cache-Control", "")  # a static file keeps its cache
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405


def test_the_favicon_answers_a_signed_in_clerk_too(client, county_clerk, static_from_finders):
    client.force_login(county_clerk)
    assert client.get("/favicon.ico", follow=True).status_code == 200


@pytest.mark.django_db
def test_pages_link_the_icon_from_static_files(client, static_from_finders):
    for url in ("/login/", "/register/"):
        html = client.get(url).content.decode()
        links = {
            kind or "ico": href
            for href, kind in re.findall(
                r'<link rel="icon" href="([^"]+)"(?: sizes="[^"]+")?(?: type="([^"]+)")?', html
            )
        }
        assert links == {"ico": static("favicon.ico"), "image/svg+xml": static("favicon.svg")}, url
    svg = client.get(static("favicon.svg"))
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(svg.streaming_content)


def test_an_admin_between_password_and_second_factor_still_gets_the_icon(client, province_admin, password):
    """The browser asks for /favicon.ico on the verification page itself: that request is not sent there again."""
    assert (
        client.post("/login/", {"username": province_admin.username, "password": password}).status_code == 302
    )
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == static("favicon.ico")
    # The check above means something: any other page still sends this session to the second factor.
    assert client.get("/").url.startswith((reverse("security:otp_verify"), reverse("security:otp_setup")))
