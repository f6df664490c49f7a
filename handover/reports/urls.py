"""Included by config/urls.py at handover/reports/."""

from django.urls import path

from . import views as report_views

app_name = "handover_reports"

urlpatterns = [
    path("", report_views.progress_view, name="progress"),
    path("weekly.xlsx", report_views.weekly_download, name="weekly"),
    path("mohrss.xlsx", report_views.mohrss_download, name="mohrss"),
]
