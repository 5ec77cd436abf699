"""Query budget of the timetable pages (ORG-7, ORG-8): the same number of SQL queries for a class
with two lessons a week and for a full week of many journals, subgroups and lessons of the day; and
for the substitution page of a teacher with one lesson and with six. On a mismatch every query is
printed (Zulip)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.journal import services as js
from apps.timetable import services
from tests import factories as f

from .helpers import YEAR_START, add_entry, group_journal, journal_for, subgroup

DAY = dt.date(2026, 11, 20)


def count(client, url, params) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_same(small, large):
    if small[0] != large[0]:
        print("\n--- small ---\n" + "\n".join(small[1]))
        print("\n--- large ---\n" + "\n".join(large[1]))
    assert small[0] == large[0], f"{small[0]} queries for the small page, {large[0]} for the large one"


def grow(world):
    """5А gets nine more journals (two of them subgroups), a full week of entries, today's lessons
    with a substitute and a moved lesson; 5Б a week too; more classes to choose from."""
    teachers = [f.StaffFactory(school=world.school) for _ in range(10)]
    subjects = [f.SubjectFactory(school=world.school) for _ in range(8)]
    journals = [journal_for(world, world.class_5a, s, t) for s, t in zip(subjects[:7], teachers, strict=False)]
    g1 = subgroup(world, world.class_5a, "1 группа", world.students_5a[:2])
    g2 = subgroup(world, world.class_5a, "2 группа", world.students_5a[2:])
    journals += [group_journal(world, g1, subjects[7], teachers[7]), group_journal(world, g2, subjects[7], teachers[8])]
    slot = 0
    for j in journals[:7]:
        for _ in range(3):
            add_entry(world, j, slot % 5, 2 + slot // 5, room=str(100 + slot))
            slot += 1
    add_entry(world, journals[7], 4, 7, room="301")
    add_entry(world, journals[8], 4, 7, room="302")
    for n, j in enumerate(journals[:5], start=2):
        js.lesson_create(journal=j, date=DAY, number=n, author=world.deputy, room="1", source="timetable")
    lesson = js.lesson_create(journal=journals[5], date=DAY, number=7, author=world.deputy)
    services.substitution_record(lesson=lesson, substitute=teachers[9], reason="", author=world.deputy)
    for grade in (6, 7, 8):
        f.make_class(world.year, grade, "А")


@pytest.mark.django_db
def test_the_timetable_page_does_not_grow_with_the_timetable(world, client_for):
    """ORG-7: the page of 5А costs as many queries with two entries as with a full week."""
    add_entry(world, world.journal, 0, 1, room="101", valid_from=YEAR_START)
    add_entry(world, world.journal, 2, 1, room="101", valid_from=YEAR_START)
    deputy = client_for(world.deputy)
    url = reverse("timetable:index")
    params = {"class": world.class_5a.pk, "day": DAY.isoformat()}
    small = count(deputy, url, params)
    grow(world)
    large = count(deputy, url, params)
    assert_same(small, large)
    assert small[0] <= 20


@pytest.mark.django_db
def test_the_substitution_page_does_not_grow_with_the_lessons(world, client_for):
    """ORG-8: the page of a teacher's day costs as many queries for one lesson as for six, with the
    week's substitutions listed."""
    js.lesson_create(journal=world.journal, date=DAY, number=1, author=world.alice)
    deputy = client_for(world.deputy)
    url = reverse("timetable:substitutions")
    params = {"date": DAY.isoformat(), "teacher": world.alice_staff.pk}
    small = count(deputy, url, params)
    other = journal_for(world, world.class_5b, world.math, world.alice_staff)
    for n in range(2, 7):
        lesson = js.lesson_create(journal=other if n % 2 else world.journal, date=DAY, number=n, author=world.alice)
        if n in (3, 4):
            services.substitution_record(lesson=lesson, substitute=world.carol_staff if n == 3 else None, reason="",
                                         author=world.deputy)  # fmt: skip
    large = count(deputy, url, params)
    assert_same(small, large)
