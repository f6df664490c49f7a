from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "高校毕业生就业服务系统 · 管理后台"
admin.site.site_title = "就业服务管理后台"
admin.site.index_title = "省级管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graduates/", include("graduates.urls")),
    path("imports/", include("graduates.roster.urls")),
    path("handover/reports/", include("reporting.progress.legacy_urls")),  # moved: permanent redirects
    path("handover/transfers/", include("handover.transfers.urls")),
    path("handover/", include("handover.urls")),
    path("services/", include("services.urls")),
    path("reporting/", include("reporting.urls")),
    path("", include("core.urls")),
]
