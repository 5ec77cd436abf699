from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MovementConfig(AppConfig):
    name = "apps.movement"
    verbose_name = _("Движение учащихся")
