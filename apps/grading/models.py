"""Grading systems of a school (JRN-4): which systems it uses, which system each subject uses in
which grades, and the scales that convert results from one system to another.

The values of each system live in apps.journal.grading.GradingSystem; a journal keeps its own
system (Journal.grading_system), taken from these rules when the journal is created
(selectors.system_for) and changed afterwards only while it has no marks (services.rule_apply)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.journal.grading import GradingSystem


class SchoolSystem(models.Model):
    """A grading system the school uses besides the 5-point one (which every school uses)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    system = models.CharField(_("система оценивания"), max_length=20, choices=GradingSystem.choices())

    class Meta:
        verbose_name = _("система оценивания школы")
        verbose_name_plural = _("системы оценивания школы")
        constraints = [models.UniqueConstraint(fields=["school", "system"], name="uniq_school_system")]

    def __str__(self):
        return GradingSystem.label(self.system)


class SubjectGrading(models.Model):
    """Subject × grades grade_from…grade_to → the grading system of its journals."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "schools.Subject", verbose_name=_("предмет"), on_delete=models.CASCADE, related_name="+"
    )
    grade_from = models.PositiveSmallIntegerField(_("с класса"))
    grade_to = models.PositiveSmallIntegerField(_("по класс"))
    system = models.CharField(_("система оценивания"), max_length=20, choices=GradingSystem.choices())

    class Meta:
        verbose_name = _("система оценивания предмета")
        verbose_name_plural = _("системы оценивания предметов")
        ordering = ["subject__name", "grade_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_from__gte=1, grade_to__lte=11, grade_from__lte=models.F("grade_to")),
                name="subject_grading_grades",
            ),
        ]
        indexes = [models.Index(fields=["school", "subject"])]

    def __str__(self):
        return f"{self.subject}, {self.grades_text}: {GradingSystem.label(self.system)}"

    @property
    def grades_text(self) -> str:
        if self.grade_from == self.grade_to:
            return _("%(grade)s класс") % {"grade": self.grade_from}
        return _("%(low)s–%(high)s классы") % {"low": self.grade_from, "high": self.grade_to}

    @property
    def system_label(self) -> str:
        return GradingSystem.label(self.system)


class ConversionScale(models.Model):
    """How results of one system read in another: ordered bands «from X to Y → value»."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    from_system = models.CharField(_("из системы"), max_length=20, choices=GradingSystem.choices())
    to_system = models.CharField(_("в систему"), max_length=20, choices=GradingSystem.choices())
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("шкала перевода")
        verbose_name_plural = _("шкалы перевода")
        constraints = [
            models.UniqueConstraint(fields=["school", "from_system", "to_system"], name="uniq_conversion_scale"),
        ]

    def __str__(self):
        return f"{GradingSystem.label(self.from_system)} → {GradingSystem.label(self.to_system)}"

    @property
    def from_label(self) -> str:
        return GradingSystem.label(self.from_system)

    @property
    def to_label(self) -> str:
        return GradingSystem.label(self.to_system)


class ConversionBand(models.Model):
    """One line of a scale: source values low…high (inclusive) read as `value`."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    scale = models.ForeignKey(ConversionScale, on_delete=models.CASCADE, related_name="bands")
    low = models.PositiveSmallIntegerField(_("от"))
    high = models.PositiveSmallIntegerField(_("до"))
    value = models.CharField(_("результат"), max_length=10)

    class Meta:
        verbose_name = _("строка шкалы перевода")
        verbose_name_plural = _("строки шкалы перевода")
        ordering = ["-high"]

    def __str__(self):
        return self.text

    @property
    def source_text(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"

    @property
    def text(self) -> str:
        return f"{self.source_text} → {self.value}"
