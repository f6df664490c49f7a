from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/", include("core.security.urls")),  # second factor, password change
    path("notifications/", views.notifications, name="notifications"),
    path("healthz", views.healthz, name="healthz"),
]
