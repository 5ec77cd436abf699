"""Query budget of the calendar and the exam choices pages (ORG-10, ORG-11): the number of SQL
queries does not grow with the number of events, students or choices."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.diary.tests.test_query_budget import assert_same_queries, count_queries
from apps.events.models import Event, ExamChoice
from tests import factories as f

from .helpers import exam_classes

pytestmark = pytest.mark.django_db


def add_events(world, n):
    classes = [None, world.class_5a, world.class_5b]
    Event.objects.bulk_create(
        Event(school=world.school, year=world.year, school_class=classes[i % 3],
              date=dt.date(2026, 11, 1) + dt.timedelta(days=i % 30),
              ends=dt.date(2026, 11, 30) if i % 5 == 0 else None, title=f"Событие {i}", created_by=world.deputy)
        for i in range(n)
    )  # fmt: skip


def test_calendar_and_exam_pages_have_a_fixed_query_budget(world, client_for):
    """ORG-10, ORG-11: the month (for the deputy and for a class teacher) and a class's exam
    choices take as many queries with 2 events and 2 students as with 90 events and 30 students."""
    ex = exam_classes(world)
    urls = {
        "календарь (завуч)": (world.deputy, reverse("events:index")),
        "календарь (классный руководитель)": (world.carol, reverse("events:index")),
        "экзамены 9А": (world.deputy, reverse("events:exams") + f"?class={ex.class_9a.pk}"),
    }
    add_events(world, 2)
    ExamChoice.objects.create(school=world.school, year=world.year, student=ex.vera, exam="oge", subject=ex.math,
                              created_by=world.deputy)  # fmt: skip
    small = {label: count_queries(client_for(user), url) for label, (user, url) in urls.items()}

    add_events(world, 88)
    students = [f.enrol(f.StudentFactory(school=world.school), ex.class_9a) for _ in range(28)]
    ExamChoice.objects.bulk_create(
        ExamChoice(school=world.school, year=world.year, student=s, exam="oge", subject=subject,
                   created_by=world.deputy)
        for s in students for subject in (ex.math, ex.russian, ex.physics)
    )  # fmt: skip
    for label, (user, url) in urls.items():
        assert_same_queries(small[label], count_queries(client_for(user), url), label)
