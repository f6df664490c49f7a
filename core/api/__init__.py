"""The REST API's shared parts (`/api/v1/`, Django REST framework). Business rules stay in each app's actions and
selectors: an API view parses, calls them, and answers.

How an app plugs its resources in
---------------------------------
1. Write `<app>/api.py` with viewsets built on the pieces here, and a function `register(router)` that registers
   them (``router.register("graduates", GraduateViewSet, basename="graduate")``). An app may also expose a list
   `urlpatterns` of plain paths (a download, a view that is no viewset); they are mounted under `/api/v1/` too.
2. Add ONE line to `config/api_urls.py`: ``plug("handover.api")``. Nothing else: the schema (`/api/schema/`),
   Swagger UI (`/api/docs/`) and the schemathesis run in CI (tests/api/test_schemathesis.py) pick it up.

The pieces (each module's docstring says more):
- `authentication`: token (``Authorization: Token <key>``, `python manage.py drf_create_token USERNAME`) then
  session (the browser; unsafe methods need the CSRF token). Set globally in settings.REST_FRAMEWORK.
- `throttles`: per user/token and per client IP, counted in the cache (Redis); 429 with a Chinese message.
- `pagination.IdCursorPagination`: cursor pagination for big lists (stable under inserts, no COUNT).
- `idempotency.IdempotentCreateMixin` (a viewset writes `create_once`) / `idempotent` (in an action): creates
  accept an ``Idempotency-Key`` header; the kept replies are sealed with the field key in the cache.
- `masking`: ID numbers and phones masked in lists; full on retrieve, audited (`full_retrieve`).
- `scoping.ScopedViewMixin`: querysets narrowed by core.scope; an object outside the scope is 404, never 403.
- `permissions.EmploymentOfficeWrites`: reads for every signed-in user, writes for employment office staff.
- `exceptions.exception_handler`: Chinese messages, Django ValidationError from actions as DRF's
  ``{"field": ["message"]}`` (400), PermissionDenied 403, throttling 429.
- `schema`: shared OpenAPI responses, so the documented status codes are the real ones; `create_schema` for a
  create (the Idempotency-Key header, 201 and a create's errors).
"""
