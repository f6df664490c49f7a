from django.urls import path

from .batches import views as batches
from .contact import views as contact

app_name = "handover"

urlpatterns = [
    path("", batches.handover_home, name="home"),
    path("batches/<int:pk>/dispatch/", batches.dispatch_view, name="dispatch"),
    path("acknowledge/", batches.acknowledge_view, name="acknowledge"),
    path("pass-down/", batches.pass_down_view, name="pass_down"),
    path("unassigned/", batches.unassigned_view, name="unassigned"),
    path("education/", batches.education_confirm_view, name="education"),
    path("worklist/", contact.worklist_view, name="worklist"),
    path("contact/<int:pk>/", contact.contact_view, name="contact"),
    path("report-in/", contact.report_in_view, name="report_in"),
    path("unreachable.xlsx", contact.unreachable_export_view, name="unreachable_export"),
    path("unreachable/answers/", contact.unreachable_answers_view, name="unreachable_answers"),
]
