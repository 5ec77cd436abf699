from django.urls import path

from . import views

app_name = "curriculum"

urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("plan/subject/", views.subject_add, name="subject_add"),
    path("workload/", views.workload, name="workload"),
    path("workload/print/", views.workload_print, name="workload_print"),
    path("workload/xlsx/", views.workload_xlsx, name="workload_xlsx"),
    path("groups/", views.groups, name="groups"),
    path("groups/split/", views.split, name="split"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("staff/", views.staff, name="staff"),
    path("staff/attestation/", views.attestation, name="attestation_new"),
    path("staff/attestation/<int:pk>/", views.attestation, name="attestation"),
]
