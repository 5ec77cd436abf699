from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolyearConfig(AppConfig):
    name = "apps.schoolyear"
    verbose_name = _("Учебный год и календарь")
