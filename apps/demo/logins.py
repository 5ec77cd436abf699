"""The demo school: find it, list its logins, remove it."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Role, User
from apps.audit.models import ChainHead, Entry
from apps.journal.models import Attendance, Journal, Lesson, Mark, PeriodMark
from apps.people.models import Enrolment, GroupMembership, Guardian, GuardianLink, Staff, Student
from apps.schools.models import (
    AcademicYear,
    BellSlot,
    Group,
    Holiday,
    Municipality,
    Period,
    Region,
    School,
    SchoolClass,
    Subject,
    WorkType,
)

from .builder import DEMO_PASSWORD, LOGINS, MUNICIPALITY_NAME, REGION_NAME, SCHOOL_NAME


def demo_schools():
    return School.objects.filter(
        name=SCHOOL_NAME, municipality__name=MUNICIPALITY_NAME, municipality__region__name=REGION_NAME
    )


def _describe(user: User, role: str, school: School) -> str:
    staff = Staff.objects.filter(school=school, user=user).first()
    if role in ("journal_admin", "director", "deputy"):
        return f"{staff.short_name}, {staff.position}" if staff else user.display_name
    if role in ("teacher", "class_teacher") and staff is not None:
        classes = sorted(
            {(j.group.school_class.grade, j.group.school_class.letter) for j in _journals_of(staff)},
        )
        text = f"{staff.short_name}, {staff.position}"
        led = SchoolClass.objects.filter(class_teacher=staff).first()
        if role == "class_teacher" and led is not None:
            text += _(", классный руководитель %(cls)s") % {"cls": led}
        if classes:
            text += _("; ведёт уроки в %(classes)s") % {"classes": ", ".join(f"{g}{x}" for g, x in classes)}
        return text
    if role == "parent":
        guardian = Guardian.objects.filter(school=school, user=user).first()
        if guardian is None:
            return user.display_name
        kids = [
            f"{s.last_name} {s.first_name} ({_class_of(s)})"
            for s in guardian.children.order_by("birth_date").prefetch_related("enrolments__school_class")
        ]
        return _("%(name)s; дети: %(kids)s") % {"name": guardian.short_name, "kids": ", ".join(kids)}
    if role == "student":
        student = Student.objects.filter(school=school, user=user).prefetch_related("enrolments__school_class").first()
        if student is not None:
            return f"{student.short_name}, {_class_of(student)}"
    return user.display_name


def _journals_of(staff):
    return Journal.objects.filter(teacher=staff).select_related("group__school_class")


def _class_of(student) -> str:
    enrolments = [e for e in student.enrolments.all() if e.ends is None]
    return str(enrolments[0].school_class) if enrolments else "—"


def login_rows(school: School) -> list[tuple[str, str, str]]:
    """(role title, username, who) for each fixed demo login that exists in the school."""
    rows = []
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _r in LOGINS])}
    for username, role in LOGINS:
        user = users.get(username)
        if user is None or not Membership.objects.filter(user=user, school=school, role=role).exists():
            continue
        rows.append((capfirst(Role(role).label), username, _describe(user, role, school)))
    return rows


def print_logins(write) -> bool:
    """Print the demo logins with `write(line)`; False if there is no demo school."""
    school = demo_schools().first()
    if school is None:
        return False
    rows = login_rows(school)
    year = AcademicYear.objects.filter(school=school).first()
    write("")
    write(
        _("Демонстрационная школа: %(school)s, %(year)s учебный год.")
        % {"school": school.short_name, "year": year.name if year else "—"}
    )
    write(_("Пароль у всех демонстрационных пользователей: %(password)s") % {"password": DEMO_PASSWORD})
    write("")
    head = (_("Роль"), _("Логин"), _("Кто это"))
    w0 = max(len(r[0]) for r in [*rows, head])
    w1 = max(len(r[1]) for r in [*rows, head])
    write(f"  {head[0]:<{w0}}  {head[1]:<{w1}}  {head[2]}")
    for title, username, who in rows:
        write(f"  {title:<{w0}}  {username:<{w1}}  {who}")
    write("")
    return True


# Rows of a school, children before parents. Only the demo school's own rows are removed.
_SCHOOL_ROWS = [
    Entry,
    PeriodMark,
    Mark,
    Attendance,
    Lesson,
    Journal,
    GroupMembership,
    Enrolment,
    GuardianLink,
    Guardian,
    Student,
    Group,
    SchoolClass,
    Staff,
    Subject,
    WorkType,
    BellSlot,
    Holiday,
    Period,
    AcademicYear,
]


# Apps of the school year's administration (issue 3): their rows go first, children before parents.
_ADMINISTRATION_APPS = ("imports", "events", "movement", "plans", "timetable", "grading", "curriculum", "schoolyear")


def _administration_models() -> list:
    """The models of those apps with a `school` column, ordered so that a model another one
    points at comes after it (deleted later)."""
    from django.apps import apps

    models = [
        m
        for label in _ADMINISTRATION_APPS
        for m in apps.get_app_config(label).get_models()
        if any(f.name == "school" for f in m._meta.fields)
    ]
    ordered, remaining = [], list(models)
    while remaining:
        free = [
            m
            for m in remaining
            if not any(
                other is not m and any(f.is_relation and f.related_model is m for f in other._meta.fields)
                for other in remaining
            )
        ]
        if not free:  # a cycle: leave the rest in order, the database will say which
            free = remaining[:1]
        ordered.extend(free)
        remaining = [m for m in remaining if m not in free]
    return ordered


@transaction.atomic
def delete_demo() -> int:
    """Remove the demo school with its people and their accounts (those with no role in any
    other school). Returns how many schools were removed."""
    schools = list(demo_schools())
    for school in schools:
        user_ids = set(Membership.objects.filter(school=school).values_list("user_id", flat=True))
        keep = set(
            Membership.objects.filter(user_id__in=user_ids).exclude(school=school).values_list("user_id", flat=True)
        )
        ChainHead.objects.filter(school=school).delete()
        for model in [*_administration_models(), *_SCHOOL_ROWS]:
            model.objects.filter(school=school).delete()
        Membership.objects.filter(school=school).delete()
        school.delete()
        User.objects.filter(pk__in=user_ids - keep).delete()
    Municipality.objects.filter(name=MUNICIPALITY_NAME).annotate(n=Count("schools")).filter(n=0).delete()
    Region.objects.filter(name=REGION_NAME).annotate(n=Count("municipalities")).filter(Q(n=0)).delete()
    return len(schools)
