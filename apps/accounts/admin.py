"""Logins and their roles in the admin.

A journal administrator manages the users who hold a role in his school and grants roles in
his school only. He never sees superusers, cannot make anyone superuser, and cannot change a
login that also holds roles in another school (that school's administrator shares it), nor
delete a login (he deactivates it instead).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from .admin_site import SchoolScopedInline, admin_school, is_journal_admin, scope_queryset, site
from .models import Membership, Role, User


class MembershipInline(SchoolScopedInline):
    model = Membership
    fields = ("school", "role")
    school_editable_by_superuser = True
    verbose_name = _("роль")
    verbose_name_plural = _("роли в школе")

    def get_min_num(self, request, obj=None, **kwargs):
        # A login created by a journal administrator belongs to his school through a role.
        return 0 if request.user.is_superuser or obj is not None else 1

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is None and not request.user.is_superuser else 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.validate_min = True
        return formset

    def _editable(self, request, obj):
        # Roles of a login shared with another school are left to that school's administrator too.
        if obj is None or request.user.is_superuser:
            return True
        return not Membership.objects.filter(user=obj).exclude(school=request.school).exists()

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


class RoleFilter(admin.SimpleListFilter):
    title = _("роль")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() not in Role.values:
            return queryset
        memberships = Membership.objects.filter(role=self.value())
        school = admin_school(request)
        if school is not None:
            memberships = memberships.filter(school=school)
        return queryset.filter(pk__in=memberships.values("user_id"))


@admin.register(User, site=site)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "display_name", "roles", "is_active")
    list_filter = (RoleFilter, "is_active")
    search_fields = ("username", "last_name", "first_name", "middle_name", "email")
    filter_horizontal = ()
    personal = (_("Личные данные"), {"fields": ("last_name", "first_name", "middle_name", "email")})
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        personal,
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        access = ("is_active", "is_superuser") if request.user.is_superuser else ("is_active",)
        return (
            (None, {"fields": ("username", "password")}),
            self.personal,
            (_("Доступ"), {"fields": access}),
            (_("Даты"), {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return ("last_login", "date_joined")

    def get_list_filter(self, request):
        return self.list_filter + (("is_superuser",) if request.user.is_superuser else ())

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        school = admin_school(request)
        memberships = Membership.objects.select_related("school")
        if not request.user.is_superuser:
            qs = scope_queryset(qs, school) if school is not None else qs.none()
            memberships = memberships.filter(school=school)
        return qs.prefetch_related(Prefetch("memberships", memberships, to_attr="shown_memberships"))

    @admin.display(description=_("ФИО"), ordering="last_name")
    def display_name(self, obj):
        return obj.display_name

    @admin.display(description=_("роли"))
    def roles(self, obj):
        memberships = getattr(obj, "shown_memberships", [])
        return ", ".join(sorted(str(m.get_role_display()) for m in memberships))

    def _allowed(self, request):
        return request.user.is_superuser or is_journal_admin(request)

    def _manages(self, request, obj) -> bool:
        """A journal administrator manages a login only if all its roles are in his school."""
        if obj is None or request.user.is_superuser:
            return True
        if obj.is_superuser:
            return False
        return not Membership.objects.filter(user=obj).exclude(school=request.school).exists()

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            # The form has no such fields for him; this holds even if one were added later.
            obj.is_superuser = False
        super().save_model(request, obj, form, change)
