"""A school's choices about what each role may do (ACC-2), their history, and the municipal
coordinators (ORG-1, ACC-1)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role


class SchoolRights(models.Model):
    """The school's departures from the default grants of apps.rights.registry:
    overrides = {role: {function: true|false}}. One row per school, read with the user's
    memberships in the same query (CurrentSchoolMiddleware), so checking a right costs nothing."""

    school = models.OneToOneField(
        "schools.School", on_delete=models.CASCADE, primary_key=True, related_name="role_rights"
    )
    overrides = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0)  # refuses a save made from a stale page

    class Meta:
        verbose_name = _("права ролей школы")
        verbose_name_plural = _("права ролей школ")

    def __str__(self):
        return str(self.school)


class RightChange(models.Model):
    """One switch of the rights page: who turned which function on or off for which role, when."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("роль"), max_length=32, choices=Role)
    function = models.CharField(_("функция"), max_length=40)
    enabled = models.BooleanField(_("включена"))
    is_default = models.BooleanField(_("как по умолчанию"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("кто изменил")
    )
    at = models.DateTimeField(_("когда"))

    class Meta:
        verbose_name = _("изменение прав роли")
        verbose_name_plural = _("изменения прав ролей")
        indexes = [models.Index(fields=["school", "-at"])]


class MunicipalMembership(models.Model):
    """A municipal coordinator: may switch between every school of the municipality and holds the
    role MUNICIPAL_COORDINATOR there (read-only by default: journals and attendance)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="municipal_memberships",
        verbose_name=_("учётная запись"),
    )
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.CASCADE,
        related_name="coordinators",
        verbose_name=_("муниципалитет"),
    )

    class Meta:
        verbose_name = _("муниципальный координатор")
        verbose_name_plural = _("муниципальные координаторы")
        constraints = [models.UniqueConstraint(fields=["user", "municipality"], name="uniq_municipal_membership")]

    def __str__(self):
        return f"{self.user} — {self.municipality}"
