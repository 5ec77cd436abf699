"""Staff e-mails from staff lists, correctable in the admin (scoped to the school)."""

from django.contrib import admin

from apps.accounts.admin_site import SchoolScopedAdmin, site

from .models import StaffEmail


@admin.register(StaffEmail, site=site)
class StaffEmailAdmin(SchoolScopedAdmin):
    list_display = ("staff", "email", "updated_at")
    list_select_related = ("staff",)
    search_fields = ("staff__last_name", "staff__first_name", "email")
    fields = ("staff", "email")
