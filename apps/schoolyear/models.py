"""The school's own layer over the production calendar and the year's settings (ORG-2).

The year itself, its periods, holidays and classes are apps.schools models; here only what the
year's administration adds: a corrected day of the calendar and the length of the school week.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.schools.models import AcademicYear, School


class CalendarDay(models.Model):
    """The administrator's correction of one day of the production calendar: it wins over the
    library (a decree the library does not know yet, a regional day off, a day worked in place of
    another)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("дата"))
    is_working = models.BooleanField(_("рабочий день"))
    note = models.CharField(_("основание"), max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("день производственного календаря")
        verbose_name_plural = _("поправки производственного календаря")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="uniq_calendar_day")]

    def __str__(self):
        return f"{self.date:%d.%m.%Y}"


class YearSettings(models.Model):
    """Settings of one academic year; no row = the defaults (a five-day school week)."""

    class Week(models.IntegerChoices):
        FIVE = 5, _("пятидневная")
        SIX = 6, _("шестидневная")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    year = models.OneToOneField(AcademicYear, on_delete=models.CASCADE, related_name="schoolyear_settings")
    week = models.PositiveSmallIntegerField(_("учебная неделя"), choices=Week, default=Week.FIVE)

    class Meta:
        verbose_name = _("настройки учебного года")
        verbose_name_plural = _("настройки учебных годов")

    def __str__(self):
        return str(self.year)
