"""``Idempotency-Key`` on creates: a client that retries after a timeout creates one object, not two.

- Same user, same key, same request (method, path, body): the first response is answered again (same status and
  body, header ``Idempotent-Replayed: true``); nothing is created a second time.
- Same key with another body or on another endpoint: 422 with a Chinese message (the key was used for something
  else). The same key while the first request is still running: 409.
- Keys are scoped per user (two systems may use the same key) and kept in the cache (Redis) for
  IDEMPOTENCY_TTL seconds (24 h). Only successful (2xx) responses are kept: after a 400 the client may fix the
  body and send it again with the same key.
- Without the header a create behaves as usual.

What the cache holds is personal data (a registration's answer carries the name and the masked ID number and
phone; the request's fingerprint is a hash of a body with the full numbers), so none of it is in clear there:
- each entry (the pending marker and the kept response, with the request's fingerprint and the user's id) is one
  blob sealed with the field key (core.crypto.encrypt_bytes, SM4-GCM, key-version prefix); an entry is only
  answered to the user it names;
- the entry's name is ``api-idempotency:<user id>:<HMAC of user id and key under SECRET_KEY>``: another user's
  identical key names another entry, and a key a client derived from an ID number cannot be found by hashing
  guesses;
- an entry that no longer opens (its key version removed from FIELD_ENCRYPTION_KEY, or written by an older
  release) counts as absent: it is dropped and the request runs as new, with a warning in the log (no 500).

Use `IdempotentCreateMixin` on a viewset (its `create` answers the header and calls `create_once`), or call
`idempotent(request, produce)` in an action that creates something.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable

from django.core.cache import cache
from django.utils.crypto import salted_hmac
from rest_framework import mixins, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.crypto import FieldDecryptionError, decrypt_bytes, encrypt_bytes

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = 24 * 3600
PENDING_TTL = 120
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
CACHE_PREFIX = "api-idempotency"

MSG_BAD_KEY = "Idempotency-Key 应为 1 至 255 个可见 ASCII 字符（建议使用 UUID）。"
MSG_REUSED = "该 Idempotency-Key 已用于另一个不同的请求，请为新的请求使用新的 Idempotency-Key。"
MSG_IN_PROGRESS = "使用相同 Idempotency-Key 的请求正在处理中，请稍后重试。"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = MSG_REUSED
    default_code = "idempotency_key_reused"


class IdempotencyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = MSG_IN_PROGRESS
    default_code = "idempotency_in_progress"


def _fingerprint(request: Request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        body = repr(request.data)
    text = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cache_key(user_pk: int, key: str) -> str:
    """The cache entry of USER_PK's Idempotency-Key KEY."""
    digest = salted_hmac(CACHE_PREFIX, f"{user_pk}\n{key}", algorithm="sha256").hexdigest()
    return f"{CACHE_PREFIX}:{user_pk}:{digest}"


def _seal(record: dict) -> bytes:
    # ASCII JSON (\uXXXX escapes): a lone surrogate in a reply cannot make the encoding fail.
    return encrypt_bytes(json.dumps(record, separators=(",", ":")).encode("ascii"))


def _unseal(blob: object, user_pk: int) -> dict | None:
    """The entry BLOB as written by `_seal` for USER_PK; None when it does not open (or is not such an entry)."""
    if not isinstance(blob, bytes):  # e.g. a dict in clear, as an older release kept it
        return None
    try:
        record = json.loads(decrypt_bytes(blob))
    except (FieldDecryptionError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("user") != user_pk or "fingerprint" not in record:
        return None
    return record


def _replay(stored: dict) -> Response:
    replay = Response(stored["data"], status=stored["status"])
    if stored.get("location"):
        replay["Location"] = stored["location"]
    replay["Idempotent-Replayed"] = "true"
    return replay


def idempotent(request: Request, produce: Callable[[], Response]) -> Response:
    """PRODUCE's response, or the response kept for this user's Idempotency-Key."""
    key = request.headers.get(HEADER)
    if key is None:
        return produce()
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError({HEADER: [MSG_BAD_KEY]})
    user_pk = request.user.pk
    if user_pk is None:  # no one to scope the key to (creates need a signed-in user anyway)
        return produce()
    entry = cache_key(user_pk, key)
    fingerprint = _fingerprint(request)
    pending = _seal({"user": user_pk, "fingerprint": fingerprint, "pending": True})
    if not cache.add(entry, pending, timeout=PENDING_TTL):
        blob = cache.get(entry)
        if blob is None:  # expired between the two calls: the client may simply retry
            raise IdempotencyInProgress()
        stored = _unseal(blob, user_pk)
        if stored is None:  # unreadable: as if it had expired
            logger.warning("An Idempotency-Key entry that does not open counts as absent.")
            cache.delete(entry)
            if not cache.add(entry, pending, timeout=PENDING_TTL):
                raise IdempotencyInProgress()
        elif stored["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused()
        elif stored.get("pending"):
            raise IdempotencyInProgress()
        else:
            return _replay(stored)
    try:
        response = produce()
    except BaseException:
        cache.delete(entry)
        raise
    if 200 <= response.status_code < 300:
        kept = json.loads(json.dumps(response.data, default=str))  # plain data, as the client saw it
        record = {
            "user": user_pk,
            "fingerprint": fingerprint,
            "status": response.status_code,
            "data": kept,
            "location": response.get("Location", ""),
        }
        cache.set(entry, _seal(record), timeout=IDEMPOTENCY_TTL)
    else:
        cache.delete(entry)
    return response


# A viewset's create (POST on the list) that honours the Idempotency-Key header. The viewset writes
# `create_once(request)`, the create itself, returning its Response (DRF's serializer create by default), and
# documents it with `core.api.schema.create_schema` (the header, 201 and the errors, 409 and 422 among them).
# Comments, not docstrings: drf-spectacular shows the first docstring of a viewset's bases as its description,
# and a docstring on `create` as the description of every create.
class IdempotentCreateMixin(mixins.CreateModelMixin):
    def create(self, request, *args, **kwargs):
        return idempotent(request, lambda: self.create_once(request, *args, **kwargs))

    def create_once(self, request, *args, **kwargs) -> Response:
        return super().create(request, *args, **kwargs)
