"""Included by reporting/urls.py at reporting/feedback/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.feedback_page, name="feedback"),
    path("<int:university_id>.xlsx", views.feedback_download, name="feedback_download"),
    path("all.zip", views.feedback_zip, name="feedback_zip"),
]
