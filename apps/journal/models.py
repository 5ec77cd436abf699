"""The class journal: a journal per teaching assignment, its lessons, marks, attendance and
period marks. Writes go through apps.journal.services, reads through selectors."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .grading import GradingSystem, PeriodValue


class Journal(models.Model):
    """A teaching assignment (teacher × subject × group × year): one journal page."""

    @property
    def grade_level(self) -> int | None:
        return self.group.grade_level

    @property
    def first_grade(self) -> bool:
        """JRN-6: no marks and no homework in the first grade."""
        return self.grade_level == 1

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="journals")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="journals")
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="journals")
    group = models.ForeignKey("schools.Group", on_delete=models.PROTECT, related_name="journals")
    teacher = models.ForeignKey("people.Staff", on_delete=models.PROTECT, related_name="journals")
    grading_system = models.CharField(
        _("система оценивания"), max_length=20, choices=GradingSystem.choices(), default=GradingSystem.FIVE
    )
    hours_per_week = models.PositiveSmallIntegerField(_("часов в неделю"), default=1)
    # Bumped with every logged change of the journal's lessons, marks and attendance
    # (apps.audit.services.append): the diary's cached pages are keyed by it (apps.diary.cache).
    version = models.PositiveIntegerField(_("версия данных"), default=0, db_default=0, editable=False)

    class Meta:
        verbose_name = _("журнал (предмет класса)")
        verbose_name_plural = _("журналы (нагрузка)")
        constraints = [
            models.UniqueConstraint(fields=["year", "subject", "group"], name="uniq_journal"),
        ]

    def __str__(self):
        return f"{self.group} — {self.subject}"


class Lesson(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("проведён")
        CANCELLED = "cancelled", _("отменён")

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="lessons")
    date = models.DateField(_("дата"))
    number = models.PositiveSmallIntegerField(_("номер урока"))
    topic = models.CharField(_("тема урока"), max_length=500, blank=True)
    homework = models.TextField(_("домашнее задание"), blank=True)
    no_homework = models.BooleanField(_("без задания"), default=False)
    comment = models.CharField(_("комментарий учителя"), max_length=500, blank=True)
    work_type = models.ForeignKey(
        "schools.WorkType",
        verbose_name=_("вид работы по умолчанию"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("состояние"), max_length=10, choices=Status, default=Status.HELD)
    # ORG-7, ORG-8: where the lesson is, who gave it when not the journal's teacher, and whether
    # the timetable made it (then editing the timetable may regenerate it while it is empty).
    # db_default: the bulk loaders (apps.demo) insert lessons naming only the columns they fill.
    room = models.CharField(_("кабинет"), max_length=30, blank=True, default="", db_default="")
    taught_by = models.ForeignKey(
        "people.Staff",
        verbose_name=_("урок провёл (замена)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substituted_lessons",
    )
    source = models.CharField(
        _("откуда урок"),
        max_length=10,
        choices=[("manual", _("добавлен учителем")), ("timetable", _("по расписанию"))],
        default="manual",
        db_default="manual",
    )
    change_note = models.CharField(_("изменение в расписании"), max_length=200, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("урок")
        verbose_name_plural = _("уроки")
        ordering = ["date", "number"]
        constraints = [models.UniqueConstraint(fields=["journal", "date", "number"], name="uniq_lesson_slot")]
        indexes = [
            models.Index(fields=["school", "date"]),
            models.Index(fields=["journal", "date"]),
        ]

    def __str__(self):
        return f"{self.journal} {self.date:%d.%m} ({self.number})"

    @property
    def homework_display(self) -> str:
        if self.no_homework:
            return str(_("Без задания"))
        return self.homework


class Mark(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="marks")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="marks")
    value = models.CharField(_("отметка"), max_length=10)
    grading_system = models.CharField(
        _("система оценивания"), max_length=20, choices=GradingSystem.choices(), default=GradingSystem.FIVE
    )
    work_type = models.ForeignKey("schools.WorkType", on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("вес"), max_digits=4, decimal_places=2, default=1)
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("порядок в клетке"), default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("отметка")
        verbose_name_plural = _("отметки")
        ordering = ["lesson__date", "lesson__number", "position"]
        indexes = [
            models.Index(fields=["lesson", "student"]),
            models.Index(fields=["student", "lesson"]),
        ]

    def __str__(self):
        return self.value


class Attendance(models.Model):
    """A student's absence or lateness at one lesson; no row means present."""

    class Kind(models.TextChoices):
        ABSENT = "absent", _("отсутствовал")
        LATE = "late", _("опоздал")

    class Reason(models.TextChoices):
        UNKNOWN = "", _("причина не указана")
        ILLNESS = "illness", _("по болезни")
        EXCUSED = "excused", _("по уважительной причине")
        UNEXCUSED = "unexcused", _("без уважительной причины")

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="attendance")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="attendance")
    kind = models.CharField(_("отметка посещаемости"), max_length=10, choices=Kind, default=Kind.ABSENT)
    reason = models.CharField(_("причина"), max_length=10, choices=Reason, default=Reason.UNKNOWN, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("посещаемость")
        verbose_name_plural = _("посещаемость")
        constraints = [models.UniqueConstraint(fields=["lesson", "student"], name="uniq_attendance")]
        indexes = [models.Index(fields=["student", "lesson"])]

    @property
    def code(self) -> str:
        return "н" if self.kind == self.Kind.ABSENT else "оп"


class PeriodMark(models.Model):
    """Quarter (period) mark of a student in a journal."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="period_marks")
    period = models.ForeignKey("schools.Period", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="period_marks")
    value = models.CharField(_("отметка за период"), max_length=10, choices=PeriodValue.choices())
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("отметка за период")
        verbose_name_plural = _("отметки за период")
        constraints = [models.UniqueConstraint(fields=["journal", "period", "student"], name="uniq_period_mark")]
        indexes = [models.Index(fields=["student", "period"])]
