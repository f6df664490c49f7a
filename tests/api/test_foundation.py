"""The API's common behaviour: token and session authentication (CSRF on unsafe methods), 401 without
credentials, throttling (429, Chinese, per user and per IP), Idempotency-Key on creates, Chinese 400s in DRF's
shape, the cursor, the schema and Swagger UI served without a CDN, and drf_create_token."""

import uuid

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from graduates.models import Graduate
from tests.api.conftest import token_client
from tests.factories import make_id_number
from tests.html_refs import foreign_refs

pytestmark = pytest.mark.django_db

GRADUATES = "/api/v1/graduates/"


def new_graduate(seq: int = 201, **overrides) -> dict:
    body = {
        "name": "接口学生",
        "ethnicity": "01",
        "id_number": make_id_number(seq=seq),
        "cohort": 2026,
        "university_name": "青海大学",
        "graduation_date": "2026-06-30",
        "education": "3",
        "major": "软件工程",
        "origin_region": "630102",
        "mobile": "13900000002",
        "hardship": ["4"],
        "location_intention": "2",
        "intentions": ["3"],
        "service_needs": ["2"],
    }
    body.update(overrides)
    return body


# --- authentication --------------------------------------------------------------------------------------------


def test_no_credentials_is_401_with_the_token_scheme(demo_province):
    response = APIClient().get(GRADUATES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["detail"] == "身份认证信息未提供。"


def test_a_wrong_token_is_401(demo_province):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get(GRADUATES)
    assert response.status_code == 401
    assert response.json()["detail"] == "认证令牌无效。"


def test_drf_create_token_gives_a_working_token(prefecture_clerk, capsys):
    call_command("drf_create_token", "xining")
    key = capsys.readouterr().out.split()[2]
    assert Token.objects.get(user=prefecture_clerk).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(GRADUATES).status_code == 200


def test_a_deactivated_users_token_stops_working(prefecture_clerk):
    client = token_client(prefecture_clerk)
    assert client.get(GRADUATES).status_code == 200
    prefecture_clerk.is_active = False
    prefecture_clerk.save(update_fields=["is_active"])
    assert client.get(GRADUATES).status_code == 401


def test_session_reads_and_writes_need_the_csrf_token(prefecture_clerk):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(prefecture_clerk)  # a signed-in browser session
    assert browser.get(GRADUATES).status_code == 200
    # A write with the session but no CSRF token: refused, nothing created (another site cannot post for the user).
    refused = browser.post(GRADUATES, new_graduate(), content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Graduate.objects.exists()
    csrf = _get_new_csrf_string()  # as the pages' CSRF cookie holds, and their script sends back
    browser.cookies["csrftoken"] = csrf
    created = browser.post(GRADUATES, new_graduate(), content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert created.status_code == 201, created.content
    assert Graduate.objects.get().name == "接口学生"


def test_a_token_needs_no_csrf_token(prefecture_clerk):
    client = token_client(prefecture_clerk, enforce_csrf_checks=True)
    assert client.post(GRADUATES, new_graduate(), format="json").status_code == 201


# --- throttling ------------------------------------------------------------------------------------------------


def _rates(user: str | None, ip: str | None):
    from django.conf import settings

    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": user, "ip": ip}}
    )


def test_per_user_throttle_answers_429_in_chinese(prefecture_clerk, other_prefecture_clerk):
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    cache.delete(f"api-throttle:ip:{address}")
    for user in (prefecture_clerk, other_prefecture_clerk):  # user ids repeat between test databases
        cache.delete(f"api-throttle:user:{user.pk}")
    with _rates("3/min", None):
        client = token_client(prefecture_clerk, REMOTE_ADDR=address)
        assert [client.get(GRADUATES).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get(GRADUATES)
        assert refused.status_code == 429
        assert refused.json()["detail"].startswith("请求过于频繁，请在")
        assert int(refused["Retry-After"]) > 0
        # Another user from the same address has a budget of its own.
        assert token_client(other_prefecture_clerk, REMOTE_ADDR=address).get(GRADUATES).status_code == 200


def test_per_ip_throttle_counts_every_caller_from_one_address(
    prefecture_clerk, other_prefecture_clerk, county_clerk
):
    address = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    cache.delete(f"api-throttle:ip:{address}")
    with _rates(None, "2/min"):
        assert token_client(prefecture_clerk, REMOTE_ADDR=address).get(GRADUATES).status_code == 200
        assert token_client(other_prefecture_clerk, REMOTE_ADDR=address).get(GRADUATES).status_code == 200
        third = token_client(county_clerk, REMOTE_ADDR=address).get(GRADUATES)
        assert third.status_code == 429
        assert third.json()["detail"].startswith("请求过于频繁")
        # A forged X-Forwarded-For does not buy a new budget (NUM_PROXIES is 0 without BEHIND_PROXY).
        forged = token_client(prefecture_clerk, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="192.0.2.9")
        assert forged.get(GRADUATES).status_code == 429


# --- idempotency -----------------------------------------------------------------------------------------------


def test_the_same_key_and_body_create_one_record(prefecture_clerk):
    client = token_client(prefecture_clerk)
    key = str(uuid.uuid4())
    first = client.post(GRADUATES, new_graduate(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(GRADUATES, new_graduate(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Graduate.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(prefecture_clerk):
    client = token_client(prefecture_clerk)
    key = str(uuid.uuid4())
    assert client.post(GRADUATES, new_graduate(), format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    other = client.post(
        GRADUATES, new_graduate(seq=203, name="另一人"), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert other.status_code == 422
    assert "已用于另一个不同的请求" in other.json()["detail"]
    assert Graduate.objects.count() == 1


def test_keys_are_per_user_and_a_failed_create_does_not_use_the_key(prefecture_clerk, other_prefecture_clerk):
    key = str(uuid.uuid4())
    xining, haidong = token_client(prefecture_clerk), token_client(other_prefecture_clerk)
    bad = xining.post(GRADUATES, new_graduate(id_number="123"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert bad.status_code == 400
    assert xining.post(GRADUATES, new_graduate(), format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    haidong_body = new_graduate(seq=205, origin_region="630203")
    assert haidong.post(GRADUATES, haidong_body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    assert Graduate.objects.count() == 2


def test_a_malformed_key_is_400(prefecture_clerk):
    response = token_client(prefecture_clerk).post(
        GRADUATES, new_graduate(), format="json", HTTP_IDEMPOTENCY_KEY="钥匙"
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


# --- errors, cursor, schema ------------------------------------------------------------------------------------


def test_400_names_the_field_in_chinese(prefecture_clerk):
    from tests.factories import wrong_check_digit

    response = token_client(prefecture_clerk).post(
        GRADUATES,
        new_graduate(
            id_number=wrong_check_digit(make_id_number()), mobile="12345", graduation_date="2026-13-01"
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"graduation_date"}  # types first: the date is not a date
    assert errors["graduation_date"][0].startswith("日期格式错误")
    response = token_client(prefecture_clerk).post(
        GRADUATES, new_graduate(id_number=wrong_check_digit(make_id_number()), mobile="12345"), format="json"
    )
    errors = response.json()
    assert "校验" in errors["id_number"][0]
    assert "手机号码" in errors["mobile"][0]
    assert not Graduate.objects.exists()


def test_a_body_with_text_postgresql_cannot_store_is_400(prefecture_clerk):
    response = token_client(prefecture_clerk).post(
        GRADUATES, b'{"name": "\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "代理项" in response.json()["detail"]


def test_cursor_pages_through_the_list_and_a_forged_cursor_is_400(prefecture_clerk, register):
    for seq in range(301, 306):
        register(prefecture_clerk, seq=seq)
    client = token_client(prefecture_clerk)
    seen, url = [], f"{GRADUATES}?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(Graduate.objects.values_list("id", flat=True), reverse=True)
    forged = client.get(f"{GRADUATES}?cursor=cD1hYmM=")  # "p=abc"
    assert forged.status_code == 400
    assert "翻页游标" in forged.json()["cursor"][0]
    assert client.get(f"{GRADUATES}?page_size=5000").status_code == 400


def test_schema_and_swagger_ui_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/v1/graduates/",
        "/api/v1/graduates/{id}/visits/",
        "/api/v1/services/",
        "/api/v1/plans/",
    ):
        assert path in document["paths"]
    list_responses = document["paths"]["/api/v1/graduates/"]["get"]["responses"]
    assert {"200", "400", "401", "429"} <= set(list_responses)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert foreign_refs(html) == []
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert finders.find(
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    )  # shipped by the package
