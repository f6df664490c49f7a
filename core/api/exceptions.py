"""Errors in Chinese, in DRF's shapes.

- 400: ``{"field": ["message", ...]}`` (the form's field names; ``non_field_errors`` for the rest). A Django
  ValidationError raised by an action (graduates/actions.py, services/actions.py) becomes exactly that, with the
  action's own Chinese message, as on the pages.
- 401, 403, 404, 405, 409, 422, 429: ``{"detail": "message"}``; Django's PermissionDenied and Http404 from a
  selector are answered as 403 and 404; 429 says how long to wait (``Retry-After`` too).
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

MSG_BAD_JSON = "请求内容不是有效的 JSON（UTF-8 编码），请检查后重新提交。"
MSG_THROTTLED = "请求过于频繁，请在 {wait} 秒后重试。"
MSG_THROTTLED_NO_WAIT = "请求过于频繁，请稍后重试。"


def as_drf_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ValidationError (per field or not) as DRF's {"field": ["message"]}."""
    if hasattr(exc, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return exceptions.ValidationError(detail)


def _flat(messages) -> list[str]:
    """A field's errors as one list of messages (a list item's or a nested field's errors are lifted up)."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flat(value)]
    return [messages]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    elif isinstance(exc, exceptions.ValidationError):
        detail = (
            exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        )
        exc = exceptions.ValidationError({field: _flat(messages) for field, messages in detail.items()})
    elif isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error"):
        exc = exceptions.ParseError(MSG_BAD_JSON)
    elif isinstance(exc, exceptions.Throttled):
        wait = exc.wait
        detail = MSG_THROTTLED.format(wait=math.ceil(wait)) if wait else MSG_THROTTLED_NO_WAIT
        exc = exceptions.Throttled(wait=wait, detail=detail)
    return drf_exception_handler(exc, context)
