from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from graduates.selfreg.api import self_registration_api
from graduates.selfreg.views import register_view


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on pages without our <link rel="icon"> (the admin's, error pages):
    a redirect to the static file, served by whitenoise under its hashed name with its long cache."""
    return redirect(static("favicon.ico"))


admin.site.site_header = "高校毕业生就业服务系统 · 管理后台"
admin.site.site_title = "就业服务管理后台"
admin.site.index_title = "省级管理"

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # Self-registration (public): before any api/v1/ include.
    path("register/", register_view, name="self_register"),
    path("api/v1/self-registrations/", self_registration_api, name="api-self-registrations"),
    path("graduates/self-registrations/", include("graduates.selfreg.urls")),
    path("api/v1/", include("config.api_urls")),  # the REST API (core/api/, each app's api.py)
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),  # OpenAPI 3
    # Swagger UI; its start-up script served as a file of its own (the CSP allows no inline script)
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("graduates/", include("graduates.urls")),
    path("imports/", include("graduates.roster.urls")),
    path("handover/reports/", include("reporting.progress.legacy_urls")),  # moved: permanent redirects
    path("handover/transfers/", include("handover.transfers.urls")),
    path("handover/", include("handover.urls")),
    path("services/", include("services.urls")),
    path("reporting/", include("reporting.urls")),
    path("", include("core.urls")),
]
