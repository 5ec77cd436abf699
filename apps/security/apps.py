from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "apps.security"
    label = "security"
    verbose_name = _("Безопасность")

    def ready(self):
        from . import signals  # noqa: F401  (sign-in history and the session list)
