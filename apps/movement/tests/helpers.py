"""Small builders for the movement book's tests."""

import datetime as dt

from apps.people.models import GroupMembership
from apps.schools.models import AcademicYear, Group
from tests import factories as f


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


ORDER = {"order_number": "15-у", "order_date": dt.date(2026, 11, 18)}


def next_year(world, status=AcademicYear.Status.PLANNED):
    """2027/2028 with 6А, 6Б (promotion) and 5А (repeaters)."""
    year = f.YearFactory(
        school=world.school, name="2027/2028", starts=dt.date(2027, 9, 1), ends=dt.date(2028, 5, 31), status=status
    )
    return year, f.make_class(year, 6, "А"), f.make_class(year, 6, "Б"), f.make_class(year, 5, "А")


def subgroup(school_class, name="Английский язык, 1 группа", students=()):
    group = Group.objects.create(
        school=school_class.school,
        year=school_class.year,
        school_class=school_class,
        kind=Group.Kind.SUBGROUP,
        name=name,
    )
    for s in students:
        GroupMembership.objects.create(school=s.school, group=group, student=s, starts=school_class.year.starts)
    return group


def club(year, students=()):
    group = Group.objects.create(school=year.school, year=year, kind=Group.Kind.CLUB, name="Шахматный кружок", grade=5)
    for s in students:
        GroupMembership.objects.create(school=s.school, group=group, student=s, starts=year.starts)
    return group


def spans(student, group):
    return list(
        GroupMembership.objects.filter(student=student, group=group).order_by("starts").values_list("starts", "ends")
    )
