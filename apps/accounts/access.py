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

from django.db import router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from apps.journal.models import Journal, Lesson
from apps.ops import prepared
from apps.people.models import Staff, Student
from apps.registration.deadlines import school_today
from apps.registration.selectors import parent_may_read_q, student_may_read_q
from apps.rights import registry as rights
from apps.schools.models import AcademicYear, Group, School, SchoolClass, Subject

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
    return _journals_readable(school_id=school.pk, user_id=request.user.pk, **_journal_shape(request))


def _journal_shape(request) -> dict:
    """What decides which journals a user reads, besides who and where: rights and the day."""
    return {
        "today": school_today(request.school),
        "every": can(request, rights.JOURNALS_ALL),
        "own": can(request, rights.JOURNALS_OWN),
        "of_class": can(request, rights.JOURNALS_CLASS),
    }


def _journals_readable(*, school_id: int, user_id: int, today: dt.date, every: bool, own: bool, of_class: bool):
    qs = Journal.objects.filter(school_id=school_id)
    if every:
        return qs
    cond = Q(pk__in=[])
    if own:
        cond |= Q(teacher__user_id=user_id)
        # ORG-8: the journal of a lesson she substitutes, from the day before to the day after it.
        cond |= Q(pk__in=_substitute_lessons(school_id=school_id, user_id=user_id, today=today).values("journal_id"))
    if of_class:
        cond |= Q(group__school_class__class_teacher__user_id=user_id)
    return qs.filter(cond)


SUBSTITUTE_WINDOW_DAYS = 1  # ORG-8: from one day before the lesson to one day after it


def substitute_lessons(request) -> QuerySet[Lesson]:
    """The lessons this user gives as a substitute and may write now (ORG-8): a substitution names
    her, the lesson is not cancelled, today (in the school's zone) is from the day before the lesson
    to the day after it, and the year is open. Only those lessons — not the rest of their journals."""

    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated or not can(request, rights.JOURNALS_OWN):
        return Lesson.objects.none()
    return _substitute_lessons(school_id=school.pk, user_id=request.user.pk, today=school_today(school))


def _substitute_lessons(*, school_id: int, user_id: int, today: dt.date) -> QuerySet[Lesson]:
    from apps.timetable.models import Substitution

    window = dt.timedelta(days=SUBSTITUTE_WINDOW_DAYS)
    mine = Substitution.objects.filter(school_id=school_id, substitute__user_id=user_id, lesson=OuterRef("pk"))
    return (
        Lesson.objects.filter(school_id=school_id, date__gte=today - window, date__lte=today + window)
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


# The journal with what its pages show of it, as select_related("school", "year", "subject",
# "group__school_class", "teacher") would load it; one statement compiled once per day and
# combination of rights (apps.ops.prepared): every grid, save and lesson page asks it first.
_JOURNAL_PARTS = (
    ("", Journal),
    ("school__", School),
    ("year__", AcademicYear),
    ("subject__", Subject),
    ("group__", Group),
    ("group__school_class__", SchoolClass),
    ("teacher__", Staff),
)
_JOURNAL_FIELDS = tuple((prefix, model, prepared.attnames(model)) for prefix, model in _JOURNAL_PARTS)
_JOURNAL = prepared.Prepared(
    "journal-for-user",
    build=lambda journal_id, **kw: _journals_readable(**kw).filter(pk=journal_id),
    ids=("school_id", "user_id", "journal_id"),
    fields=tuple(prefix + name for prefix, _model, names in _JOURNAL_FIELDS for name in names),
)


def _journal_from_row(row, using: str) -> Journal:
    objects, at = {}, 0
    for prefix, model, names in _JOURNAL_FIELDS:
        values = row[at : at + len(names)]
        at += len(names)
        objects[prefix] = model.from_db(using, names, values) if values[0] is not None else None
    journal = objects[""]
    Journal.school.field.set_cached_value(journal, objects["school__"])
    Journal.year.field.set_cached_value(journal, objects["year__"])
    Journal.subject.field.set_cached_value(journal, objects["subject__"])
    Journal.group.field.set_cached_value(journal, objects["group__"])
    Journal.teacher.field.set_cached_value(journal, objects["teacher__"])
    Group.school_class.field.set_cached_value(objects["group__"], objects["group__school_class__"])
    return journal


def get_journal_for_user(request, pk) -> tuple[Journal, bool]:
    school = getattr(request, "school", None)
    try:
        journal_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if school is None or not request.user.is_authenticated or not 0 < journal_id < 2**63:
        raise Http404
    using = router.db_for_read(Journal)
    rows = _JOURNAL.rows(
        using, shape=_journal_shape(request), school_id=school.pk, user_id=request.user.pk, journal_id=journal_id
    )
    if not rows:
        raise Http404
    journal = _journal_from_row(rows[0], using)
    return journal, can_write_journal(request, journal)


def _diary_students(*, school_id: int, user_id: int, today: dt.date, children: bool, itself: bool):
    cond = Q(pk__in=[])
    # ACC-6, ACC-7: only with a personal-data consent in force (and, for a parent of an adult
    # student, the student's own consent); apps.registration.selectors states the rule.
    if children:
        cond |= Q(guardian_links__guardian__user_id=user_id) & parent_may_read_q(user_id, today)
    if itself:
        cond |= Q(user_id=user_id) & student_may_read_q(today)
    return Student.objects.filter(school_id=school_id).filter(cond).distinct()


def diary_students(request) -> QuerySet[Student]:
    """The students whose diary this user may read: a parent's own children, a student
    himself (DIA-3). Nobody else's."""
    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated:
        return Student.objects.none()
    return _diary_students(
        school_id=school.pk,
        user_id=request.user.pk,
        today=school_today(school),
        children=can(request, rights.DIARY_CHILDREN),
        itself=can(request, rights.DIARY_SELF),
    )


_STUDENT_FIELDS = prepared.attnames(Student)
_DIARY_STUDENTS = prepared.Prepared(
    "diary-students",
    build=lambda **kw: _diary_students(**kw).order_by("last_name", "first_name", "pk"),
    ids=("school_id", "user_id"),
    fields=_STUDENT_FIELDS,
)


def diary_students_list(request) -> list[Student]:
    """diary_students(request) as a list in the order of names, through SQL compiled once per
    day and combination of rights (apps.ops.prepared: the diary asks this on every page)."""
    school = getattr(request, "school", None)
    if school is None or not request.user.is_authenticated:
        return []
    children, itself = can(request, rights.DIARY_CHILDREN), can(request, rights.DIARY_SELF)
    if not children and not itself:
        return []
    using = router.db_for_read(Student)
    rows = _DIARY_STUDENTS.rows(
        using,
        shape={"today": school_today(school), "children": children, "itself": itself},
        school_id=school.pk,
        user_id=request.user.pk,
    )
    return prepared.instances(Student, _STUDENT_FIELDS, rows, using)


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


# --- Resetting the credentials of a login one school may not reset alone (issue 11;
# apps.accounts.credentials holds the rule): the journal administrators ask and approve for their
# school, the server's system administrator (a superuser) sees and decides every request.


def credential_requests(request):
    """Requests this user sees: every one for a superuser; for a journal administrator, those of
    his school and those about logins that hold a role in his school (his approval is asked)."""
    from .models import CredentialResetRequest, Membership

    if request.user.is_authenticated and request.user.is_superuser and request.user.is_active:
        return CredentialResetRequest.objects.all()
    if not administers_access(request) or not request.user.is_authenticated:
        return CredentialResetRequest.objects.none()
    school = request.school
    return CredentialResetRequest.objects.filter(
        Q(school=school) | Q(user__in=Membership.objects.filter(school=school).values("user_id"))
    )


def credential_reset_targets(request):
    """Logins a journal administrator may ask to reset: those with a role in his school or bound to
    one of its people (a member of staff, a parent, a student)."""
    from apps.people.models import Guardian

    from .models import Membership, User

    if not administers_access(request) or not request.user.is_authenticated:
        return User.objects.none()
    school = request.school
    linked = (
        Q(pk__in=Membership.objects.filter(school=school).values("user_id"))
        | Q(pk__in=Staff.objects.filter(school=school, user__isnull=False).values("user_id"))
        | Q(pk__in=Guardian.objects.filter(school=school, user__isnull=False).values("user_id"))
        | Q(pk__in=Student.objects.filter(school=school, user__isnull=False).values("user_id"))
    )
    return User.objects.filter(linked, is_superuser=False, is_staff=False)
