"""Setting up a school in the admin: the school, its years with periods and holidays, bells,
classes, groups, subjects, work types. Everything is scoped by apps.accounts.admin_site."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin_site import (
    LabelledRelatedFilter,
    SchoolScopedAdmin,
    SchoolScopedForm,
    SchoolScopedInline,
    fk_column,
    related_only,
    site,
)
from apps.people.models import GroupMembership
from apps.people.services import class_group

from .models import (
    AcademicYear,
    BellSlot,
    Group,
    Holiday,
    Municipality,
    Period,
    Region,
    School,
    SchoolClass,
    Subject,
    WorkType,
)


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """The tenancy above a school belongs to the system administrator only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Region, site=site)
class RegionAdmin(SuperuserOnlyAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Municipality, site=site)
class MunicipalityAdmin(SuperuserOnlyAdmin):
    list_display = ("name", fk_column("region"))
    list_filter = (("region", LabelledRelatedFilter),)
    search_fields = ("name",)


@admin.register(School, site=site)
class SchoolAdmin(SchoolScopedAdmin):
    """A journal administrator sees and edits his own school; only a superuser creates or
    removes schools and moves them between municipalities."""

    list_display = ("short_name", "name", fk_column("municipality"), "timezone")
    search_fields = ("name", "short_name")
    fields = ("municipality", "name", "short_name", "timezone")

    def get_list_filter(self, request):
        if not request.user.is_superuser:
            return ()
        return (("municipality__region", LabelledRelatedFilter), ("municipality", LabelledRelatedFilter))

    def get_readonly_fields(self, request, obj=None):
        return () if request.user.is_superuser else ("municipality",)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class PeriodInline(SchoolScopedInline):
    model = Period
    fields = ("order", "name", "starts", "ends")


class HolidayInline(SchoolScopedInline):
    model = Holiday
    fields = ("name", "starts", "ends")


@admin.register(AcademicYear, site=site)
class AcademicYearAdmin(SchoolScopedAdmin):
    list_display = ("name", "starts", "ends", "status")
    list_filter = ("status",)
    search_fields = ("name",)
    inlines = [PeriodInline, HolidayInline]


@admin.register(BellSlot, site=site)
class BellSlotAdmin(SchoolScopedAdmin):
    list_display = ("number", "starts", "ends")
    ordering = ("school", "number")


@admin.register(SchoolClass, site=site)
class SchoolClassAdmin(SchoolScopedAdmin):
    list_display = ("__str__", fk_column("year"), "class_teacher")
    list_display_links = ("__str__",)
    list_filter = (related_only("year"), "grade")
    list_select_related = ("year", "class_teacher")
    search_fields = ("letter", "class_teacher__last_name")
    fields = ("year", "grade", "letter", "class_teacher")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The whole-class group is what a class's journals are kept for: it exists from the
        # start and carries the class's name (ORG-3, ORG-4).
        group = class_group(obj)
        if group.name != str(obj):
            group.name = str(obj)
            group.save(update_fields=["name"])


class GroupForm(SchoolScopedForm):
    def clean(self):
        cleaned = super().clean()
        kind, school_class, year = cleaned.get("kind"), cleaned.get("school_class"), cleaned.get("year")
        if school_class is not None and year is not None and school_class.year_id != year.pk:
            self.add_error("school_class", _("Класс относится к другому учебному году."))
        if kind == Group.Kind.CLASS:
            if school_class is None:
                self.add_error("school_class", _("Для группы «весь класс» укажите класс."))
            elif (
                Group.objects.filter(school_class=school_class, kind=Group.Kind.CLASS)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("kind", _("У этого класса уже есть группа «весь класс»."))
        return cleaned


class GroupMembershipInline(SchoolScopedInline):
    """Who is in a subgroup and when. The whole-class group follows the enrolments, so its list
    is shown read-only: a student joins a class through his enrolment (Учащиеся)."""

    model = GroupMembership
    fields = ("student", "starts", "ends")
    verbose_name = _("учащийся группы")
    verbose_name_plural = _("состав группы")

    def _is_subgroup(self, obj):
        return obj is None or obj.kind != Group.Kind.CLASS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._is_subgroup(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._is_subgroup(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._is_subgroup(obj)


@admin.register(Group, site=site)
class GroupAdmin(SchoolScopedAdmin):
    form = GroupForm
    list_display = ("name", "kind", fk_column("school_class"), fk_column("year"))
    list_filter = (related_only("year"), "kind")
    list_select_related = ("year", "school_class")
    search_fields = ("name",)
    fields = ("year", "school_class", "kind", "name")
    inlines = [GroupMembershipInline]


@admin.register(Subject, site=site)
class SubjectAdmin(SchoolScopedAdmin):
    list_display = ("name", "short_name")
    search_fields = ("name", "short_name")


class WorkTypeForm(SchoolScopedForm):
    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise forms.ValidationError(_("Вес должен быть больше нуля."))
        return weight


@admin.register(WorkType, site=site)
class WorkTypeAdmin(SchoolScopedAdmin):
    form = WorkTypeForm
    list_display = ("name", "short_name", "weight", "is_written", "is_default", "order")
    list_filter = ("is_written",)
    search_fields = ("name", "short_name")
