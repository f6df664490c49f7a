"""Response headers and request limits every page shares (issue 12, "Headers, deploy, dependencies").

- `RequestSizeLimitMiddleware` refuses a request whose declared body is larger than settings.REQUEST_MAX_BYTES
  (413, in Chinese; JSON under /api/) before anything reads it: an upload cannot fill the server's memory or disk.
- `NoStoreMiddleware` marks every response the application makes (pages, fragments, downloads, the API) as never
  to be cached: office PCs are shared and a browser cache would keep graduates' records on disk. Static files are
  served by whitenoise before this middleware and keep their long cache lifetime.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

TOO_LARGE = "上传内容过大：单次请求不能超过 {mb} MB。请拆分文件后分批上传。"


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.REQUEST_MAX_BYTES
        if declared > limit:
            message = TOO_LARGE.format(mb=limit // (1024 * 1024))
            if request.path.startswith("/api/"):
                response: HttpResponse = JsonResponse({"detail": message}, status=413)
            else:
                html = render_to_string("413.html", {"message": message}, request=None)
                response = HttpResponse(html, status=413)
            response["Connection"] = "close"  # the body is not read: the connection cannot be reused
            return response
        return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(
            response
        )  # merged with what the view set: no-cache, no-store, private, max-age=0
        return response
