"""Who may see and change what — the one place per object type (fails closed: 404).

Every view asks here; nothing else filters by user. The school is the tenant: each helper
filters by `request.school` first, so a user with roles in two schools never mixes them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.journal.models import Journal
from apps.people.models import Student
from apps.schools.models import AcademicYear, SchoolClass

from .models import SCHOOL_WIDE_READ, STAFF_ROLES, Role


def roles(request) -> set[str]:
    return getattr(request, "roles", set())


def is_staff(request) -> bool:
    return bool(roles(request) & STAFF_ROLES)


def journals_readable(request) -> QuerySet[Journal]:
    """Journals this user may open: all of the school for the administration; her own for a
    teacher; every subject of her class for a class teacher (JRN-11)."""
    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated:
        return Journal.objects.none()
    qs = Journal.objects.filter(school=school)
    r = roles(request)
    if r & SCHOOL_WIDE_READ:
        return qs
    cond = Q(pk__in=[])
    if Role.TEACHER in r or Role.CLASS_TEACHER in r:
        cond |= Q(teacher__user=request.user)
    if Role.CLASS_TEACHER in r:
        cond |= Q(group__school_class__class_teacher__user=request.user)
    return qs.filter(cond)


def can_write_journal(request, journal: Journal) -> bool:
    """Only the teacher of the journal writes it, and only while its year is open.
    Students never write (JRN-10): they hold no teacher role."""
    r = roles(request)
    if not (Role.TEACHER in r or Role.CLASS_TEACHER in r):
        return False
    if journal.year.status == AcademicYear.Status.CLOSED:
        return False
    return journal.teacher.user_id == request.user.pk


def get_journal_for_user(request, pk) -> tuple[Journal, bool]:
    try:
        journal = (
            journals_readable(request)
            .select_related("school", "year", "subject", "group__school_class", "teacher")
            .get(pk=pk)
        )
    except (Journal.DoesNotExist, ValueError):
        raise Http404 from None
    return journal, can_write_journal(request, journal)


def diary_students(request) -> QuerySet[Student]:
    """The students whose diary this user may read: a parent's own children, a student
    himself (DIA-3). Nobody else's."""
    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated:
        return Student.objects.none()
    r = roles(request)
    cond = Q(pk__in=[])
    if Role.PARENT in r:
        cond |= Q(guardian_links__guardian__user=request.user)
    if Role.STUDENT in r:
        cond |= Q(user=request.user)
    return Student.objects.filter(school=school).filter(cond).distinct()


def get_student_for_diary(request, pk) -> Student:
    try:
        return diary_students(request).get(pk=pk)
    except (Student.DoesNotExist, ValueError):
        raise Http404 from None


def get_class_for_attendance(request, pk) -> tuple[SchoolClass, bool]:
    """The class whose absences this user reviews (JRN-5): its class teacher writes the reasons
    (while the year is open), the administration reads, everybody else gets 404."""
    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated:
        raise Http404
    try:
        school_class = SchoolClass.objects.select_related("school", "year", "class_teacher").get(pk=pk, school=school)
    except (SchoolClass.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    r = roles(request)
    leads = (
        Role.CLASS_TEACHER in r
        and school_class.class_teacher is not None
        and school_class.class_teacher.user_id == request.user.pk
    )
    if not leads and not r & SCHOOL_WIDE_READ:
        raise Http404
    return school_class, leads and school_class.year.status != AcademicYear.Status.CLOSED
