from django.urls import path

from . import views

app_name = "graduates"

urlpatterns = [
    path("", views.graduate_list_view, name="list"),
    path("search/", views.graduate_search_view, name="search"),
    path("new/", views.graduate_create_view, name="create"),
    path("new/prefill/", views.graduate_prefill_view, name="prefill"),
    path("bulk/", views.graduate_bulk_view, name="bulk"),
    path("<int:pk>/", views.graduate_detail_view, name="detail"),
    path("<int:pk>/edit/", views.graduate_edit_view, name="edit"),
    path("<int:pk>/state/", views.graduate_state_view, name="state"),
    path("<int:pk>/visits/", views.graduate_visit_view, name="visit"),
]
