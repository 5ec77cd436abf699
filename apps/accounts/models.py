"""Accounts and role membership per school."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A personal login. What it may do comes from its Memberships, never from is_staff."""

    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)
        return name or self.username


class Role(models.TextChoices):
    JOURNAL_ADMIN = "journal_admin", _("администратор журнала")
    DIRECTOR = "director", _("директор")
    DEPUTY = "deputy", _("заместитель директора")
    TEACHER = "teacher", _("учитель")
    CLASS_TEACHER = "class_teacher", _("классный руководитель")
    PARENT = "parent", _("родитель")
    STUDENT = "student", _("учащийся")
    # ACC-1: the other roles of the regulations. What each may do by default, and what a school
    # switches on or off, is in apps.rights.registry.
    NURSE = "nurse", _("медицинская сестра")
    SOCIAL_PEDAGOGUE = "social_pedagogue", _("социальный педагог")
    PSYCHOLOGIST = "psychologist", _("педагог-психолог")
    PARENT_COMMITTEE = "parent_committee", _("член родительского комитета")
    LIBRARIAN = "librarian", _("библиотекарь")
    SECRETARY = "secretary", _("секретарь")
    SYSTEM_ADMIN = "system_admin", _("системный администратор")
    # Held in a school through apps.rights.MunicipalMembership (every school of a municipality,
    # ORG-1), or granted in one school like any other role.
    MUNICIPAL_COORDINATOR = "municipal_coordinator", _("муниципальный координатор")


# Roles that see every journal of the school (read) by default; journal admin also administers.
SCHOOL_WIDE_READ = {Role.JOURNAL_ADMIN, Role.DIRECTOR, Role.DEPUTY}
# The original teaching and administration roles (the journal's own staff).
JOURNAL_STAFF_ROLES = {Role.JOURNAL_ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER, Role.CLASS_TEACHER}
# Everybody who works for (or oversees) the school: may reach the staff pages at all; what they
# see there is decided by the functions of apps.rights.registry.
STAFF_ROLES = JOURNAL_STAFF_ROLES | {
    Role.NURSE,
    Role.SOCIAL_PEDAGOGUE,
    Role.PSYCHOLOGIST,
    Role.LIBRARIAN,
    Role.SECRETARY,
    Role.SYSTEM_ADMIN,
    Role.MUNICIPAL_COORDINATOR,
}


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("роль"), max_length=32, choices=Role)

    class Meta:
        verbose_name = _("роль в школе")
        verbose_name_plural = _("роли в школах")
        constraints = [models.UniqueConstraint(fields=["user", "school", "role"], name="uniq_membership")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.school})"


class CredentialResetRequest(models.Model):
    """A school asks to reset the credentials of a login it may not reset alone (issue 11): one
    with a role in another school, a municipal coordinator's (apps.accounts.credentials). Approved
    by the server's system administrator (a superuser) or by the journal administrators of every
    other school of the login (CredentialResetDecision, one per school); once approved, the
    requesting school issues the recovery code or the temporary password once. Refused and used
    requests are kept: this is a register, rows are added and closed, never rewritten."""

    class Purpose(models.TextChoices):
        RECOVERY = "recovery", _("код восстановления пароля")
        TEMPORARY_PASSWORD = "temporary", _("временный пароль")

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает решения")
        APPROVED = "approved", _("одобрен")
        REFUSED = "refused", _("отклонён")
        USED = "used", _("использован")

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("школа, которая просит")
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("учётная запись"))
    purpose = models.CharField(_("что выдать"), max_length=10, choices=Purpose)
    reason = models.TextField(_("основание"))
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("кто просит"))
    requested_at = models.DateTimeField(_("когда"))
    status = models.CharField(_("состояние"), max_length=10, choices=Status, default=Status.PENDING)
    used_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("кто выдал")
    )
    used_at = models.DateTimeField(_("когда выдано"), null=True, blank=True)

    class Meta:
        verbose_name = _("запрос на сброс пароля")
        verbose_name_plural = _("запросы на сброс пароля")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "user", "status"], name="credreset_school_user"),
            models.Index(fields=["status", "-requested_at"], name="credreset_status"),
        ]

    def __str__(self):
        return _("Запрос № %(number)s") % {"number": self.pk}


class CredentialResetDecision(models.Model):
    """One approval or refusal of a request: by a journal administrator for his school, or by the
    system administrator (school empty), who decides for all."""

    request = models.ForeignKey(CredentialResetRequest, on_delete=models.CASCADE, related_name="decisions")
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("за школу"),
        help_text=_("пусто — системный администратор сервера"),
    )
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("кто решил"))
    at = models.DateTimeField(_("когда"))
    approved = models.BooleanField(_("одобрено"))
    note = models.TextField(_("примечание"), blank=True)

    class Meta:
        verbose_name = _("решение по запросу на сброс пароля")
        verbose_name_plural = _("решения по запросам на сброс пароля")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "school"], name="uniq_credreset_decision_school"),
        ]
