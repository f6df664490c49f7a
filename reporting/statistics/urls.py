"""Included by reporting/urls.py at reporting/statistics/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.statistics_page, name="statistics"),
    path("statistics.xlsx", views.statistics_download, name="statistics_download"),
]
