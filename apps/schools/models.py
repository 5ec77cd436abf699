"""Tenancy (region → municipality → school) and the structure of a school year.

Every table that grows with use carries `school` directly (see docs/architecture.md):
it is the tenant key and the future distribution column.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    name = models.CharField(_("название"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")

    def __str__(self):
        return self.name


class Municipality(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    name = models.CharField(_("название"), max_length=200)

    class Meta:
        verbose_name = _("муниципалитет")
        verbose_name_plural = _("муниципалитеты")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="uniq_municipality")]

    def __str__(self):
        return self.name


class School(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("полное название"), max_length=300)
    short_name = models.CharField(_("краткое название"), max_length=100)
    timezone = models.CharField(_("часовой пояс"), max_length=64, default="Europe/Moscow")
    # Bumped when something the diary shows besides the journals changes (events, holidays, bells,
    # names, enrolments): apps.diary.cache keys the cached diary pages by it.
    data_version = models.PositiveIntegerField(_("версия данных"), default=0, db_default=0, editable=False)

    class Meta:
        verbose_name = _("школа")
        verbose_name_plural = _("школы")

    def __str__(self):
        return self.short_name


class AcademicYear(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("планируется")
        ACTIVE = "active", _("текущий")
        CLOSED = "closed", _("закрыт")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="years")
    name = models.CharField(_("учебный год"), max_length=20, help_text="2026/2027")
    starts = models.DateField(_("начало"))
    ends = models.DateField(_("окончание"))
    status = models.CharField(_("состояние"), max_length=10, choices=Status, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("учебный год")
        verbose_name_plural = _("учебные годы")
        ordering = ["-starts"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="uniq_year_name")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts and self.ends and self.starts >= self.ends:
            raise ValidationError(_("Начало учебного года должно быть раньше его окончания."))


class Period(models.Model):
    """An attestation period (quarter by default) of the grades grade_from…grade_to (ORG-2):
    e.g. quarters for grades 1–9 and half-years for grades 10–11 in the same year."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("четверть")
        TRIMESTER = "trimester", _("триместр")
        HALF = "half", _("полугодие")
        MODULE = "module", _("модуль")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("название"), max_length=50, help_text=_("например, «1 четверть»"))
    kind = models.CharField(_("вид периода"), max_length=10, choices=Kind, default=Kind.QUARTER)
    grade_from = models.PositiveSmallIntegerField(_("с параллели"), default=1)
    grade_to = models.PositiveSmallIntegerField(_("по параллель"), default=11)
    order = models.PositiveSmallIntegerField(_("номер"))
    starts = models.DateField(_("начало"))
    ends = models.DateField(_("окончание"))

    class Meta:
        verbose_name = _("учебный период")
        verbose_name_plural = _("учебные периоды")
        ordering = ["year", "grade_from", "order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade_from", "grade_to", "order"], name="uniq_period_order"),
            models.CheckConstraint(
                condition=models.Q(grade_from__gte=1, grade_to__lte=11, grade_from__lte=models.F("grade_to")),
                name="period_grades_1_11",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts and self.ends and self.starts > self.ends:
            raise ValidationError(_("Начало периода должно быть не позже его окончания."))
        if self.grade_from and self.grade_to and not 1 <= self.grade_from <= self.grade_to <= 11:
            raise ValidationError(_("Параллели периода — от 1 до 11, «с» не больше «по»."))

    def contains(self, day) -> bool:
        return self.starts <= day <= self.ends

    def covers_grade(self, grade: int | None) -> bool:
        return grade is None or self.grade_from <= grade <= self.grade_to


class Holiday(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="holidays")
    name = models.CharField(_("название"), max_length=100)
    starts = models.DateField(_("начало"))
    ends = models.DateField(_("окончание"))

    class Meta:
        verbose_name = _("каникулы")
        verbose_name_plural = _("каникулы")
        ordering = ["starts"]

    def __str__(self):
        return self.name


class BellSlot(models.Model):
    """One line of the bell schedule: lesson number → start and end time."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="bell_slots")
    number = models.PositiveSmallIntegerField(_("номер урока"))
    starts = models.TimeField(_("начало"))
    ends = models.TimeField(_("окончание"))

    class Meta:
        verbose_name = _("звонок")
        verbose_name_plural = _("расписание звонков")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["school", "number"], name="uniq_bell_number")]

    def __str__(self):
        return f"{self.number}. {self.starts:%H:%M}–{self.ends:%H:%M}"


class SchoolClass(models.Model):
    """A class (класс-комплект) of one academic year: 5 «А» in 2026/2027."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="classes")
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="classes")
    grade = models.PositiveSmallIntegerField(_("параллель"))
    letter = models.CharField(_("литера"), max_length=3)
    class_teacher = models.ForeignKey(
        "people.Staff",
        verbose_name=_("классный руководитель"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_classes",
    )

    class Meta:
        verbose_name = _("класс")
        verbose_name_plural = _("классы")
        ordering = ["grade", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "letter"], name="uniq_class"),
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=11), name="class_grade_1_11"),
        ]

    def __str__(self):
        return f"{self.grade}{self.letter}"


class Group(models.Model):
    """Whom a journal is kept for: a whole class, or a subgroup of it.

    Membership with dates lives in people.GroupMembership; the whole-class group follows the
    class enrolments (people.services keeps them in step).
    """

    class Kind(models.TextChoices):
        CLASS = "class", _("весь класс")
        SUBGROUP = "subgroup", _("подгруппа")
        # ORG-4: groups across classes, and journals of one student.
        ELECTIVE = "elective", _("факультатив")
        COURSE = "course", _("элективный курс")
        CLUB = "club", _("кружок")
        EXTENDED_DAY = "extended_day", _("группа продлённого дня")
        HOME = "home", _("надомное обучение")
        INDIVIDUAL = "individual", _("индивидуальный учебный план")

    # Kinds whose group may gather students of several classes (school_class empty).
    CROSS_CLASS = {Kind.ELECTIVE, Kind.COURSE, Kind.CLUB, Kind.EXTENDED_DAY}
    # Kinds kept for one student.
    ONE_STUDENT = {Kind.HOME, Kind.INDIVIDUAL}

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="groups")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, null=True, blank=True, related_name="groups"
    )
    kind = models.CharField(_("вид"), max_length=12, choices=Kind, default=Kind.CLASS)
    name = models.CharField(_("название"), max_length=100)
    # The grade level of a group without a class (a cross-class group of one parallel); a group
    # of a class takes its class's grade.
    grade = models.PositiveSmallIntegerField(_("параллель"), null=True, blank=True)

    class Meta:
        verbose_name = _("группа")
        verbose_name_plural = _("группы")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def grade_level(self) -> int | None:
        """The grade the group learns at (JRN-6 and the periods of ORG-2 follow it)."""
        if self.grade is not None:
            return self.grade
        return self.school_class.grade if self.school_class_id else None


class Subject(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="subjects")
    name = models.CharField(_("предмет"), max_length=200)
    short_name = models.CharField(_("краткое название"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("предмет")
        verbose_name_plural = _("предметы")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="uniq_subject")]

    def __str__(self):
        return self.name


class WorkType(models.Model):
    """Type of work a mark is for (вид работы), with its default weight in the average."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="work_types")
    name = models.CharField(_("вид работы"), max_length=100)
    short_name = models.CharField(_("сокращение"), max_length=10)
    weight = models.DecimalField(_("вес"), max_digits=4, decimal_places=2, default=1)
    is_written = models.BooleanField(_("письменная работа"), default=False)
    is_default = models.BooleanField(_("по умолчанию"), default=False)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("вид работы")
        verbose_name_plural = _("виды работ")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="uniq_work_type")]

    def __str__(self):
        return self.name
