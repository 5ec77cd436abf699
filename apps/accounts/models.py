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
