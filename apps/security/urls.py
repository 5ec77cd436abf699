from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("", views.index, name="index"),
    path("sessions/end/", views.session_end, name="session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("two-step/", views.totp_setup, name="totp"),
    path("two-step/off/", views.totp_off, name="totp_disable"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
]
