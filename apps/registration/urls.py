from django.urls import path

from . import views, views_resets

app_name = "registration"

urlpatterns = [
    # Public: registering, recovering a password, applying for diary access.
    path("register/", views.register, name="register"),
    path("register/account/", views.register_account, name="register_account"),
    path("forgot/", views.forgot, name="forgot"),
    path("recover/", views.recover, name="recover"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/complete/", views.password_reset_complete, name="password_reset_complete"),
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.apply_done, name="apply_done"),
    path("apply/status/", views.application_status, name="application_status"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    # Any signed-in user.
    path("email/", views.email, name="email"),
    path("my/", views.my_access, name="my_access"),
    # The journal administrator and the class teacher.
    path("", views.index, name="index"),
    path("class/<int:class_id>/", views.class_people, name="class_people"),
    path("staff/", views.staff_people, name="staff_people"),
    path("issue/<str:kind>/<int:pk>/", views.code_issue, name="code_issue"),
    path("codes/", views.codes_register, name="codes"),
    path("codes/csv/", views.codes_csv, name="codes_csv"),
    path("codes/<int:pk>/", views.code_issued, name="code_issued"),
    path("codes/<int:pk>/revoke/", views.code_revoke, name="code_revoke"),
    path("consents/", views.consents, name="consents"),
    path("consents/new/<int:student_id>/", views.consent_add, name="consent_add"),
    path("consents/<int:pk>/end/", views.consent_end, name="consent_end"),
    path("consents/<int:pk>/scan/", views.consent_scan, name="consent_scan"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("applications/<int:pk>/refuse/", views.application_refuse, name="application_refuse"),
    path("applications/<int:pk>/refusal/", views.application_refusal, name="application_refusal"),
    path("reports/", views.reports, name="reports"),
    path("reports/end-access/", views.end_access_now, name="end_access_now"),
    path("settings/", views.access_settings, name="settings"),
    # Resetting a login shared with another school (issue 11): journal administrators, the superuser.
    path("resets/", views_resets.resets, name="resets"),
    path("resets/new/", views_resets.reset_new, name="reset_new"),
    path("resets/<int:pk>/", views_resets.reset, name="reset"),
]
