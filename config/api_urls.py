"""`/api/v1/`: every app's API resources, mounted from one router.

To add an app's resources, write `<app>/api.py` with `register(router)` (viewsets) and/or a list `urlpatterns`
(plain paths), then add ONE line below: ``plug("<app>.api")``. See core/api/__init__.py for the shared parts
(authentication, throttles, cursor pagination, Idempotency-Key, masking, scope, errors, schema responses).
The schema (/api/schema/), Swagger UI (/api/docs/) and the schemathesis run in CI cover it from then on.
"""

from __future__ import annotations

from importlib import import_module

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from core.api.views import not_found


class ApiRouter(SimpleRouter):
    """Any path segment reaches the viewset (ids like "0.5" or "abc" are answered 404 in JSON by the view, not by
    Django's HTML page)."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None:
            viewset.lookup_value_regex = "[^/]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = ApiRouter()
urlpatterns: list = []


def plug(module_name: str) -> None:
    """Register MODULE_NAME's viewsets on the router and mount its own urlpatterns, if any."""
    module = import_module(module_name)
    if hasattr(module, "register"):
        module.register(router)
    urlpatterns.extend(getattr(module, "urlpatterns", []))


# --- one line per app ------------------------------------------------------------------------------------------
plug("graduates.api")
plug("services.api")
plug("handover.api")
plug("graduates.roster.api")
plug("services.postings_api")
plug("reporting.api")
# ----------------------------------------------------------------------------------------------------------------

urlpatterns += router.urls
urlpatterns.append(re_path(r"^.*$", not_found))  # anything else under /api/v1/: a JSON 404
