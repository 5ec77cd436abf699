"""People of a school: staff, students with enrolment history, guardians."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonName(models.Model):
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        """Иванова А. П."""
        initials = "".join(f"{p[0]}. " for p in (self.first_name, self.middle_name) if p).strip()
        return f"{self.last_name} {initials}".strip()

    def __str__(self):
        return self.full_name


class Staff(PersonName):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff_profiles"
    )
    position = models.CharField(_("должность"), max_length=100, default="учитель")
    hired_on = models.DateField(_("дата приёма"), null=True, blank=True)
    left_on = models.DateField(_("дата увольнения"), null=True, blank=True)

    class Meta:
        verbose_name = _("сотрудник")
        verbose_name_plural = _("сотрудники")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "user"], condition=models.Q(user__isnull=False), name="uniq_staff_user"
            )
        ]


class Student(PersonName):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="students")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="student_profiles"
    )
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)

    class Meta:
        verbose_name = _("учащийся")
        verbose_name_plural = _("учащиеся")
        ordering = ["last_name", "first_name"]


class Guardian(PersonName):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="guardians")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="guardian_profiles"
    )
    phone = models.CharField(_("телефон"), max_length=30, blank=True)
    email = models.EmailField(_("электронная почта"), blank=True)
    children = models.ManyToManyField(Student, through="GuardianLink", related_name="guardians")

    class Meta:
        verbose_name = _("родитель (законный представитель)")
        verbose_name_plural = _("родители (законные представители)")
        ordering = ["last_name", "first_name"]


class GuardianLink(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("мать")
        FATHER = "father", _("отец")
        GUARDIAN = "guardian", _("опекун")
        OTHER = "other", _("законный представитель")

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="links")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links")
    relation = models.CharField(_("кем приходится"), max_length=10, choices=Relation, default=Relation.OTHER)

    class Meta:
        verbose_name = _("связь с учащимся")
        verbose_name_plural = _("связи с учащимися")
        constraints = [models.UniqueConstraint(fields=["guardian", "student"], name="uniq_guardian_link")]

    def __str__(self):
        return f"{self.guardian.short_name} — {self.student.short_name} ({self.get_relation_display()})"


class Enrolment(models.Model):
    """A student's stay in a class: from the date in to the date out (exclusive of nothing:
    both days inclusive; an open stay has no end)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrolments")
    school_class = models.ForeignKey("schools.SchoolClass", on_delete=models.PROTECT, related_name="enrolments")
    starts = models.DateField(_("дата зачисления"))
    ends = models.DateField(_("дата выбытия"), null=True, blank=True)
    order_number = models.CharField(_("номер приказа"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("зачисление в класс")
        verbose_name_plural = _("зачисления в классы")
        ordering = ["starts"]
        indexes = [models.Index(fields=["school_class", "starts"])]

    def __str__(self):
        until = f" по {self.ends:%d.%m.%Y}" if self.ends else ""
        return f"{self.school_class}: с {self.starts:%d.%m.%Y}{until}"


class GroupMembership(models.Model):
    """A student in a group (whole class or subgroup) for a span of dates, both inclusive."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("schools.Group", on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="group_memberships")
    starts = models.DateField(_("с"))
    ends = models.DateField(_("по"), null=True, blank=True)

    class Meta:
        verbose_name = _("состав группы")
        verbose_name_plural = _("составы групп")
        indexes = [models.Index(fields=["group", "starts"]), models.Index(fields=["student", "starts"])]

    def __str__(self):
        until = f" по {self.ends:%d.%m.%Y}" if self.ends else ""
        return f"{self.group}: с {self.starts:%d.%m.%Y}{until}"
