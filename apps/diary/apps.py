from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiaryConfig(AppConfig):
    name = "apps.diary"
    label = "diary"
    verbose_name = _("Дневник")

    def ready(self):
        from . import cache

        cache.connect()
