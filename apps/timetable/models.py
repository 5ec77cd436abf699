"""The timetable (ORG-7) and substitutions (ORG-8).

- Bell schedules: the school's ordinary one is schools.BellSlot (one list per school, which the
  diary reads); a school may add others (e.g. «сокращённый») and assign them to dates.
- Weekly timetable: entries weekday × lesson number → journal and room, in force from a date
  (and until a date, once replaced). Lessons of the journals are made from it.
- One-off changes of a lesson (moved, room changed) and substitutions, kept as records of their own
  beside what they change on the lesson (room, change_note, taught_by, status).

Writes go through apps.timetable.services, reads through apps.timetable.selectors.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [
    (0, _("понедельник")),
    (1, _("вторник")),
    (2, _("среда")),
    (3, _("четверг")),
    (4, _("пятница")),
    (5, _("суббота")),
]
WEEKDAYS_SHORT = [_("Пн"), _("Вт"), _("Ср"), _("Чт"), _("Пт"), _("Сб")]


class BellSchedule(models.Model):
    """A bell schedule besides the ordinary one (schools.BellSlot): e.g. «сокращённый», used on
    the dates assigned to it (BellScheduleDay)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("название"), max_length=100)

    class Meta:
        verbose_name = _("расписание звонков")
        verbose_name_plural = _("расписания звонков")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="uniq_bell_schedule_name")]

    def __str__(self):
        return self.name


class BellScheduleSlot(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    schedule = models.ForeignKey(BellSchedule, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField(_("номер урока"))
    starts = models.TimeField(_("начало"))
    ends = models.TimeField(_("окончание"))

    class Meta:
        verbose_name = _("звонок")
        verbose_name_plural = _("звонки")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["schedule", "number"], name="uniq_bell_schedule_slot")]

    def __str__(self):
        return f"{self.number}. {self.starts:%H:%M}–{self.ends:%H:%M}"


class BellScheduleDay(models.Model):
    """On this date the school rings by this schedule instead of the ordinary one."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    schedule = models.ForeignKey(BellSchedule, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("дата"))

    class Meta:
        verbose_name = _("день с особым расписанием звонков")
        verbose_name_plural = _("дни с особым расписанием звонков")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="uniq_bell_day")]


class TimetableEntry(models.Model):
    """One lesson of the weekly timetable: on this weekday, at this lesson number, this journal
    (a class, a subgroup or a cross-class group with its subject and teacher) in this room —
    from valid_from until valid_to (open: until further notice)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    journal = models.ForeignKey("journal.Journal", on_delete=models.PROTECT, related_name="timetable_entries")
    weekday = models.PositiveSmallIntegerField(_("день недели"), choices=WEEKDAYS)
    number = models.PositiveSmallIntegerField(_("номер урока"))
    room = models.CharField(_("кабинет"), max_length=30, blank=True)
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("урок в расписании")
        verbose_name_plural = _("расписание уроков")
        ordering = ["weekday", "number"]
        indexes = [
            models.Index(fields=["school", "year", "weekday", "number"]),
            models.Index(fields=["journal", "valid_from"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=5), name="timetable_weekday_0_5"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=12), name="timetable_number_1_12"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="timetable_valid_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()}, {self.number}: {self.journal}"

    def in_force(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class GenerationHorizon(models.Model):
    """How far ahead the journals' lessons of a year were made from the timetable: a change of the
    timetable regenerates the future lessons up to this day."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    year = models.OneToOneField("schools.AcademicYear", on_delete=models.CASCADE, related_name="+")
    until = models.DateField(_("уроки созданы по"))

    class Meta:
        verbose_name = _("уроки по расписанию созданы по")
        verbose_name_plural = _("уроки по расписанию созданы по")


class LessonChange(models.Model):
    """A one-off change of a lesson (ORG-7): moved to another date or lesson number, or given in
    another room. The lesson itself carries the result (date, number, room, change_note); this
    keeps where it came from, so the timetable does not make a lesson again in the slot it left."""

    class Kind(models.TextChoices):
        MOVED = "moved", _("перенос")
        ROOM = "room", _("замена кабинета")

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    lesson = models.ForeignKey("journal.Lesson", on_delete=models.PROTECT, related_name="timetable_changes")
    kind = models.CharField(_("изменение"), max_length=10, choices=Kind)
    old_date = models.DateField(_("было: дата"))
    old_number = models.PositiveSmallIntegerField(_("было: урок"))
    old_room = models.CharField(_("было: кабинет"), max_length=30, blank=True)
    new_date = models.DateField(_("стало: дата"))
    new_number = models.PositiveSmallIntegerField(_("стало: урок"))
    new_room = models.CharField(_("стало: кабинет"), max_length=30, blank=True)
    note = models.CharField(_("что видно в дневнике"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("изменение урока")
        verbose_name_plural = _("изменения уроков")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "old_date"]), models.Index(fields=["school", "new_date"])]


class Substitution(models.Model):
    """ORG-8: the deputy records that `substitute` gives `lesson` instead of `absent`; with no
    substitute the lesson is cancelled. The substitute writes that lesson of the journal from the
    day before to the day after it (apps.accounts.access.substitute_lessons)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    lesson = models.ForeignKey("journal.Lesson", on_delete=models.PROTECT, related_name="substitutions")
    absent = models.ForeignKey(
        "people.Staff", verbose_name=_("отсутствующий учитель"), on_delete=models.PROTECT, related_name="+"
    )
    substitute = models.ForeignKey(
        "people.Staff",
        verbose_name=_("заменяющий учитель"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutions",
    )
    reason = models.CharField(_("причина"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("замена")
        verbose_name_plural = _("замены")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["lesson"], name="uniq_substitution_lesson")]
        indexes = [models.Index(fields=["school", "substitute"])]

    def __str__(self):
        return f"{self.lesson}: {self.substitute or '—'}"
