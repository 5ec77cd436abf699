"""Who may see and change what — the one place per object type (fails closed: 404).

Every view asks here; nothing else filters by user. The school is the tenant: each helper
filters by `request.school` first, so a user with roles in two schools never mixes them.

What a role may do is not written here but in apps.rights.registry (ACC-1, ACC-2): functions
with default grants per role, which the school's journal administrator switches on and off.
`functions(request)` computes the user's functions once per request, from request.roles and the
school's overrides (read together with the memberships by CurrentSchoolMiddleware: no query).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from apps.journal.models import Journal, Lesson
from apps.people.models import Student
from apps.registration.deadlines import school_today
from apps.registration.selectors import parent_may_read_q, student_may_read_q
from apps.rights import registry as rights
from apps.schools.models import AcademicYear, SchoolClass

from .models import STAFF_ROLES


def roles(request) -> set[str]:
    return getattr(request, "roles", set())


def is_staff(request) -> bool:
    """May reach the staff pages at all (what they show is decided by the functions)."""
    return bool(roles(request) & STAFF_ROLES)


def school_overrides(school) -> dict:
    """The school's switches {role: {function: bool}}; {} when it kept every default."""
    if school is None:
        return {}
    try:
        return school.role_rights.overrides or {}
    except school.__class__.role_rights.RelatedObjectDoesNotExist:
        return {}


def functions(request) -> frozenset[str]:
    """The functions of apps.rights.registry this user has in the current school (cached on the request)."""
    school = getattr(request, "school", None)
    key = (getattr(school, "pk", None), frozenset(roles(request)))
    cached = getattr(request, "_rights_functions", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    granted = rights.granted(key[1], school_overrides(school)) if school is not None else frozenset()
    request._rights_functions = (key, granted)
    return granted


def can(request, function: str) -> bool:
    """Has this user the function (apps.rights.registry code) in the current school?"""
    if function not in rights.FUNCTIONS:
        raise ValueError(f"unknown function: {function}")
    return function in functions(request)


def reads_all_journals(request) -> bool:
    return can(request, rights.JOURNALS_ALL)


def reads_journals(request) -> bool:
    """Has any way into the journals (all of them, her class's, or her own)."""
    return bool(functions(request) & {rights.JOURNALS_ALL, rights.JOURNALS_CLASS, rights.JOURNALS_OWN})


def journals_readable(request) -> QuerySet[Journal]:
    """Journals this user may open: all of the school for the administration; her own for a
    teacher; every subject of her class for a class teacher (JRN-11)."""
    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated:
        return Journal.objects.none()
    qs = Journal.objects.filter(school=school)
    if can(request, rights.JOURNALS_ALL):
        return qs
    cond = Q(pk__in=[])
    if can(request, rights.JOURNALS_OWN):
        cond |= Q(teacher__user=request.user)
        # ORG-8: the journal of a lesson she substitutes, from the day before to the day after it.
        cond |= Q(pk__in=substitute_lessons(request).values("journal_id"))
    if can(request, rights.JOURNALS_CLASS):
        cond |= Q(group__school_class__class_teacher__user=request.user)
    return qs.filter(cond)


SUBSTITUTE_WINDOW_DAYS = 1  # ORG-8: from one day before the lesson to one day after it


def substitute_lessons(request) -> QuerySet[Lesson]:
    """The lessons this user gives as a substitute and may write now (ORG-8): a substitution names
    her, the lesson is not cancelled, today (in the school's zone) is from the day before the lesson
    to the day after it, and the year is open. Only those lessons — not the rest of their journals."""
    from apps.timetable.models import Substitution

    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated or not can(request, rights.JOURNALS_OWN):
        return Lesson.objects.none()
    today = school_today(school)
    window = dt.timedelta(days=SUBSTITUTE_WINDOW_DAYS)
    mine = Substitution.objects.filter(school=school, substitute__user=request.user, lesson=OuterRef("pk"))
    return (
        Lesson.objects.filter(school=school, date__gte=today - window, date__lte=today + window)
        .exclude(status=Lesson.Status.CANCELLED)
        .exclude(journal__year__status=AcademicYear.Status.CLOSED)
        .filter(Exists(mine))
    )


def substitute_lesson_ids(request, journal: Journal) -> frozenset[int]:
    """The lessons of `journal` this user may write as a substitute now (cached on the request)."""
    cache = request.__dict__.setdefault("_substitute_lessons", {})
    if journal.pk not in cache:
        cache[journal.pk] = frozenset(
            substitute_lessons(request).filter(journal_id=journal.pk).values_list("pk", flat=True)
        )
    return cache[journal.pk]


def can_write_lesson(request, journal: Journal, lesson) -> bool:
    """May this user write this lesson (marks, attendance, topic, homework)? The journal's teacher
    any lesson; a substitute only the lesson she substitutes, within its window (ORG-8)."""
    return can_write_journal(request, journal) or lesson.pk in substitute_lesson_ids(request, journal)


def can_write_journal(request, journal: Journal) -> bool:
    """Only the teacher of the journal writes it, and only while its year is open.
    Students never write (JRN-10): they hold no teacher role, so no «вести свой журнал»."""
    if not can(request, rights.JOURNALS_OWN):
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
    cond = Q(pk__in=[])
    # ACC-6, ACC-7: only with a personal-data consent in force (and, for a parent of an adult
    # student, the student's own consent); apps.registration.selectors states the rule.
    today = school_today(school)
    if can(request, rights.DIARY_CHILDREN):
        cond |= Q(guardian_links__guardian__user=request.user) & parent_may_read_q(request.user, today)
    if can(request, rights.DIARY_SELF):
        cond |= Q(user=request.user) & student_may_read_q(today)
    return Student.objects.filter(school=school).filter(cond).distinct()


def get_student_for_diary(request, pk) -> Student:
    try:
        return diary_students(request).get(pk=pk)
    except (Student.DoesNotExist, ValueError):
        raise Http404 from None


def get_class_for_attendance(request, pk) -> tuple[SchoolClass, bool]:
    """The class whose absences this user reviews (JRN-5): its class teacher writes the reasons
    (while the year is open; «отмечать причины пропусков своего класса»), whoever may «видеть
    посещаемость всех классов» reads (the administration; the nurse and the social pedagogue by
    default), everybody else gets 404."""
    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated:
        raise Http404
    try:
        school_class = SchoolClass.objects.select_related("school", "year", "class_teacher").get(pk=pk, school=school)
    except (SchoolClass.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    leads = (
        can(request, rights.ATTENDANCE_REASONS)
        and school_class.class_teacher is not None
        and school_class.class_teacher.user_id == request.user.pk
    )
    if not leads and not can(request, rights.ATTENDANCE_ALL):
        raise Http404
    return school_class, leads and school_class.year.status != AcademicYear.Status.CLOSED


def classes_listed(request) -> QuerySet[SchoolClass]:
    """The classes of the school whose lists (and, with the function, attendance) this user may
    open from the classes page: all of them with «видеть списки учащихся классов» or «видеть
    посещаемость всех классов»; none otherwise."""
    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated:
        return SchoolClass.objects.none()
    if not functions(request) & {rights.CLASS_LISTS, rights.ATTENDANCE_ALL}:
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(school=school)


# --- Getting access (ACC-3…ACC-9): the journal administrator for the whole school, the class
# teacher for the students of her classes and their parents. Everybody else: nothing (404).


def manages_access(request) -> bool:
    from .models import Role

    return getattr(request, "school", None) is not None and bool(
        roles(request) & {Role.JOURNAL_ADMIN, Role.CLASS_TEACHER}
    )


def administers_access(request) -> bool:
    from .models import Role

    return getattr(request, "school", None) is not None and Role.JOURNAL_ADMIN in roles(request)


def access_classes(request) -> QuerySet[SchoolClass]:
    """Classes whose families this user gives access to: every class for the journal
    administrator, her own classes for a class teacher."""
    if not manages_access(request) or not request.user.is_authenticated:
        return SchoolClass.objects.none()
    qs = SchoolClass.objects.filter(school=request.school)
    if administers_access(request):
        return qs
    return qs.filter(class_teacher__user=request.user)


def get_class_for_access(request, pk) -> SchoolClass:
    try:
        return access_classes(request).select_related("school", "year", "class_teacher").get(pk=pk)
    except (SchoolClass.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_students(request) -> QuerySet[Student]:
    """Students this user issues codes and records consents for: the whole school for the journal
    administrator; for a class teacher, those in her classes now (or arriving)."""
    from apps.registration.selectors import students_of_classes

    if not manages_access(request):
        return Student.objects.none()
    if administers_access(request):
        return Student.objects.filter(school=request.school)
    classes = access_classes(request)
    return students_of_classes(classes=classes, today=school_today(request.school)).filter(school=request.school)


def access_guardians(request):
    from apps.people.models import Guardian

    if not manages_access(request):
        return Guardian.objects.none()
    return Guardian.objects.filter(school=request.school, links__student__in=access_students(request)).distinct()


def access_staff(request):
    """Staff get their codes from the journal administrator only (ACC-3)."""
    from apps.people.models import Staff

    if not administers_access(request):
        return Staff.objects.none()
    return Staff.objects.filter(school=request.school)


def access_codes(request):
    """Codes in this user's register: all of the school for the administrator; for a class
    teacher, those of her classes and those she issued."""
    from apps.registration.models import AccessCode

    if not manages_access(request):
        return AccessCode.objects.none()
    qs = AccessCode.objects.filter(school=request.school)
    if administers_access(request):
        return qs
    return qs.filter(Q(school_class__in=access_classes(request)) | Q(issued_by=request.user))


def access_consents(request):
    from apps.registration.models import Consent

    if not manages_access(request):
        return Consent.objects.none()
    qs = Consent.objects.filter(school=request.school)
    if administers_access(request):
        return qs
    return qs.filter(student__in=access_students(request))


def access_applications(request):
    """Applications this user decides: all for the administrator, her classes' for a class teacher."""
    from apps.registration.models import AccessApplication

    if not manages_access(request):
        return AccessApplication.objects.none()
    qs = AccessApplication.objects.filter(school=request.school)
    if administers_access(request):
        return qs
    return qs.filter(school_class__in=access_classes(request))
