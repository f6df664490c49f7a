from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notifications, name="notifications"),
    path("healthz", views.healthz, name="healthz"),
]
