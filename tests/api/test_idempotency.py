"""Idempotency-Key replies at rest: what Redis keeps for 24 h holds no ID number, phone or name in clear (nor
their masked forms), a replay still answers the first reply, another user's identical key never reaches it, and
a kept reply that no longer decrypts (its key removed) counts as absent instead of failing."""

import base64
import json
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

from core import crypto
from core.api.idempotency import cache_key
from graduates.checks import mask_id_number, mask_phone
from graduates.models import Graduate
from services.models import JobPosting
from tests.api.conftest import token_client
from tests.api.test_foundation import new_graduate
from tests.api.test_postings_api import posting_body
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

GRADUATES, POSTINGS = "/api/v1/graduates/", "/api/v1/job-postings/"


@pytest.fixture
def raw_redis():
    """A plain Redis client on the cache's database (not Django's cache API): the bytes as they sit in Redis."""
    cache_settings = django_settings.CACHES["default"]
    assert cache_settings["BACKEND"].endswith("RedisCache"), "these tests read Redis itself (set REDIS_URL)"
    cache.clear()
    client = redis.Redis.from_url(cache_settings["LOCATION"])
    yield client
    client.close()


def kept_entries(client: redis.Redis, user) -> dict[bytes, bytes]:
    return {name: client.get(name) for name in client.scan_iter(match=f"*api-idempotency:{user.pk}:*")}


def test_a_kept_reply_holds_no_personal_number_in_clear_and_is_only_the_users(
    raw_redis, prefecture_clerk, other_prefecture_clerk
):
    number, mobile, name = make_id_number(seq=417), "13971234568", "幂等学生"
    body = new_graduate(id_number=number, mobile=mobile, name=name)
    key = f"registration-{uuid.uuid4()}"
    xining = token_client(prefecture_clerk)

    first = xining.post(GRADUATES, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.json()
    reply = first.json()
    assert (reply["id_number"], reply["mobile"], reply["name"]) == (
        mask_id_number(number),
        mask_phone(mobile),
        name,
    )

    entries = kept_entries(raw_redis, prefecture_clerk)
    assert len(entries) == 1
    [(entry_name, raw)] = entries.items()
    assert key.encode() not in entry_name
    for clear in (number, mask_id_number(number), number[6:14], mobile, mask_phone(mobile), name):
        for form in (
            clear.encode("utf-8"),
            json.dumps(clear).encode("ascii")[1:-1],
        ):  # as such, or JSON-escaped
            assert form not in raw, clear
            assert form not in entry_name, clear
    assert b"v1:" in raw  # sealed under the field key's current version

    again = xining.post(GRADUATES, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == reply
    assert Graduate.objects.count() == 1

    # 海东市's system happens to send the same key (and even the same body): it never sees 西宁市's reply.
    haidong = token_client(other_prefecture_clerk)
    same_body = haidong.post(GRADUATES, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert "Idempotent-Replayed" not in same_body
    assert same_body.json() != reply
    own_body = new_graduate(seq=419, origin_region="630203", name="海东幂等学生")
    own = haidong.post(GRADUATES, own_body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert own.status_code == 201, own.json()
    assert "Idempotent-Replayed" not in own
    assert own.json()["id"] != reply["id"]
    assert len(kept_entries(raw_redis, other_prefecture_clerk)) == 1
    assert xining.post(GRADUATES, body, format="json", HTTP_IDEMPOTENCY_KEY=key).json() == reply


def test_a_kept_reply_whose_key_was_removed_counts_as_absent(raw_redis, settings, county_clerk):
    client = token_client(county_clerk)
    key = str(uuid.uuid4())
    temporary = "3:" + base64.b64encode(b"idem-temp-key-16").decode()
    settings.FIELD_ENCRYPTION_KEY = f"{temporary},{crypto.DEVELOPMENT_FIELD_ENCRYPTION_KEY}"
    crypto.reset_keys()
    try:
        first = client.post(POSTINGS, posting_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert first.status_code == 201
        [raw] = kept_entries(raw_redis, county_clerk).values()
        assert b"v3:" in raw
        # Key version 3 dropped from FIELD_ENCRYPTION_KEY: the kept reply no longer opens.
        settings.FIELD_ENCRYPTION_KEY = crypto.DEVELOPMENT_FIELD_ENCRYPTION_KEY
        crypto.reset_keys()
        retried = client.post(POSTINGS, posting_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert retried.status_code == 201, retried.content  # run as new, as after the 24 h: no 500
        assert "Idempotent-Replayed" not in retried
        assert JobPosting.objects.count() == 2
        # …and its reply is kept again, under the key in use now.
        [raw] = kept_entries(raw_redis, county_clerk).values()
        assert b"v1:" in raw
        replayed = client.post(POSTINGS, posting_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert replayed["Idempotent-Replayed"] == "true"
        assert replayed.json() == retried.json()
    finally:
        crypto.reset_keys()


def test_a_reply_kept_in_clear_by_an_earlier_release_is_not_answered(raw_redis, county_clerk):
    key = str(uuid.uuid4())
    cache.set(
        cache_key(county_clerk.pk, key),
        {
            "fingerprint": "0" * 64,
            "status": 201,
            "data": {"id": 1, "title": "旧版本保存的结果"},
            "location": "",
        },
    )
    answer = token_client(county_clerk).post(
        POSTINGS, posting_body(), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert answer.status_code == 201
    assert "Idempotent-Replayed" not in answer
    assert answer.json()["title"] == "软件开发"
    [raw] = kept_entries(raw_redis, county_clerk).values()
    assert "旧版本".encode() not in raw
