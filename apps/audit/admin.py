"""The change log in the admin: read-only (ARC-1).

Entries are appended only by apps.audit.services inside the change they record; nobody adds,
edits or deletes them here — not even a superuser. A journal administrator sees his school's
entries only (SchoolScopedAdmin). Columns are display methods so that every heading is Russian.
"""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin_site import SchoolScopedAdmin, site
from apps.schools.models import School

from .models import Entry
from .registry import TRACKED


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("что изменено")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        return [(code, gettext(t.label)) for code, t in TRACKED.items()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(object_type=self.value())
        return queryset


class SchoolFilter(admin.SimpleListFilter):
    """For the superuser, who sees every school's entries."""

    title = _("школа")
    parameter_name = "school"

    def lookups(self, request, model_admin):
        return [(s.pk, str(s)) for s in School.objects.order_by("short_name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(school_id=self.value())
        return queryset


@admin.register(Entry, site=site)
class EntryAdmin(SchoolScopedAdmin):
    list_display = ("number", "at", "author", "action", "what", "object_ref", "lesson_ref", "student_ref")
    list_display_links = ("number",)
    list_filter = ("action", ObjectTypeFilter)
    list_select_related = ("author", "school")
    search_fields = ("=object_id", "=lesson_id", "=student_id", "=journal_id")
    ordering = ("-seq",)
    show_full_result_count = False  # no second COUNT(*) over a log of millions of rows
    fields = (
        "number",
        "at",
        "author",
        "action",
        "what",
        "object_ref",
        "journal_ref",
        "lesson_ref",
        "student_ref",
        "old_pretty",
        "new_pretty",
        "prev_hash_display",
        "hash_display",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def get_list_display(self, request):
        return self.list_display + (("school_name",) if request.user.is_superuser else ())

    def get_list_filter(self, request):
        return ((SchoolFilter,) if request.user.is_superuser else ()) + self.list_filter

    @admin.display(description=_("школа"))
    def school_name(self, obj):
        return obj.school

    @admin.display(description=_("№ в цепочке"), ordering="seq")
    def number(self, obj):
        return obj.seq

    @admin.display(description=_("что изменено"), ordering="object_type")
    def what(self, obj):
        tracked = TRACKED.get(obj.object_type)
        return gettext(tracked.label) if tracked else obj.object_type

    @admin.display(description=_("id записи"))
    def object_ref(self, obj):
        return obj.object_id

    @admin.display(description=_("id журнала"))
    def journal_ref(self, obj):
        return obj.journal_id if obj.journal_id is not None else "—"

    @admin.display(description=_("id урока"))
    def lesson_ref(self, obj):
        return obj.lesson_id if obj.lesson_id is not None else "—"

    @admin.display(description=_("id учащегося"))
    def student_ref(self, obj):
        return obj.student_id if obj.student_id is not None else "—"

    @admin.display(description=_("было"))
    def old_pretty(self, obj):
        return _pretty(obj.old)

    @admin.display(description=_("стало"))
    def new_pretty(self, obj):
        return _pretty(obj.new)

    @admin.display(description=_("хеш предыдущей записи"))
    def prev_hash_display(self, obj):
        return obj.prev_hash

    @admin.display(description=_("хеш записи"))
    def hash_display(self, obj):
        return obj.hash


def _pretty(value):
    if value is None:
        return "—"
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))
