from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from apps.accounts import views as account_views

admin.site.site_header = "Электронный журнал — администрирование"
admin.site.site_title = "Электронный журнал"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("journal/", include("apps.journal.urls")),
    path("diary/", include("apps.diary.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
