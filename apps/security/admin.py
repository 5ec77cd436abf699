"""The school's security policy in the journal administrator's admin (ACC-11, OPS-3)."""

from django.contrib import admin

from apps.accounts.admin_site import SchoolScopedAdmin, admin_school, site

from .models import SecurityPolicy


@admin.register(SecurityPolicy, site=site)
class SecurityPolicyAdmin(SchoolScopedAdmin):
    list_display = ("__str__", "staff_idle_minutes", "family_idle_minutes", "require_totp_for_admins")
    fields = ("school", "staff_idle_minutes", "family_idle_minutes", "require_totp_for_admins")

    def has_add_permission(self, request):
        # One policy per school: the administrator adds his school's once, then edits it.
        school = admin_school(request)
        if school is not None and SecurityPolicy.objects.filter(school=school).exists():
            return False
        return super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # deleting would silently restore the defaults
