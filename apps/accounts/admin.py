"""Logins and their roles in the admin.

A journal administrator manages the users who hold a role in his school and grants roles in
his school only. He never sees superusers, cannot make anyone superuser, and cannot change a
login his school may not reset (apps.accounts.credentials: one with a role in another school, a
municipal coordinator's, a staff login) — neither its password nor anything else — nor delete a
login (he deactivates it instead). The superuser (the server's system administrator) also finds
here the requests to reset such logins and decides them.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import credentials
from .admin_site import SchoolScopedInline, admin_school, is_journal_admin, scope_queryset, site
from .models import CredentialResetRequest, Membership, Role, User


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
        return credentials.reset_refusal(school=request.school, user=obj) is None

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
        """A journal administrator manages a login only if his school may reset it: all its roles
        are in his school (apps.accounts.credentials — the rule of every credential reset)."""
        if obj is None or request.user.is_superuser:
            return True
        return credentials.reset_refusal(school=request.school, user=obj) is None

    def user_change_password(self, request, id, form_url=""):
        """The password form: refused with the rule's reason (and the way to ask for it) rather
        than a bare 403, so the administrator knows where the request goes."""
        if not request.user.is_superuser and self._allowed(request):
            user = self.get_object(request, unquote(id))
            refusal = credentials.reset_refusal(school=request.school, user=user) if user is not None else None
            if refusal is not None:
                messages.error(
                    request,
                    _("%(why)s Запрос — в разделе «Доступ» → «Запросы на сброс пароля».") % {"why": refusal},
                )
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)

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


@admin.register(CredentialResetRequest, site=site)
class CredentialResetRequestAdmin(admin.ModelAdmin):
    """The system administrator's list of requests to reset a shared login (issue 11): read-only
    here; each row opens the request's page, where he approves or refuses it for every school."""

    list_display = ("number", "requested_at", "school", "user", "purpose", "requested_by", "status", "decide")
    list_filter = ("status", "purpose")
    search_fields = ("user__username", "user__last_name", "school__short_name")
    list_select_related = ("school", "user", "requested_by")

    @admin.display(description=_("№"), ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description=_("решение"))
    def decide(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("registration:reset", args=[obj.pk]), _("открыть запрос"))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False  # a request is made by a school, from its access pages

    def has_change_permission(self, request, obj=None):
        return False  # decided on the request's page, each decision registered

    def has_delete_permission(self, request, obj=None):
        return False  # a register: kept
