"""Staff, students (with their enrolments and guardians) and guardians in the admin.

An enrolment added or changed here keeps the class's whole-class group in step, so the student
appears in (or leaves) the journals of the class exactly as apps.people.services does it.
"""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin_site import SchoolScopedAdmin, SchoolScopedForm, SchoolScopedInline, fk_column, site
from apps.diary.cache import school_changed
from apps.schools.models import Group, SchoolClass

from .models import Enrolment, GroupMembership, Guardian, GuardianLink, Staff, Student
from .services import class_group, student_enrol


def sync_class_group(*, student: Student, school_class: SchoolClass) -> None:
    """Make the student's spans in the class's whole-class group equal his enrolments in it."""
    group = class_group(school_class)
    wanted = list(Enrolment.objects.filter(student=student, school_class=school_class).values_list("starts", "ends"))
    for membership in GroupMembership.objects.filter(student=student, group=group):
        span = (membership.starts, membership.ends)
        if span in wanted:
            wanted.remove(span)
        else:
            membership.delete()
    GroupMembership.objects.bulk_create(
        GroupMembership(school_id=student.school_id, group=group, student=student, starts=starts, ends=ends)
        for starts, ends in wanted
    )
    school_changed(student.school_id)  # bulk writes send no signals (the cached pages)


def end_subgroups(*, student: Student, school_class: SchoolClass, ends) -> None:
    """A student who leaves a class leaves its subgroups on the same day (as student_withdraw)."""
    GroupMembership.objects.filter(
        student=student, group__school_class=school_class, group__kind=Group.Kind.SUBGROUP, ends__isnull=True
    ).update(ends=ends)
    school_changed(student.school_id)


@admin.register(Staff, site=site)
class StaffAdmin(SchoolScopedAdmin):
    list_display = ("full_name", "position", fk_column("user"), "hired_on", "left_on")
    list_filter = ("position",)
    list_select_related = ("user",)
    search_fields = ("last_name", "first_name", "middle_name", "position", "user__username")
    fields = ("last_name", "first_name", "middle_name", "position", "user", "hired_on", "left_on")

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name


class EnrolmentForm(SchoolScopedForm):
    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("Дата выбытия не может быть раньше даты зачисления."))
        return cleaned


class EnrolmentInline(SchoolScopedInline):
    model = Enrolment
    form = EnrolmentForm
    fields = ("school_class", "starts", "ends", "order_number")
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school_class")


class GuardianLinkInline(SchoolScopedInline):
    model = GuardianLink
    fields = ("guardian", "relation")
    verbose_name = _("родитель (законный представитель)")
    verbose_name_plural = _("родители (законные представители)")


class CurrentClassFilter(admin.SimpleListFilter):
    title = _("класс")
    parameter_name = "class"

    def lookups(self, request, model_admin):
        listed = model_admin.get_queryset(request).values("enrolments__school_class")
        classes = SchoolClass.objects.filter(pk__in=listed)
        return [(c.pk, f"{c} ({c.year})") for c in classes.select_related("year")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                pk__in=Enrolment.objects.filter(school_class_id=self.value(), ends__isnull=True).values("student_id")
            )
        return queryset


@admin.register(Student, site=site)
class StudentAdmin(SchoolScopedAdmin):
    list_display = ("full_name", "current_class", "birth_date", fk_column("user"))
    list_filter = (CurrentClassFilter,)
    list_select_related = ("user",)
    search_fields = ("last_name", "first_name", "middle_name", "user__username")
    fields = ("last_name", "first_name", "middle_name", "birth_date", "user")
    inlines = [EnrolmentInline, GuardianLinkInline]

    def get_queryset(self, request):
        open_stays = Enrolment.objects.filter(ends__isnull=True).select_related("school_class")
        return super().get_queryset(request).prefetch_related(Prefetch("enrolments", open_stays, to_attr="open_stays"))

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description=_("класс"))
    def current_class(self, obj):
        return ", ".join(str(e.school_class) for e in getattr(obj, "open_stays", []))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Enrolment:
            return super().save_formset(request, form, formset, change)
        student = form.instance
        touched = {}
        for enrolment in formset.save(commit=False):
            if enrolment.pk is None:
                # The service is the one write path for a new stay: enrolment + class group.
                created = student_enrol(
                    student=student,
                    school_class=enrolment.school_class,
                    starts=enrolment.starts,
                    order_number=enrolment.order_number,
                )
                if enrolment.ends:
                    created.ends = enrolment.ends
                    created.save(update_fields=["ends"])
                    touched[enrolment.school_class_id] = enrolment.school_class
                    end_subgroups(student=student, school_class=enrolment.school_class, ends=enrolment.ends)
                continue
            before = Enrolment.objects.select_related("school_class").get(pk=enrolment.pk)
            enrolment.save()
            touched[before.school_class_id] = before.school_class
            touched[enrolment.school_class_id] = enrolment.school_class
            if enrolment.ends and before.ends is None:
                end_subgroups(student=student, school_class=enrolment.school_class, ends=enrolment.ends)
        for enrolment in formset.deleted_objects:
            touched[enrolment.school_class_id] = enrolment.school_class
            enrolment.delete()
        for school_class in touched.values():
            sync_class_group(student=student, school_class=school_class)
        formset.save_m2m()


class ChildLinkInline(SchoolScopedInline):
    model = GuardianLink
    fields = ("student", "relation")
    verbose_name = _("ребёнок")
    verbose_name_plural = _("дети")


@admin.register(Guardian, site=site)
class GuardianAdmin(SchoolScopedAdmin):
    list_display = ("full_name", "phone", "email", fk_column("user"))
    list_select_related = ("user",)
    search_fields = ("last_name", "first_name", "middle_name", "phone", "email", "user__username")
    fields = ("last_name", "first_name", "middle_name", "phone", "email", "user")
    inlines = [ChildLinkInline]

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name
