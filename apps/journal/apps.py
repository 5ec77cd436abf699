from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "apps.journal"
    label = "journal"

    def ready(self):
        from .snapshots import register_all

        register_all()
