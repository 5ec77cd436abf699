"""A report of compromised credentials (ACC-10) and what was done about it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompromiseReport(models.Model):
    """«Учётная запись скомпрометирована с такого-то момента» — one case per school of the account.

    Reporting ends every session of the account and makes its password unusable at once; the
    journal operations made with it in this school between `moment` and `reported_at` are listed
    and, on confirmation, reverted (CompromiseItem per operation)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="compromise_reports",
        verbose_name=_("учётная запись"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("кто сообщил")
    )
    # The school the report was made from: the other schools of a shared login see their case
    # come from there (null: the owner reported it outside any school, or before this was kept).
    reported_in = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("из какой школы сообщено"),
    )
    moment = models.DateTimeField(_("скомпрометирована с"))
    reported_at = models.DateTimeField(_("когда сообщено"))
    note = models.TextField(_("обстоятельства"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто подтвердил откат"),
    )
    confirmed_at = models.DateTimeField(_("когда подтверждён откат"), null=True, blank=True)
    outcome = models.JSONField(_("итог"), null=True, blank=True)  # {"reverted": n, "later": n, "unchanged": n}
    password_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто выдал временный пароль"),
    )
    password_issued_at = models.DateTimeField(_("когда выдан временный пароль"), null=True, blank=True)

    class Meta:
        verbose_name = _("сообщение о компрометации")
        verbose_name_plural = _("сообщения о компрометации")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["school", "-reported_at"])]

    def __str__(self):
        return f"{self.user} — {self.moment:%d.%m.%Y %H:%M}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class CompromiseItem(models.Model):
    """One journal operation made with the compromised account, and what its revert did."""

    class Result(models.TextChoices):
        REVERTED = "reverted", _("откачено")
        LATER = "later", _("изменено позже — не откатывается, проверьте вручную")
        UNCHANGED = "unchanged", _("уже в прежнем состоянии")

    report = models.ForeignKey(CompromiseReport, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey("audit.Entry", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("результат"), max_length=10, choices=Result)
    # The change-log entry that reverted the object (shared by the operations on one object).
    reversion = models.ForeignKey(
        "audit.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="compromise_reversions"
    )

    class Meta:
        verbose_name = _("операция скомпрометированной учётной записи")
        verbose_name_plural = _("операции скомпрометированной учётной записи")
        constraints = [models.UniqueConstraint(fields=["report", "entry"], name="uniq_compromise_item")]


class PasswordChangeRequired(models.Model):
    """The account signs in with a temporary password and must choose its own at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="password_change_required"
    )
    since = models.DateTimeField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("обязательная смена пароля")
        verbose_name_plural = _("обязательные смены пароля")
