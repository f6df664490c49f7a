from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/recovery/", views.recovery_codes, name="recovery_codes"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_changed",
    ),
]
