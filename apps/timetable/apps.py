from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "apps.timetable"
    verbose_name = _("Расписание и замены")
