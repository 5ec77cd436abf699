"""The student movement book (книга движения учащихся, ORG-9).

One row per movement: a student admitted, transferred, promoted, kept down a year, graduated or
withdrawn — with the order (приказ) that decided it. The enrolments (apps.people.Enrolment) are
what the journals follow; the book says why they changed. Both are written together by
apps.movement.services, in one transaction.

A row is never edited: a wrong order number, order date, «куда/откуда» or note is corrected by a
new row that points to the one it corrects (`corrects`); the old row stays, shown struck out, with
who wrote each and when. A wrong move itself (the wrong class, the wrong date) is undone by the
opposite move, recorded like any other.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# ORG-9: an order is entered within 5 working days of its date.
ENTRY_WORKING_DAYS = 5


class MovementEntry(models.Model):
    class Kind(models.TextChoices):
        ADMISSION = "admission", _("зачисление")
        WITHDRAWAL = "withdrawal", _("выбытие")
        TRANSFER = "transfer", _("перевод в другой класс")
        PROMOTION = "promotion", _("перевод в следующий класс")
        REPEAT = "repeat", _("оставлен на повторное обучение")
        GRADUATION = "graduation", _("выпуск")

    # Kinds that bring a student into a class (to_class) and take him out of one (from_class).
    ARRIVALS = (Kind.ADMISSION, Kind.TRANSFER, Kind.PROMOTION, Kind.REPEAT)
    DEPARTURES = (Kind.WITHDRAWAL, Kind.TRANSFER, Kind.PROMOTION, Kind.REPEAT, Kind.GRADUATION)

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("№ записи"))
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="movement_entries")
    kind = models.CharField(_("вид движения"), max_length=12, choices=Kind)
    date = models.DateField(_("дата"), help_text=_("день, с которого движение действует"))
    order_number = models.CharField(_("номер приказа"), max_length=50)
    order_date = models.DateField(_("дата приказа"))
    from_class = models.ForeignKey(
        "schools.SchoolClass",
        verbose_name=_("из класса"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_class = models.ForeignKey(
        "schools.SchoolClass",
        verbose_name=_("в класс"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    where = models.CharField(_("откуда прибыл / куда выбыл"), max_length=300, blank=True)
    note = models.TextField(_("примечание"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("внёс"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("внесено"))
    # The school's date the movement was first written in the book (a correction keeps the first
    # one): ORG-9 counts the 5 working days from the order date to it.
    recorded_on = models.DateField(_("дата внесения"))
    is_late = models.BooleanField(_("внесено позже срока"), default=False)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("исправляет запись"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    correction_reason = models.CharField(_("причина исправления"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("запись книги движения")
        verbose_name_plural = _("книга движения учащихся")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["school", "number"], name="uniq_movement_number")]
        indexes = [
            models.Index(fields=["school", "date"]),
            models.Index(fields=["student", "date"]),
        ]

    def __str__(self):
        return f"№ {self.number}: {self.get_kind_display()} — {self.student}"

    @property
    def order_text(self) -> str:
        return _("№ %(number)s от %(date)s") % {"number": self.order_number, "date": f"{self.order_date:%d.%m.%Y}"}
