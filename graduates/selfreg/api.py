"""POST /api/v1/self-registrations/ (no login: the graduates themselves, or a mobile front end). JSON in the
registry's field names and codes; 400 {"field": ["中文 message"]}; 202 with one answer for everyone."""

from __future__ import annotations

from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ParseError, Throttled, UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .submit import ANSWER, RegistrationInvalid, submit_registration
from .throttles import THROTTLES, throttled_message
from .tokens import issue_form_token, min_fill_seconds
from .validation import SelfRegistrationSerializer

MAX_BODY_BYTES = 16 * 1024  # every field is bounded; the whole request too

_detail = inline_serializer("SelfRegistrationDetail", {"detail": serializers.CharField()})
# {"field": ["中文 message"], ...}: any of the request's field names (or non_field_errors), each with its messages.
_errors = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"id_number": ["公民身份号码校验码错误：最后一位应为 X，请核对号码。"]},
}


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "提交的内容过大。"


class SelfRegistrationView(APIView):
    """本人登记 (seed 002's 求职登记小程序)."""

    authentication_classes: list = []  # public, no session: hence no CSRF check for JSON clients
    permission_classes = [AllowAny]
    throttle_classes = THROTTLES
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def initial(self, request, *args, **kwargs):
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:  # before anything reads the body
            raise PayloadTooLarge()
        if request.method == "POST":
            request.data  # noqa: B018 - parse now: a body that is not JSON is answered before the throttles read it
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, ParseError):
            return Response(
                {"non_field_errors": ["请求内容不是有效的 JSON。"]}, status=status.HTTP_400_BAD_REQUEST
            )
        if isinstance(exc, UnsupportedMediaType):
            return Response(
                {"detail": "请以 JSON（Content-Type: application/json）提交。"},
                status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        if isinstance(exc, Throttled):  # our message, whatever the project's exception handler says
            response = Response(
                {"detail": throttled_message(exc.wait)}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
            if exc.wait is not None:
                response["Retry-After"] = str(max(1, int(exc.wait)))
            return response
        return super().handle_exception(exc)

    def throttled(self, request, wait):
        raise Throttled(wait=wait, detail=throttled_message(wait))

    @extend_schema(
        summary="取得表单令牌",
        description="表单打开时取得签名的开始时间；提交时放在 form_token 中（最短填写时间，代替验证码）。",
        responses={
            200: inline_serializer(
                "SelfRegistrationFormToken",
                {"form_token": serializers.CharField(), "min_fill_seconds": serializers.FloatField()},
            )
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        return Response({"form_token": issue_form_token(), "min_fill_seconds": min_fill_seconds()})

    @extend_schema(
        summary="本人登记",
        description=(
            "毕业生本人登记并申请就业服务。无论该人员是否已登记，成功时都返回同样的 202 答复。"
            "website 为防机器人字段，必须留空；form_token 由 GET 本接口取得。"
        ),
        request=SelfRegistrationSerializer,
        responses={
            202: _detail,
            400: OpenApiResponse(_errors, description="字段有误：{字段: [中文错误信息]}"),
            413: _detail,
            415: _detail,
            429: OpenApiResponse(_detail, description="提交过于频繁（按 IP 地址和公民身份号码限速）"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = request.data
        if not isinstance(data, dict):
            return Response(
                {"non_field_errors": ["请求内容应为 JSON 对象。"]}, status=status.HTTP_400_BAD_REQUEST
            )
        try:
            submit_registration(data)
        except RegistrationInvalid as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": ANSWER}, status=status.HTTP_202_ACCEPTED)


self_registration_api = csrf_exempt(SelfRegistrationView.as_view())
