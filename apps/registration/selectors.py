"""Reads of the access registers: the consent rules the diary applies, the rows of the staff
pages, the overdue reports. Each function answers in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.people.models import Enrolment, Guardian, GuardianLink, Staff, Student

from .deadlines import add_working_days, adulthood_cutoff, is_adult
from .models import AccessApplication, AccessCode, AccessSettings, Attempt, Consent

FAMILY_ROLES = {Role.PARENT, Role.STUDENT}


def access_settings(school) -> AccessSettings:
    """The school's deadlines (the defaults when it has not set its own)."""
    found = AccessSettings.objects.filter(school=school).first()
    return found or AccessSettings(school=school)


# ---------------------------------------------------------------------------------------------
# Consent: the rules apps.accounts.access applies to the diary (ACC-6, ACC-7)


def valid_consent_q(today: dt.date) -> Q:
    """A consent in force today: given, and not ended (the day it ends it no longer counts)."""
    return Q(given_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gt=today))


def minor_q(today: dt.date) -> Q:
    """Students under 18 today (an unknown birth date counts as under 18)."""
    return Q(birth_date__isnull=True) | Q(birth_date__gt=adulthood_cutoff(today))


def parent_may_read_q(user, today: dt.date) -> Q:
    """On Student: this user, as a guardian, has a consent in force for the child — and the child
    is under 18 or, being adult, has agreed in writing that the parents keep reading."""
    own_consent = Consent.objects.filter(valid_consent_q(today), student=OuterRef("pk"), guardian__user=user)
    adult_agrees = Consent.objects.filter(
        valid_consent_q(today), student=OuterRef("pk"), guardian__isnull=True, allows_guardians=True
    )
    return Q(Exists(own_consent)) & (minor_q(today) | Q(Exists(adult_agrees)))


def student_may_read_q(today: dt.date) -> Q:
    """On Student: a consent in force for this student — a guardian's while under 18, his own."""
    by_guardian = Consent.objects.filter(valid_consent_q(today), student=OuterRef("pk"), guardian__isnull=False)
    own = Consent.objects.filter(valid_consent_q(today), student=OuterRef("pk"), guardian__isnull=True)
    return Q(Exists(own)) | (Q(Exists(by_guardian)) & minor_q(today))


def consents_in_force(*, student_ids, today: dt.date) -> dict[int, list[Consent]]:
    result = defaultdict(list)
    for c in Consent.objects.filter(valid_consent_q(today), student_id__in=student_ids).select_related("guardian"):
        result[c.student_id].append(c)
    return result


@dataclass
class BlockedChild:
    student: Student
    as_parent: bool
    reason: str
    can_read: bool = False


def diary_access_explained(*, user, school, today: dt.date) -> list[BlockedChild]:
    """Every child this user is linked to in the school (as a guardian or the student himself) and
    whether the diary is open, and if not, why — for the page that explains an empty diary."""
    from django.utils.translation import gettext as _

    links = list(GuardianLink.objects.filter(school=school, guardian__user=user).select_related("student", "guardian"))
    own = list(Student.objects.filter(school=school, user=user))
    ids = {lk.student_id for lk in links} | {s.pk for s in own}
    consents = Consent.objects.filter(student_id__in=ids).order_by("-given_on", "-pk")
    by_student = defaultdict(list)
    for c in consents:
        by_student[c.student_id].append(c)
    left = {s.pk for s, _e in departed_students(school=school, today=today, student_ids=ids)}

    def in_force(c):
        return c.given_on <= today and (c.ended_on is None or c.ended_on > today)

    rows = []
    for lk in links:
        st = lk.student
        mine = [c for c in by_student[st.pk] if c.guardian_id == lk.guardian_id]
        adult = is_adult(st.birth_date, today)
        agrees = any(in_force(c) and c.guardian_id is None and c.allows_guardians for c in by_student[st.pk])
        if st.pk in left:
            reason, ok = _("Учащийся выбыл из школы: доступ к его дневнику прекращён."), False
        elif not any(in_force(c) for c in mine):
            ended = next((c for c in mine if c.ended_on and c.ended_on <= today), None)
            if ended:
                reason = _("Доступ прекращён %(date)s: %(why)s.") % {
                    "date": ended.ended_on.strftime("%d.%m.%Y"),
                    "why": ended.get_end_reason_display(),
                }
            else:
                reason = _(
                    "В школе не зарегистрировано ваше согласие на обработку персональных данных. "
                    "Передайте его классному руководителю: доступ откроется в день регистрации согласия."
                )
            ok = False
        elif adult and not agrees:
            reason, ok = (
                _(
                    "Учащемуся исполнилось 18 лет: родители видят его дневник только с его письменного "
                    "согласия, зарегистрированного в школе."
                ),
                False,
            )
        else:
            reason, ok = _("Дневник открыт."), True
        rows.append(BlockedChild(student=st, as_parent=True, reason=reason, can_read=ok))
    for st in own:
        mine = by_student[st.pk]
        has_own = any(in_force(c) and c.guardian_id is None for c in mine)
        has_guardian = any(in_force(c) and c.guardian_id is not None for c in mine)
        if st.pk in left:
            reason, ok = _("Вы выбыли из школы: доступ к дневнику прекращён."), False
        elif has_own or (has_guardian and not is_adult(st.birth_date, today)):
            reason, ok = _("Дневник открыт."), True
        elif is_adult(st.birth_date, today):
            reason, ok = (
                _("Вам исполнилось 18 лет: нужно ваше собственное согласие на обработку персональных данных."),
                False,
            )
        else:
            reason, ok = (
                _(
                    "В школе не зарегистрировано согласие родителя на обработку ваших персональных данных. "
                    "Попросите родителя передать его классному руководителю."
                ),
                False,
            )
        rows.append(BlockedChild(student=st, as_parent=False, reason=reason, can_read=ok))
    return rows


# ---------------------------------------------------------------------------------------------
# Who is in the school now


def current_enrolment_q(today: dt.date, prefix: str = "") -> Q:
    """An enrolment not yet over today (current, or starting later)."""
    return Q(**{f"{prefix}ends__isnull": True}) | Q(**{f"{prefix}ends__gte": today})


def students_of_classes(*, classes, today: dt.date) -> QuerySet[Student]:
    current = Enrolment.objects.filter(current_enrolment_q(today), student=OuterRef("pk"), school_class__in=classes)
    return Student.objects.filter(Exists(current))


def departed_students(*, school, today: dt.date, student_ids=None) -> list[tuple[Student, Enrolment]]:
    """Students who have left the school — transfer, graduation, expulsion — with their last stay:
    it is over (its last day is before today), no stay of theirs is current or ahead, and it ended
    before the end of its year, or in the 11th grade, or its year is closed. (A stay that ends with
    the year in a lower grade is a summer break before the next class, not a departure.)"""
    from apps.schools.models import AcademicYear

    ongoing = Enrolment.objects.filter(current_enrolment_q(today), student=OuterRef("student"))
    qs = (
        Enrolment.objects.filter(school=school, ends__lt=today)
        .filter(~Exists(ongoing))
        .filter(
            Q(ends__lt=F("school_class__year__ends"))
            | Q(school_class__grade=11)
            | Q(school_class__year__status=AcademicYear.Status.CLOSED)
        )
        .select_related("student", "school_class")
        .order_by("student_id", "-ends", "-pk")
    )
    if student_ids is not None:
        qs = qs.filter(student_id__in=student_ids)
    last: dict[int, Enrolment] = {}
    for e in qs:
        last.setdefault(e.student_id, e)
    # The student's very last stay must be the one that qualifies (not an earlier one).
    latest = {}
    for sid, ends in (
        Enrolment.objects.filter(student_id__in=last.keys())
        .order_by("student_id", "ends")
        .values_list("student_id", "ends")
    ):
        latest[sid] = ends
    return [(e.student, e) for sid, e in last.items() if latest.get(sid) == e.ends]


# ---------------------------------------------------------------------------------------------
# The staff pages


@dataclass
class PersonRow:
    person: object
    kind: str  # "student" | "guardian" | "staff"
    has_account: bool
    username: str = ""
    active_code: AccessCode | None = None
    consents: list = field(default_factory=list)
    guardians: list = field(default_factory=list)
    relation: str = ""
    roles: list = field(default_factory=list)
    overdue: bool = False


def _active_codes(*, school, now, **filters) -> dict[tuple[str, int], AccessCode]:
    found = {}
    qs = AccessCode.objects.filter(
        school=school, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now, **filters
    ).order_by("issued_at")
    for code in qs:
        for kind in ("staff", "guardian", "student"):
            pk = getattr(code, f"{kind}_id")
            if pk:
                found[(kind, pk)] = code
    return found


def class_people(*, school_class, today: dt.date, now: dt.datetime | None = None) -> list[PersonRow]:
    """The students of a class now, each with their guardians: who has an account, an unused code,
    a consent in force (the class teacher's page for codes and consents)."""
    now = now or timezone.now()
    students = list(
        students_of_classes(classes=[school_class], today=today)
        .select_related("user")
        .order_by("last_name", "first_name", "pk")
    )
    ids = [s.pk for s in students]
    links = list(
        GuardianLink.objects.filter(student_id__in=ids)
        .select_related("guardian__user")
        .order_by("guardian__last_name", "guardian__first_name", "pk")
    )
    consents = consents_in_force(student_ids=ids, today=today)
    codes = _active_codes(school=school_class.school, now=now)
    guardians_of = defaultdict(list)
    for lk in links:
        g = lk.guardian
        guardians_of[lk.student_id].append(
            PersonRow(
                person=g,
                kind="guardian",
                has_account=g.user_id is not None,
                username=g.user.username if g.user_id else "",
                active_code=codes.get(("guardian", g.pk)),
                consents=[c for c in consents[lk.student_id] if c.guardian_id == g.pk],
                relation=lk.get_relation_display(),
            )
        )
    return [
        PersonRow(
            person=s,
            kind="student",
            has_account=s.user_id is not None,
            username=s.user.username if s.user_id else "",
            active_code=codes.get(("student", s.pk)),
            consents=consents[s.pk],
            guardians=guardians_of[s.pk],
        )
        for s in students
    ]


def staff_people(*, school, today: dt.date, now: dt.datetime | None = None) -> list[PersonRow]:
    now = now or timezone.now()
    settings = access_settings(school)
    staff = list(Staff.objects.filter(school=school).select_related("user").order_by("last_name", "first_name", "pk"))
    roles = defaultdict(list)
    labels = dict(Role.choices)
    for user_id, role in (
        Membership.objects.filter(school=school).exclude(role__in=FAMILY_ROLES).values_list("user_id", "role")
    ):
        roles[user_id].append(str(labels.get(role, role)))
    codes = _active_codes(school=school, now=now, staff__isnull=False)
    rows = []
    for st in staff:
        overdue = (
            st.user_id is None
            and st.hired_on is not None
            and (today - st.hired_on).days > settings.staff_account_days
            and (st.left_on is None or st.left_on > today)
        )
        rows.append(
            PersonRow(
                person=st,
                kind="staff",
                has_account=st.user_id is not None,
                username=st.user.username if st.user_id else "",
                active_code=codes.get(("staff", st.pk)),
                roles=roles.get(st.user_id, []) if st.user_id else [],
                overdue=overdue,
            )
        )
    return rows


def current_class_of(students_ids, today: dt.date) -> dict[int, object]:
    result = {}
    for e in (
        Enrolment.objects.filter(current_enrolment_q(today), student_id__in=students_ids)
        .select_related("school_class")
        .order_by("starts")
    ):
        result.setdefault(e.student_id, e.school_class)
    return result


# ---------------------------------------------------------------------------------------------
# Applications


def application_overdue(application: AccessApplication, today: dt.date) -> bool:
    return application.status == AccessApplication.Status.NEW and today > application.due_on


def find_application(*, number, secret: str) -> AccessApplication | None:
    from .codes import digest

    try:
        number = int(str(number).strip())
    except (TypeError, ValueError):
        return None
    found = (
        AccessApplication.objects.filter(secret_hash=digest(secret, purpose="application"))
        .select_related("school", "school_class")
        .first()
    )
    return found if found is not None and found.number == number else None


# ---------------------------------------------------------------------------------------------
# The administrator's reports (ACC-5)


@dataclass
class OverdueReport:
    staff_without_account: list
    families_without_account: list  # (consent, person, due)
    staff_still_active: list  # (staff, roles)
    departed_still_active: list  # (person, student, enrolment, roles)
    settings: AccessSettings


def overdue_report(*, school, today: dt.date) -> OverdueReport:
    settings = access_settings(school)
    staff_without = [
        st
        for st in Staff.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gt=today),
            school=school,
            user__isnull=True,
            hired_on__lt=today - dt.timedelta(days=settings.staff_account_days),
        ).order_by("hired_on", "last_name")
    ]
    families = []
    for c in (
        Consent.objects.filter(valid_consent_q(today), school=school)
        .filter(
            Q(guardian__isnull=False, guardian__user__isnull=True)
            | Q(guardian__isnull=True, student__user__isnull=True)
        )
        .select_related("guardian", "student")
        .order_by("given_on", "number")
    ):
        due = add_working_days(c.given_on, settings.family_account_working_days)
        if today > due:
            families.append((c, c.guardian or c.student, due))
    staff_roles = defaultdict(list)
    labels = dict(Role.choices)
    for user_id, role in (
        Membership.objects.filter(school=school).exclude(role__in=FAMILY_ROLES).values_list("user_id", "role")
    ):
        staff_roles[user_id].append(str(labels.get(role, role)))
    staff_active = [
        (st, staff_roles[st.user_id])
        for st in Staff.objects.filter(
            school=school,
            user__isnull=False,
            left_on__lt=today - dt.timedelta(days=settings.staff_removal_days),
        )
        .select_related("user")
        .order_by("left_on", "last_name")
        if staff_roles.get(st.user_id)
    ]
    departed = [
        (s, e)
        for s, e in departed_students(school=school, today=today)
        if (today - e.ends).days > settings.staff_removal_days
    ]
    family_roles = defaultdict(set)
    ids = [s.pk for s, _e in departed]
    guardians = list(
        Guardian.objects.filter(links__student_id__in=ids, user__isnull=False)
        .annotate(child=F("links__student_id"))
        .select_related("user")
    )
    users = {s.user_id for s, _e in departed if s.user_id} | {g.user_id for g in guardians}
    for user_id, role in Membership.objects.filter(school=school, user_id__in=users, role__in=FAMILY_ROLES).values_list(
        "user_id", "role"
    ):
        family_roles[user_id].add(role)
    still_here = current_guardian_users(school=school, today=today, user_ids={g.user_id for g in guardians})
    departed_active = []
    for s, e in departed:
        if s.user_id and Role.STUDENT in family_roles[s.user_id]:
            departed_active.append((s, s, e, [str(labels[Role.STUDENT])]))
        for g in guardians:
            if g.child == s.pk and Role.PARENT in family_roles[g.user_id] and g.user_id not in still_here:
                departed_active.append((g, s, e, [str(labels[Role.PARENT])]))
    return OverdueReport(
        staff_without_account=staff_without,
        families_without_account=families,
        staff_still_active=staff_active,
        departed_still_active=departed_active,
        settings=settings,
    )


def current_guardian_users(*, school, today: dt.date, user_ids) -> set[int]:
    """Of these users, those who are still a guardian of a student at the school today."""
    current = Enrolment.objects.filter(current_enrolment_q(today), student=OuterRef("student"))
    return set(
        GuardianLink.objects.filter(school=school, guardian__user_id__in=user_ids)
        .filter(Exists(current))
        .values_list("guardian__user_id", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Rate limiting


def attempts_exceeded(*, kind: str, ip: str, limit: int, minutes: int) -> bool:
    since = timezone.now() - dt.timedelta(minutes=minutes)
    return Attempt.objects.filter(kind=kind, ip=ip, at__gte=since).count() >= limit
