"""The API's own fallbacks."""

from __future__ import annotations

from django.http import JsonResponse

from .scoping import NOT_FOUND


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any path under /api/v1/ that is no resource: 404 in JSON, as the resources answer it."""
    return JsonResponse({"detail": NOT_FOUND}, status=404, json_dumps_params={"ensure_ascii": False})
