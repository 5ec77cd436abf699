"""Teaching assignments (journals) in the admin.

Lessons, marks, attendance and period marks are deliberately not registered: they are written
only through apps.journal.services, which records every change in the change log (ARC-1).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin_site import SchoolScopedAdmin, SchoolScopedForm, fk_column, related_only, site

from .models import Journal


class JournalForm(SchoolScopedForm):
    def clean(self):
        cleaned = super().clean()
        group, year = cleaned.get("group"), cleaned.get("year")
        if group is not None and year is not None and group.year_id != year.pk:
            self.add_error("group", _("Группа относится к другому учебному году."))
        return cleaned


@admin.register(Journal, site=site)
class JournalAdmin(SchoolScopedAdmin):
    form = JournalForm
    list_display = (
        fk_column("group"),
        fk_column("subject"),
        fk_column("teacher"),
        fk_column("year"),
        "hours_per_week",
        "grading_system",
    )
    list_filter = (related_only("year"), related_only("subject"), related_only("teacher"))
    list_select_related = ("group", "subject", "teacher", "year")
    search_fields = ("group__name", "subject__name", "teacher__last_name")
    fields = ("year", "group", "subject", "teacher", "hours_per_week", "grading_system")
    ordering = ("group__name", "subject__name")
