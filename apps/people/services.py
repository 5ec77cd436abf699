"""Writes about people: enrolment keeps the class's whole-class group in step."""

import datetime as dt

from django.db import transaction

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
