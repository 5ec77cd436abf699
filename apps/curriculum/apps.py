from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurriculumConfig(AppConfig):
    name = "apps.curriculum"
    verbose_name = _("Учебный план, нагрузка, группы, сотрудники")
