from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("", views.transfer_list_view, name="list"),
    path("new/<int:graduate_id>/", views.transfer_request_view, name="new"),
    path("<int:pk>/accept/", views.accept_view, name="accept"),
    path("<int:pk>/reject/", views.reject_view, name="reject"),
    path("<int:pk>/cancel/", views.cancel_view, name="cancel"),
]
