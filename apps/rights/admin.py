"""Municipal coordinators are appointed by the superuser (they span schools, so no school's
journal administrator may grant them)."""

from django.contrib import admin

from apps.accounts.admin_site import site

from .models import MunicipalMembership


@admin.register(MunicipalMembership, site=site)
class MunicipalMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "municipality")
    list_select_related = ("user", "municipality")
    raw_id_fields = ("user",)

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
