"""Included by config/urls.py at reporting/."""

from django.urls import include, path

from . import views

app_name = "reporting"

urlpatterns = [
    path("monthly/", views.monthly_view, name="monthly"),
    path("monthly/<int:pk>.xlsx", views.snapshot_download, name="download"),
    path("monthly/jobs/<uuid:job_id>/", views.monthly_job_view, name="monthly_job"),
    path("feedback/", include("reporting.feedback.urls")),
    path("statistics/", include("reporting.statistics.urls")),
    path("progress/", include("reporting.progress.urls")),
]
