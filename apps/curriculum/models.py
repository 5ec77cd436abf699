"""The curriculum (учебный план), what groups learn, workload details and staff attestation
(ORG-4, ORG-5, ORG-6).

Who teaches what is the journal itself (apps.journal.models.Journal: teacher × subject × group ×
year); this app keeps what the journal has no place for: the plan it is checked against, the
exact fractional hours of a journal, the history of teacher changes, and attestation records.
Writes go through apps.curriculum.services.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

HOURS_FIELD = {"max_digits": 4, "decimal_places": 2}


class CurriculumLine(models.Model):
    """One cell of the curriculum: a grade learns a subject so many hours a week (ORG-5)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.CASCADE, related_name="curriculum_lines")
    grade = models.PositiveSmallIntegerField(_("параллель"))
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="curriculum_lines")
    hours_per_week = models.DecimalField(_("часов в неделю"), **HOURS_FIELD)
    divided_into_subgroups = models.BooleanField(_("делится на подгруппы"), default=False)

    class Meta:
        verbose_name = _("строка учебного плана")
        verbose_name_plural = _("учебный план")
        ordering = ["grade", "subject__name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "subject"], name="uniq_curriculum_line"),
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=11), name="curriculum_grade_1_11"),
            models.CheckConstraint(condition=models.Q(hours_per_week__gt=0), name="curriculum_hours_positive"),
        ]

    def __str__(self):
        return f"{self.grade} — {self.subject}: {self.hours_per_week}"


class GroupSubject(models.Model):
    """A subject a group other than a whole class learns (ORG-4): the subject a class is split
    into subgroups for, an elective's or a club's subject, a line of a home-schooling or
    individual plan. Hours empty: as the curriculum of the grade says (subgroups)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("schools.Group", on_delete=models.CASCADE, related_name="planned_subjects")
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="+")
    hours_per_week = models.DecimalField(_("часов в неделю"), null=True, blank=True, **HOURS_FIELD)

    class Meta:
        verbose_name = _("предмет группы")
        verbose_name_plural = _("предметы групп")
        constraints = [models.UniqueConstraint(fields=["group", "subject"], name="uniq_group_subject")]

    def __str__(self):
        return f"{self.group} — {self.subject}"


class JournalHours(models.Model):
    """The exact weekly hours of a journal when they are not whole (0,5 h): Journal.hours_per_week
    holds whole hours only, so it keeps the value rounded up and this row the exact one."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    journal = models.OneToOneField("journal.Journal", on_delete=models.CASCADE, related_name="exact_hours")
    hours_per_week = models.DecimalField(_("часов в неделю"), **HOURS_FIELD)

    class Meta:
        verbose_name = _("дробные часы журнала")
        verbose_name_plural = _("дробные часы журналов")

    def __str__(self):
        return f"{self.journal}: {self.hours_per_week}"


class TeacherChange(models.Model):
    """A journal handed from one teacher to another (the journal and its records stay)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    journal = models.ForeignKey("journal.Journal", on_delete=models.CASCADE, related_name="teacher_changes")
    old_teacher = models.ForeignKey("people.Staff", on_delete=models.PROTECT, related_name="+")
    new_teacher = models.ForeignKey("people.Staff", on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField(_("дата"))
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("смена учителя")
        verbose_name_plural = _("смены учителей")
        ordering = ["at"]


class StaffAttestation(models.Model):
    """A record of a teacher's attestation (ORG-6): the category, the order and how long it holds."""

    class Category(models.TextChoices):
        CONFORMITY = "conformity", _("соответствие занимаемой должности")
        FIRST = "first", _("первая квалификационная категория")
        HIGHEST = "highest", _("высшая квалификационная категория")

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("people.Staff", on_delete=models.CASCADE, related_name="attestations")
    date = models.DateField(_("дата аттестации"))
    category = models.CharField(_("результат"), max_length=12, choices=Category)
    order_number = models.CharField(_("номер приказа"), max_length=50, blank=True)
    valid_until = models.DateField(_("действует до"))

    class Meta:
        verbose_name = _("аттестация сотрудника")
        verbose_name_plural = _("аттестация сотрудников")
        ordering = ["valid_until", "staff__last_name"]
        indexes = [models.Index(fields=["school", "valid_until"])]

    def __str__(self):
        return f"{self.staff.short_name}: {self.get_category_display()} ({self.date:%d.%m.%Y})"


def hours_text(value) -> str:
    """4 → «4», Decimal('0.50') → «0,5»."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")
