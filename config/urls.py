from django.urls import include, path
from django.views.i18n import set_language

from apps.accounts import views as account_views
from apps.accounts.admin_site import site as admin_site
from apps.ops.views import healthz

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("journal/", include("apps.journal.urls")),
    path("diary/", include("apps.diary.urls")),
    path("access/", include("apps.registration.urls")),
    path("security/", include("apps.security.urls")),
    path("school/", include("apps.rights.urls")),
    path("compromise/", include("apps.compromise.urls")),
    path("office/", include("apps.office.urls")),
    path("year/", include("apps.schoolyear.urls")),
    path("curriculum/", include("apps.curriculum.urls")),
    path("timetable/", include("apps.timetable.urls")),
    path("plans/", include("apps.plans.urls")),
    path("grading/", include("apps.grading.urls")),
    path("movement/", include("apps.movement.urls")),
    path("events/", include("apps.events.urls")),
    path("import/", include("apps.imports.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin_site.urls),
    path("healthz", healthz, name="healthz"),
]
