from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "apps.journal"
    label = "journal"
    verbose_name = _("Классный журнал")

    def ready(self):
        from .snapshots import register_all

        register_all()
