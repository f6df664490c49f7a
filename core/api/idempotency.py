"""``Idempotency-Key`` on creates: a client that retries after a timeout creates one object, not two.

- Same user, same key, same request (method, path, body): the first response is answered again (same status and
  body, header ``Idempotent-Replayed: true``); nothing is created a second time.
- Same key with another body or on another endpoint: 422 with a Chinese message (the key was used for something
  else). The same key while the first request is still running: 409.
- Keys are scoped per user (two systems may use the same key) and kept in the cache (Redis) for
  IDEMPOTENCY_TTL seconds (24 h). Only successful (2xx) responses are kept: after a 400 the client may fix the
  body and send it again with the same key.
- Without the header a create behaves as usual.

Use `IdempotentCreateMixin` on a viewset (its `create` answers the header and calls `create_once`), or call
`idempotent(request, produce)` in an action that creates something.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from django.core.cache import cache
from rest_framework import mixins, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = 24 * 3600
PENDING_TTL = 120
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")

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


def _cache_key(request: Request, key: str) -> str:
    digest = hashlib.sha256(key.encode("ascii")).hexdigest()
    return f"api-idempotency:{request.user.pk}:{digest}"


def idempotent(request: Request, produce: Callable[[], Response]) -> Response:
    """PRODUCE's response, or the response kept for this user's Idempotency-Key."""
    key = request.headers.get(HEADER)
    if key is None:
        return produce()
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError({HEADER: [MSG_BAD_KEY]})
    cache_key = _cache_key(request, key)
    fingerprint = _fingerprint(request)
    if not cache.add(cache_key, {"fingerprint": fingerprint, "pending": True}, timeout=PENDING_TTL):
        stored = cache.get(cache_key)
        if stored is None:  # expired between the two calls: the client may simply retry
            raise IdempotencyInProgress()
        if stored["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused()
        if stored.get("pending"):
            raise IdempotencyInProgress()
        replay = Response(stored["data"], status=stored["status"])
        if stored.get("location"):
            replay["Location"] = stored["location"]
        replay["Idempotent-Replayed"] = "true"
        return replay
    try:
        response = produce()
    except BaseException:
        cache.delete(cache_key)
        raise
    if 200 <= response.status_code < 300:
        kept = json.loads(json.dumps(response.data, default=str))  # plain data, as the client saw it
        cache.set(
            cache_key,
            {
                "fingerprint": fingerprint,
                "status": response.status_code,
                "data": kept,
                "location": response.get("Location", ""),
            },
            timeout=IDEMPOTENCY_TTL,
        )
    else:
        cache.delete(cache_key)
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
