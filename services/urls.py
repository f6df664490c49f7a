from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("", views.service_log_view, name="log"),
    path("bulk/", views.bulk_view, name="bulk"),
    path("ledger/", views.ledger_view, name="ledger"),
    path("plans/", views.plan_worklist_view, name="plans"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("postings/", views.postings_view, name="postings"),
    path("events/", views.events_view, name="events"),
    path("graduate/<int:pk>/specialist/", views.assign_specialist_view, name="specialist"),
    path("graduate/<int:pk>/recommend/<int:posting_pk>/", views.recommend_view, name="recommend"),
    path("graduate/<int:pk>/", views.record_service_view, name="record"),
    path("<int:pk>/void/", views.void_view, name="void"),
]
