"""Included by reporting/urls.py at reporting/progress/ (names in the reporting namespace: reporting:progress …)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.progress_view, name="progress"),
    path("weekly.xlsx", views.weekly_download, name="weekly"),
    path("weekly/submit/", views.weekly_submit, name="weekly_submit"),
    path("weekly/<int:pk>.xlsx", views.weekly_snapshot_download, name="weekly_snapshot"),
    path("mohrss.xlsx", views.mohrss_download, name="mohrss"),
]
