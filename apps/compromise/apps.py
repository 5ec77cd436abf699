from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompromiseConfig(AppConfig):
    name = "apps.compromise"
    label = "compromise"
    verbose_name = _("Компрометация учётных записей")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .passwords import remember_password_change

        user_logged_in.connect(remember_password_change, dispatch_uid="compromise.remember_password_change")
