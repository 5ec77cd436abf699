"""The change log (ARC-1): append-only, one hash chain per school."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainHead(models.Model):
    """The last link of a school's chain. Writers lock this row (SELECT … FOR UPDATE) to take
    the next sequence number, so entries of one school form a single unbroken line, while
    different schools never wait on each other."""

    school = models.OneToOneField("schools.School", on_delete=models.PROTECT, primary_key=True, related_name="+")
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class Entry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("создание")
        UPDATE = "update", _("изменение")
        DELETE = "delete", _("удаление")

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField()
    at = models.DateTimeField(_("время"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("автор")
    )
    action = models.CharField(_("действие"), max_length=10, choices=Action)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    # Where the change sits in the journal, so the history of a cell is one indexed query.
    journal_id = models.BigIntegerField(null=True)
    lesson_id = models.BigIntegerField(null=True)
    student_id = models.BigIntegerField(null=True)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("запись журнала изменений")
        verbose_name_plural = _("журнал изменений")
        constraints = [models.UniqueConstraint(fields=["school", "seq"], name="uniq_chain_seq")]
        indexes = [
            models.Index(fields=["lesson_id", "student_id"]),
            models.Index(fields=["journal_id", "seq"]),
            models.Index(fields=["school", "object_type", "object_id", "seq"]),
        ]
