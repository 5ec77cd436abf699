from django.urls import reverse
from django.utils.translation import gettext as _

from apps.rights import registry as rights

from . import access
from .models import SCHOOL_WIDE_READ, STAFF_ROLES, Role


def navigation(request):
    """The menu a user sees follows their roles in the current school."""
    roles = getattr(request, "roles", set())
    items = []
    if roles & STAFF_ROLES and access.reads_journals(request):
        items.append((reverse("journal:list"), _("Журналы"), "journal"))
    if roles & STAFF_ROLES and access.functions(request) & {rights.CLASS_LISTS, rights.ATTENDANCE_ALL}:
        items.append((reverse("rights:classes"), _("Классы"), "rights"))
    if roles & {Role.PARENT, Role.STUDENT}:
        items.append((reverse("diary:index"), _("Дневник"), "diary"))
        items.append((reverse("registration:my_access"), _("Доступ к дневнику"), "registration"))
    if roles & {Role.JOURNAL_ADMIN, Role.CLASS_TEACHER}:  # ACC-3…ACC-9: codes, consents, applications
        items.append((reverse("registration:index"), _("Доступ"), "registration"))
    if roles & {Role.JOURNAL_ADMIN} or (roles & SCHOOL_WIDE_READ and request.user.is_staff):
        items.append((reverse("admin:index"), _("Администрирование"), "admin"))
    from apps.office.sections import ALL_FUNCTIONS

    if roles & STAFF_ROLES and access.functions(request) & ALL_FUNCTIONS:  # issue 3: the school's administration
        items.append((reverse("office:index"), _("Управление"), "office"))
    if access.can(request, rights.RIGHTS_MANAGE):
        items.append((reverse("rights:matrix"), _("Права ролей"), "rights"))
    if access.can(request, rights.COMPROMISE_MANAGE):
        items.append((reverse("compromise:list"), _("Компрометация"), "compromise"))
    return {"nav_items": items, "current_roles": roles}
