"""The Django admin as the journal administrator's setup tool, scoped to his school.

Who may enter: a superuser (everything, every school) or a user holding the journal
administrator role in the current school (request.school, set by CurrentSchoolMiddleware) —
never is_staff or Django model permissions. Everybody else is sent to the sign-in page or
refused with 403.

What he sees: `SchoolScopedAdmin` / `SchoolScopedInline` filter every list by request.school,
limit every foreign-key choice to the same school, hide the `school` field and set it
themselves, and check that whatever a form links together belongs to one school.
"""

import datetime as dt
import functools
import re

from django.contrib import admin
from django.contrib.admin.views.main import IGNORED_PARAMS
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.forms.models import BaseInlineFormSet, ModelForm
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.ops import days
from apps.schools.models import School

from .models import Membership, Role, User

OTHER_SCHOOL_ERROR = gettext_lazy("Выберите значение из этой же школы.")

# Russian names for the foreign keys whose models give none (their default would be "school class").
FIELD_LABELS = {
    "school": gettext_lazy("школа"),
    "user": gettext_lazy("учётная запись"),
    "school_class": gettext_lazy("класс"),
    "year": gettext_lazy("учебный год"),
    "subject": gettext_lazy("предмет"),
    "group": gettext_lazy("группа"),
    "teacher": gettext_lazy("учитель"),
    "student": gettext_lazy("учащийся"),
    "guardian": gettext_lazy("родитель (законный представитель)"),
    "municipality": gettext_lazy("муниципалитет"),
    "region": gettext_lazy("регион"),
}


def field_label(field):
    """The field's own verbose name, or the Russian one above when the model left the default."""
    if field.verbose_name == field.name.replace("_", " ") and field.name in FIELD_LABELS:
        return FIELD_LABELS[field.name]
    return field.verbose_name


def is_journal_admin(request) -> bool:
    """A (non-super)user with the journal administrator role in the current school."""
    return (
        request.user.is_active
        and getattr(request, "school", None) is not None
        and Role.JOURNAL_ADMIN in getattr(request, "roles", ())
    )


def admin_school(request) -> School | None:
    """The school a request's admin work is confined to; None for a superuser (all schools)."""
    if request.user.is_superuser:
        return None
    return request.school if is_journal_admin(request) else None


def has_school_field(model) -> bool:
    return any(f.name == "school" for f in model._meta.concrete_fields)


def scope_queryset(qs, school: School):
    """Rows of `qs` that belong to `school`; nothing for a model that has no school (fail closed)."""
    model = qs.model
    if model is School:
        return qs.filter(pk=school.pk)
    if model is User:
        return qs.filter(is_superuser=False, pk__in=Membership.objects.filter(school=school).values("user_id"))
    if has_school_field(model):
        return qs.filter(school=school)
    return qs.none()


class JournalAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Электронный журнал — администрирование")
    site_title = gettext_lazy("Электронный журнал")
    index_title = gettext_lazy("Настройка школы")

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or is_journal_admin(request))

    def login(self, request, extra_context=None):
        """One sign-in page for the whole product: the admin sends strangers to it and refuses
        signed-in users without the role (a redirect there would loop back here)."""
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = ""
        target = target or reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return HttpResponseRedirect(target)
        if request.user.is_authenticated:
            raise PermissionDenied
        from django.conf import settings

        return redirect_to_login(target, resolve_url(settings.LOGIN_URL))

    def each_context(self, request):
        context = super().each_context(request)
        school = admin_school(request)
        if school is not None:
            context["site_header"] = f"{self.site_header}: {school.short_name}"
        return context

    def admin_view(self, view, cacheable=False):
        """Every admin view as Django wraps it; a list's filters from the address are checked
        first (`lookup_problem`)."""
        wrapped = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)
        if getattr(view, "__name__", "") != "changelist_view" or not isinstance(model_admin, admin.ModelAdmin):
            return wrapped

        @functools.wraps(wrapped)
        def checked(request, *args, **kwargs):
            problem = lookup_problem(model_admin.model, request.GET)
            if problem:
                raise days.BadParameter(problem)
            return wrapped(request, *args, **kwargs)

        return checked


site = JournalAdminSite(name="admin")

# The admin's own parameters of a list (ordering, page, search …), not filters.
_LIST_PARAMS = set(IGNORED_PARAMS) | {"p", "q", "all", "e"}
_INTEGER = re.compile(r"^\s*[-+]?\d+\s*$")
_BIGINT = 2**63 - 1
_DATE_LOOKUPS = {"", "exact", "gt", "gte", "lt", "lte", "date", "in", "range"}
_YEAR_LOOKUPS = {"year", "iso_year"}


def lookup_problem(model, params) -> str | None:
    """Why a list's filters from the address cannot be run, in Russian; None when they can.

    The admin takes any lookup on a model's own fields from the address (`?at__gte=…`,
    `?school=…`) and hands its value to the database. A day outside apps.ops.days' bounds
    overflows on the way there (0001-01-01 in the school's zone is before year 1 in UTC), and so
    does a number beyond a 64-bit integer: a 500, not an answer. Values the admin can tell are
    wrong itself (a word for a number) are left to it."""
    for key, values in params.lists():
        if key in _LIST_PARAMS:
            continue
        field, lookup = _lookup_field(model, key)
        for value in (v for raw in values for v in raw.split(",")):
            if _INTEGER.match(value) and abs(int(value)) > _BIGINT:
                return _("Число «%(value)s» в условии отбора «%(key)s» слишком велико.") % {
                    "value": value.strip()[: days.SHOWN_CHARS],
                    "key": key,
                }
            if not isinstance(field, models.DateField):
                continue
            if lookup in _YEAR_LOOKUPS and _INTEGER.match(value):
                out = not days.EARLIEST.year <= int(value) <= days.LATEST.year
            elif lookup in _DATE_LOOKUPS:
                moment = _parsed(value)
                out = moment is not None and not days.in_range(moment)
            else:
                out = False
            if out:
                return _("Дата «%(value)s» в условии отбора «%(key)s» не подходит: нужна дата %(bounds)s.") % {
                    "value": value.strip()[: days.SHOWN_CHARS],
                    "key": key,
                    "bounds": days.bounds_text(),
                }
    return None


def _lookup_field(model, key: str):
    """The field a lookup `a__b__gte` ends on (following relations) and the lookup after it."""
    field, parts = None, key.split("__")
    for index, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return field, "__".join(parts[index:])
        if field.is_relation and field.related_model is not None and index + 1 < len(parts):
            model = field.related_model
    return field, ""


def _parsed(value: str):
    value = value.strip()
    try:
        moment = parse_datetime(value) or parse_date(value)
    except ValueError:  # a well-formed but impossible day (2026-02-30): the admin refuses it itself
        return None
    return moment.date() if isinstance(moment, dt.datetime) else moment


class SchoolScopedForm(ModelForm):
    """Model form that knows its school (`tenant`, set per request) before validation, so the
    unique constraints that include `school` are checked instead of failing on save, and that
    refuses links to another school's objects."""

    tenant = None  # School; set on a per-request subclass

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.tenant is not None and has_school_field(self._meta.model) and self.instance.school_id is None:
            self.instance.school = self.tenant

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if getattr(self.instance, "school_id", None) is not None:
            exclude.discard("school")
        return exclude

    def _school_id(self):
        if self.tenant is not None:
            return self.tenant.pk
        if self._meta.model is School:
            return self.instance.pk
        chosen = self.cleaned_data.get("school")
        if chosen is not None:
            return chosen.pk
        return getattr(self.instance, "school_id", None)

    def clean(self):
        cleaned = super().clean()
        school_id = self._school_id()
        if school_id is None:
            return cleaned
        for name, value in list(cleaned.items()):
            if name == "school" or not isinstance(value, models.Model):
                continue
            other = value.pk if isinstance(value, School) else getattr(value, "school_id", None)
            if other is not None and other != school_id:
                self.add_error(name, OTHER_SCHOOL_ERROR)
        return cleaned


class SchoolInlineFormSet(BaseInlineFormSet):
    """Children take the school of their parent (a year's periods, a student's enrolments)."""

    def _parent_school_id(self):
        return getattr(self.instance, "school_id", None)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if has_school_field(self.model) and form.instance.school_id is None and self._parent_school_id():
            form.instance.school_id = self._parent_school_id()
        return form

    def save_new(self, form, commit=True):
        if has_school_field(self.model) and form.instance.school_id is None:
            form.instance.school_id = self._parent_school_id()
        return super().save_new(form, commit=commit)


class SchoolScopedMixin:
    """Shared by model admins and inlines: choices, school field and form of one school."""

    form = SchoolScopedForm

    def _scoped_form(self, request):
        return type(self.form.__name__, (self.form,), {"tenant": admin_school(request)})

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or is_journal_admin(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        school = admin_school(request)
        return scope_queryset(qs, school) if school is not None else qs.none()

    def _scope_choices(self, db_field, request, kwargs):
        school = admin_school(request)
        if not request.user.is_superuser and "queryset" not in kwargs:
            qs = self.get_field_queryset(None, db_field, request)
            if qs is None:
                qs = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scope_queryset(qs, school) if school is not None else qs.none()
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("label", capfirst(field_label(db_field)))
        return super().formfield_for_foreignkey(db_field, request, **self._scope_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._scope_choices(db_field, request, kwargs))


class SchoolScopedAdmin(SchoolScopedMixin, admin.ModelAdmin):
    """Base admin for every model that carries `school` (and for School itself)."""

    def _in_school(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        school_id = obj.pk if isinstance(obj, School) else obj.school_id
        return school_id == request.school.pk

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and self._in_school(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and self._in_school(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and self._in_school(request, obj)

    def _hides_school(self, request) -> bool:
        return not request.user.is_superuser and has_school_field(self.model)

    def get_exclude(self, request, obj=None):
        exclude = tuple(super().get_exclude(request, obj) or ())
        return exclude + ("school",) if self._hides_school(request) else exclude

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [name for name in fields if name != "school"] if self._hides_school(request) else fields

    def get_list_display(self, request):
        shown = tuple(super().get_list_display(request))
        if request.user.is_superuser and has_school_field(self.model):
            shown += (fk_column("school"),)
        return shown

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        if request.user.is_superuser and has_school_field(self.model):
            filters = (("school", LabelledRelatedFilter),) + filters
        return filters

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs.setdefault("form", self._scoped_form(request))
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        school = admin_school(request)
        if school is not None and has_school_field(self.model) and not change:
            obj.school = school
        super().save_model(request, obj, form, change)


class SchoolScopedInline(SchoolScopedMixin, admin.TabularInline):
    """Inline rows of a school-scoped parent; the school comes from the parent (or the request)."""

    formset = SchoolInlineFormSet
    extra = 0
    school_editable_by_superuser = False  # True where the school is a real choice (roles in schools)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def _hides_school(self, request) -> bool:
        return has_school_field(self.model) and not (self.school_editable_by_superuser and request.user.is_superuser)

    def get_exclude(self, request, obj=None):
        exclude = tuple(super().get_exclude(request, obj) or ())
        return exclude + ("school",) if self._hides_school(request) else exclude

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [name for name in fields if name != "school"] if self._hides_school(request) else fields

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("form", self._scoped_form(request))
        return super().get_formset(request, obj, **kwargs)


class LabelledRelatedFilter(admin.RelatedFieldListFilter):
    def __init__(self, field, *args, **kwargs):
        super().__init__(field, *args, **kwargs)
        self.title = field_label(field)


class LabelledRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, field, *args, **kwargs):
        super().__init__(field, *args, **kwargs)
        self.title = field_label(field)


def related_only(field: str):
    """A list filter on a foreign key that offers only values present in the (scoped) list,
    never another school's rows."""
    return (field, LabelledRelatedOnlyFilter)


def fk_column(name: str):
    """A changelist column showing a foreign key under its Russian heading."""

    @admin.display(description=FIELD_LABELS[name], ordering=name)
    def column(obj):
        return getattr(obj, name)

    column.__name__ = f"{name}_column"
    return column
