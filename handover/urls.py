from django.urls import path

from . import views

app_name = "handover"

urlpatterns = [
    path("", views.handover_home, name="home"),
    path("batches/<int:pk>/dispatch/", views.dispatch_view, name="dispatch"),
    path("acknowledge/", views.acknowledge_view, name="acknowledge"),
    path("pass-down/", views.pass_down_view, name="pass_down"),
    path("unassigned/", views.unassigned_view, name="unassigned"),
    path("worklist/", views.worklist_view, name="worklist"),
    path("contact/<int:pk>/", views.contact_view, name="contact"),
    path("report-in/", views.report_in_view, name="report_in"),
    path("unreachable.xlsx", views.unreachable_export_view, name="unreachable_export"),
    path("unreachable/answers/", views.unreachable_answers_view, name="unreachable_answers"),
]
