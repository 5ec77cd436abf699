from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "apps.rights"
    label = "rights"
    verbose_name = _("Права ролей")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .coordinators import remember_coordinator

        user_logged_in.connect(remember_coordinator, dispatch_uid="rights.remember_coordinator")
