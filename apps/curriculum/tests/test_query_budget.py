"""Query budget of the workload, groups and staff pages (ORG-4, ORG-5, ORG-6): the same number of
SQL queries for a school of two classes and for one of eight with subgroups, cross-class and
one-student groups, more teachers and attestation records. On a mismatch every query is printed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.curriculum import services
from apps.people.services import class_group
from apps.schools.models import Group
from tests import factories as f

from .helpers import plan_line


def grow(world, first, n_classes):
    """More classes of grade 6 with students, the plan's journals, English-like subgroups, an
    elective, a home-schooling group, more teachers and their attestation."""
    if first == 0:
        plan_line(world.year, 6, world.math, 5)
        plan_line(world.year, 6, world.history, 2)
        plan_line(world.year, 6, world.russian, 3, divided=True)
    for i in range(first, first + n_classes):
        teacher = f.StaffFactory(school=world.school)
        services.attestation_save(staff=teacher, date=dt.date(2022, 1, 10 + i), category="first")
        cls = f.make_class(world.year, 6, "АБВГДЕЖЗ"[i], class_teacher=teacher)
        students = [f.enrol(f.StudentFactory(school=world.school), cls) for _ in range(4)]
        group = class_group(cls)
        services.workload_assign(group=group, subject=world.math, teacher=teacher, hours_per_week=5, author=world.admin)
        subgroups = services.subgroups_create(school_class=cls, subject=world.russian)
        services.subgroup_assign(
            school_class=cls,
            subject=world.russian,
            choices={s.pk: subgroups[k % 2].pk for k, s in enumerate(students)},
            on=dt.date(2026, 9, 1),
        )
        services.workload_assign(
            group=subgroups[0], subject=world.russian, teacher=teacher, hours_per_week=3, author=world.admin
        )
        home = services.group_create(year=world.year, kind=Group.Kind.HOME, student=students[0])
        services.group_subject_set(group=home, subject=world.math, hours_per_week="2")
        services.workload_assign(group=home, subject=world.math, teacher=teacher, hours_per_week=2, author=world.admin)
    elective = services.group_create(year=world.year, kind=Group.Kind.ELECTIVE, name=f"Факультатив {first}")
    services.group_subject_set(group=elective, subject=world.history, hours_per_week="1")


def count(client, url, expect):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert expect in response.content.decode()
    return ctx.captured_queries


def assert_same(label, small, big):
    if len(small) != len(big):
        for name, queries in (("small", small), ("big", big)):
            print(f"\n=== {label}, {name}: {len(queries)} queries ===")
            for q in queries:
                print(q["sql"])
    assert len(small) == len(big), f"{label}: {len(small)} queries for the small school, {len(big)} for the big one"


PAGES = [
    ("workload", lambda w: reverse("curriculum:workload"), "Часы каждого учителя"),
    ("workload edit", lambda w: reverse("curriculum:workload") + f"?class={w.class_5a.pk}", "Сохранить нагрузку"),
    ("print", lambda w: reverse("curriculum:workload_print"), "Всего по школе"),
    ("groups", lambda w: reverse("curriculum:groups"), "Подгруппы классов"),
    ("staff", lambda w: reverse("curriculum:staff"), "Записи об аттестации"),
    ("plan", lambda w: reverse("curriculum:plan"), "Всего часов в неделю"),
]


@pytest.mark.parametrize(("label", "url", "expect"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_do_not_grow_with_the_school(world, client_for, label, url, expect):
    """ORG-4, ORG-5, ORG-6: the page costs the same number of queries for 2 classes as for 8."""
    client = client_for(world.admin)
    grow(world, 0, 1)
    client.get(url(world))  # warm the session and the per-school caches
    small = count(client, url(world), expect)
    grow(world, 1, 7)
    big = count(client, url(world), expect)
    assert_same(label, small, big)
