from django.urls import path

from . import views

app_name = "compromise"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("report/", views.report, name="report"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/revert/", views.revert, name="revert"),
    path("<int:pk>/password/", views.password, name="password"),
    path("own/", views.report_own, name="report_own"),
    path("password/", views.password_change, name="password_change"),
]
