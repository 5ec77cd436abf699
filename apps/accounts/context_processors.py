from django.urls import reverse
from django.utils.translation import gettext as _

from .models import SCHOOL_WIDE_READ, STAFF_ROLES, Role


def navigation(request):
    """The menu a user sees follows their roles in the current school."""
    roles = getattr(request, "roles", set())
    items = []
    if roles & STAFF_ROLES:
        items.append((reverse("journal:list"), _("Журналы"), "journal"))
    if roles & {Role.PARENT, Role.STUDENT}:
        items.append((reverse("diary:index"), _("Дневник"), "diary"))
    if roles & {Role.JOURNAL_ADMIN} or (roles & SCHOOL_WIDE_READ and request.user.is_staff):
        items.append((reverse("admin:index"), _("Администрирование"), "admin"))
    return {"nav_items": items, "current_roles": roles}
