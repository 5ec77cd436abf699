"""Writes about people: enrolment keeps the class's whole-class group in step."""

import datetime as dt

from django.db import transaction
from django.db.models import Q

from apps.diary.cache import school_changed
from apps.schools.models import Group, SchoolClass

from .models import Enrolment, GroupMembership, Student


def class_group(school_class: SchoolClass) -> Group:
    """The whole-class group of a class, created on first use."""
    group, _created = Group.objects.get_or_create(
        school_class=school_class,
        kind=Group.Kind.CLASS,
        defaults={"school_id": school_class.school_id, "year_id": school_class.year_id, "name": str(school_class)},
    )
    return group


@transaction.atomic
def student_enrol(*, student: Student, school_class: SchoolClass, starts: dt.date, order_number: str = "") -> Enrolment:
    """Enrol a student into a class from `starts`: the student joins the whole-class group."""
    enrolment = Enrolment.objects.create(
        school_id=student.school_id,
        student=student,
        school_class=school_class,
        starts=starts,
        order_number=order_number,
    )
    GroupMembership.objects.create(
        school_id=student.school_id, group=class_group(school_class), student=student, starts=starts
    )
    return enrolment


@transaction.atomic
def student_withdraw(*, student: Student, school_class: SchoolClass, ends: dt.date) -> None:
    """End a student's stay in a class (last day inclusive) and in every group of that class."""
    Enrolment.objects.filter(student=student, school_class=school_class, ends__isnull=True).update(ends=ends)
    GroupMembership.objects.filter(student=student, group__school_class=school_class, ends__isnull=True).update(
        ends=ends
    )
    school_changed(student.school_id)  # queryset updates send no signals (the cached pages)


# --- Leaving classes and groups: the movement book's moves (apps.movement.services) -------------


def _end_memberships(memberships, *, last_day: dt.date) -> None:
    """End each membership on `last_day`; one that would start after it never took effect and goes."""
    memberships.filter(starts__gt=last_day).delete()
    memberships.filter(Q(ends__isnull=True) | Q(ends__gt=last_day)).update(ends=last_day)


@transaction.atomic
def student_leave_class(*, student: Student, school_class: SchoolClass, last_day: dt.date) -> None:
    """The student's last day in the class is `last_day` (inclusive): his stay in it ends then,
    and so does his membership of every group of the class (the whole class, its subgroups, a
    home-schooling or individual-plan group of it). Stays and memberships planned after that day
    are removed. Groups across classes are not touched (a transfer keeps the student's clubs)."""
    stays = Enrolment.objects.filter(student=student, school_class=school_class)
    stays.filter(starts__gt=last_day).delete()
    stays.filter(Q(ends__isnull=True) | Q(ends__gt=last_day)).update(ends=last_day)
    _end_memberships(
        GroupMembership.objects.filter(student=student, group__school_class=school_class), last_day=last_day
    )
    school_changed(student.school_id)  # queryset updates send no signals (the cached pages)


@transaction.atomic
def student_leave_groups(*, student: Student, last_day: dt.date, year=None) -> None:
    """End the student's membership of every group (of `year` only, when given) on `last_day`."""
    memberships = GroupMembership.objects.filter(student=student)
    if year is not None:
        memberships = memberships.filter(group__year=year)
    _end_memberships(memberships, last_day=last_day)
    school_changed(student.school_id)  # queryset updates send no signals (the cached pages)
