from django.urls import path

from . import views

app_name = "roster"

urlpatterns = [
    path("", views.upload_list_view, name="list"),
    path("template.xlsx", views.template_view, name="template"),
    path("universities/", views.university_status_view, name="universities"),
    path("<int:pk>/", views.upload_detail_view, name="detail"),
    path("<int:pk>/commit/", views.upload_commit_view, name="commit"),
    path("<int:pk>/cancel/", views.upload_cancel_view, name="cancel"),
    path("<int:pk>/invalid.xlsx", views.invalid_rows_view, name="invalid_rows"),
]
