"""The school's and the classes' events calendar (ORG-10) and the students' exam choices (ORG-11).

Both are shown in the diary (DIA-2): a student sees the events of the whole school and of the
class he is in, and his own exam choices only (DIA-3).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """An event of the whole school (no class) or of one class: a parents' meeting, an open day,
    an olympiad. One day, or several days up to `ends` (inclusive)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        verbose_name=_("класс"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("пусто — событие всей школы"),
    )
    date = models.DateField(_("дата"))
    ends = models.DateField(_("дата окончания"), null=True, blank=True)
    time = models.TimeField(_("время"), null=True, blank=True)
    title = models.CharField(_("название"), max_length=200)
    place = models.CharField(_("место"), max_length=200, blank=True)
    description = models.TextField(_("описание"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("событие")
        verbose_name_plural = _("события")
        ordering = ["date", "time", "pk"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("date")),
                name="event_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def last_day(self):
        return self.ends or self.date

    @property
    def is_school_wide(self) -> bool:
        return self.school_class_id is None


class ExamChoice(models.Model):
    """A subject a student of grade 9 (ОГЭ, ГВЭ) or 11 (ЕГЭ, ГВЭ) has chosen for the state final
    attestation of the year; for ЕГЭ in mathematics with its level."""

    class Exam(models.TextChoices):
        EGE = "ege", _("ЕГЭ")
        OGE = "oge", _("ОГЭ")
        GVE = "gve", _("ГВЭ")

    class Level(models.TextChoices):
        BASE = "base", _("базовый")
        PROFILE = "profile", _("профильный")

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="exam_choices")
    exam = models.CharField(_("экзамен"), max_length=5, choices=Exam)
    subject = models.ForeignKey(
        "schools.Subject", verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("уровень"), max_length=10, choices=Level, blank=True)
    note = models.CharField(_("примечание"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("выбор экзамена")
        verbose_name_plural = _("выбор экзаменов")
        ordering = ["year", "student", "exam", "subject__name"]
        constraints = [
            # One form of exam per subject and year: ОГЭ or ГВЭ in mathematics, not both.
            models.UniqueConstraint(fields=["year", "student", "subject"], name="uniq_exam_choice")
        ]

    def __str__(self):
        level = f" ({self.get_level_display()})" if self.level else ""
        return f"{self.get_exam_display()}: {self.subject}{level}"
