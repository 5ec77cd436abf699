"""Shared set-ups of the timetable tests (the world of the root conftest.py, frozen at Friday
2026-11-20 12:00 in Moscow)."""

import datetime as dt

from apps.journal.models import Journal
from apps.people.models import GroupMembership
from apps.people.services import class_group
from apps.schools.models import Group
from apps.timetable import services
from tests import factories as f

MON, TUE, WED, THU, FRI = range(5)
YEAR_START = dt.date(2026, 9, 1)


def add_entry(world, journal, weekday, number, room="", valid_from=YEAR_START):
    entry, _result = services.entry_add(
        journal=journal, weekday=weekday, number=number, room=room, valid_from=valid_from, author=world.deputy
    )
    return entry


def journal_for(world, school_class, subject, teacher_staff):
    return Journal.objects.create(
        school=world.school,
        year=world.year,
        subject=subject,
        group=class_group(school_class),
        teacher=teacher_staff,
    )


def subgroup(world, school_class, name, students):
    group = Group.objects.create(
        school=world.school, year=world.year, school_class=school_class, kind=Group.Kind.SUBGROUP, name=name
    )
    for s in students:
        GroupMembership.objects.create(school=world.school, group=group, student=s, starts=YEAR_START)
    return group


def group_journal(world, group, subject, teacher_staff):
    return Journal.objects.create(
        school=world.school, year=world.year, subject=subject, group=group, teacher=teacher_staff
    )


def english(world):
    return f.SubjectFactory(school=world.school, name="Английский язык")
