"""Shared OpenAPI responses, so each operation documents the error statuses it really answers.

``errors(400, 401, 404)`` → the `responses` entries for `extend_schema`; 400 is the field-error object, the
others ``{"detail": "..."}``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers

DetailSerializer = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})

DESCRIPTIONS = {
    400: '请求有误：按字段给出中文错误信息，如 {"id_number": ["公民身份号码校验位不正确…"]}',
    401: "未提供或无效的身份凭证（Authorization: Token …）",
    403: "无权进行此操作（如非就业服务机构人员修改数据，或会话方式缺少 CSRF 令牌）",
    404: "未找到，或不在您的数据范围内",
    409: "相同 Idempotency-Key 的请求正在处理中",
    422: "该 Idempotency-Key 已用于另一个不同的请求",
    429: "请求过于频繁，请稍后重试（见 Retry-After）",
}


# {"field": ["message", ...]}; a body that is not JSON at all answers {"detail": "message"} (DRF's ParseError).
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
}


def errors(*codes: int) -> dict:
    responses: dict = {}
    for code in codes:
        if code == 400:
            responses[code] = OpenApiResponse(response=FIELD_ERRORS, description=DESCRIPTIONS[400])
        else:
            responses[code] = OpenApiResponse(response=DetailSerializer, description=DESCRIPTIONS[code])
    return responses


# Every call may be refused for credentials or rate.
COMMON = (401, 429)
READ_ONE = (*COMMON, 404)
LIST = (*COMMON, 400)
WRITE = (*COMMON, 400, 403)
CREATE = (*WRITE, 409, 422)

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="同一用户以相同的 Key 和相同的请求内容重复提交时只创建一次，并返回首次的结果（1–255 个可见 ASCII 字符）。",
)


def create_schema(*, summary: str, request, created, responses: dict | None = None, **kwargs):
    """`extend_schema` of a create that honours the Idempotency-Key header (core.api.idempotency): the header,
    201 with CREATED, and the errors of a create (409 and 422 of the key among them); RESPONSES adds entries or
    replaces them in place."""
    return extend_schema(
        summary=summary,
        request=request,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: created, **errors(*CREATE), **(responses or {})},
        **kwargs,
    )


# Query parameters that a client may send empty ("?state=" means no filter, as on the pages' filter bars).
EMPTY_MEANS_ALL = {"type": "string", "enum": [""]}
NEVER_EMPTY = {"page_size"}


def empty_query_values(result, generator, request, public):
    """drf-spectacular postprocessing hook: a typed or enumerated query parameter also accepts the empty string,
    which django-filter (and the pages) read as "not filtered"; the schema says so, so it is no surprise."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query" or parameter["name"] in NEVER_EMPTY:
                    continue
                if (
                    "enum" in schema
                    or schema.get("type") in ("integer", "number", "boolean", "array")
                    or (schema.get("format") in ("date", "date-time"))
                ):
                    parameter["schema"] = {"anyOf": [schema, EMPTY_MEANS_ALL]}
    return result
