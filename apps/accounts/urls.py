from django.contrib.auth import views as auth_views
from django.urls import path

from apps.security.views import SignInView

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),  # LoginView with throttling and the code step
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("school/", views.school_switch, name="school_switch"),
]
