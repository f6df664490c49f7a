from django.urls import path

from . import views

app_name = "selfreg"

urlpatterns = [
    path("", views.worklist_view, name="worklist"),
    path("<int:pk>/contacted/", views.contacted_view, name="contacted"),
    path("<int:pk>/conflict/", views.conflict_view, name="conflict"),
]
