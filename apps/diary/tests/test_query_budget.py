"""Query budget of the diary pages (DIA-1, DIA-2): the number of SQL queries does not grow with
the size of the class, the number of subjects or the weeks of data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.events.models import Event, ExamChoice
from apps.journal.models import Attendance, Lesson, Mark, PeriodMark
from apps.schools.models import Holiday
from tests import factories as f

from .helpers import d

pytestmark = pytest.mark.django_db

TODAY_MONDAY = d(11, 16)


def fill_weeks(world, journals, students, weeks):
    """Lessons on Monday, Wednesday and Friday of `weeks` weeks up to the current one, a mark for
    every student at every lesson, and an absence for every fifth student."""
    wt = world.work_types[1]
    lessons = [
        Lesson(
            school=world.school,
            journal=journal,
            date=TODAY_MONDAY - dt.timedelta(weeks=w) + dt.timedelta(days=day),
            number=n + 1,
            topic=f"Тема {w}-{day}",
            homework="Упражнение",
        )
        for w in range(weeks)
        for day in (0, 2, 4)
        for n, journal in enumerate(journals)
    ]
    lessons = Lesson.objects.bulk_create(lessons, ignore_conflicts=True)
    lessons = list(Lesson.objects.filter(journal__in=journals))
    marks, absences = [], []
    for lesson in lessons:
        for i, student in enumerate(students):
            if i % 5 == 4:
                absences.append(Attendance(school=world.school, lesson=lesson, student=student, author=world.alice))
            else:
                marks.append(
                    Mark(
                        school=world.school,
                        lesson=lesson,
                        student=student,
                        value=str(2 + i % 4),
                        work_type=wt,
                        weight=Decimal(wt.weight),
                        author=world.alice,
                    )
                )
    Mark.objects.bulk_create(marks, ignore_conflicts=True)
    Attendance.objects.bulk_create(absences, ignore_conflicts=True)


def add_events(world, n):
    """`n` events of the school and of each class in the current week, some of several days."""
    classes = [None, world.class_5a, world.class_5b]
    Event.objects.bulk_create(
        Event(
            school=world.school,
            year=world.year,
            school_class=classes[i % 3],
            date=TODAY_MONDAY + dt.timedelta(days=i % 7),
            ends=TODAY_MONDAY + dt.timedelta(days=6) if i % 4 == 0 else None,
            title=f"Событие {i}",
            created_by=world.deputy,
        )
        for i in range(n)
    )


def change_lessons(world, substitute):
    """Every lesson of this week given by a substitute, in another room, with a change note."""
    Lesson.objects.filter(date__gte=TODAY_MONDAY).update(taught_by=substitute, room="214", change_note="перенесён")


def add_exam_choices(world, subjects):
    ExamChoice.objects.bulk_create(
        ExamChoice(school=world.school, year=world.year, student=world.anna, exam="oge", subject=s,
                   created_by=world.deputy)
        for s in subjects
    )  # fmt: skip


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_same_queries(before, after, label):
    """Zulip-style: on a mismatch, print every query of both renderings."""
    (n_before, sql_before), (n_after, sql_after) = before, after
    if n_before != n_after:
        lines = [f"{label}: {n_before} queries with little data, {n_after} with more data."]
        lines += ["--- little data:"] + [f"{i + 1}. {sql}" for i, sql in enumerate(sql_before)]
        lines += ["--- more data:"] + [f"{i + 1}. {sql}" for i, sql in enumerate(sql_after)]
        pytest.fail("\n".join(lines))


def test_diary_pages_have_a_fixed_query_budget(world, client_for):
    """DIA-2, ORG-7, ORG-10, ORG-11: the week page, the marks page and the exams page use the same
    number of SQL queries for a class of 5 and of 30 students, for 1 subject and for 4, for 1 and
    for 10 weeks of data, for 2 events and for 60, with lessons changed and given by substitutes,
    for 1 exam choice and for 4."""
    client = client_for(world.pat)
    urls = {
        "неделя": reverse("diary:week", args=[world.anna.pk]),
        "прошлая неделя": reverse("diary:week", args=[world.anna.pk]) + "?date=2026-11-11",
        "отметки": reverse("diary:marks", args=[world.anna.pk]),
        "отметки 1 четверти": reverse("diary:marks", args=[world.anna.pk]) + f"?period={world.periods[0].pk}",
        "экзамены": reverse("diary:exams", args=[world.anna.pk]),
    }
    fill_weeks(world, [world.journal], world.students_5a, weeks=1)
    add_events(world, 2)
    change_lessons(world, world.bob_staff)
    add_exam_choices(world, [world.math])
    assert len(world.students_5a) == 5
    small = {label: count_queries(client, url) for label, url in urls.items()}
    assert Mark.objects.filter(student=world.anna).exists()

    # Grow everything: 30 students, four subjects, ten weeks, holidays and period marks.
    students = world.students_5a + [f.enrol(f.StudentFactory(school=world.school), world.class_5a) for _ in range(25)]
    journals = [world.journal] + [
        f.make_journal(world.class_5a, f.SubjectFactory(school=world.school, name=name), world.bob_staff)
        for name in ("Русский язык 5А", "Физика", "Биология")
    ]
    fill_weeks(world, journals, students, weeks=10)
    add_events(world, 60)
    change_lessons(world, world.carol_staff)
    add_exam_choices(world, [world.russian, world.history, journals[1].subject])
    Holiday.objects.create(school=world.school, year=world.year, name="Осенние", starts=d(10, 25), ends=d(11, 4))
    for journal in journals:
        for period in world.periods[:2]:
            PeriodMark.objects.create(
                school=world.school, journal=journal, period=period, student=world.anna, value="4", author=world.alice
            )
    assert Mark.objects.filter(student=world.anna).count() > 100

    for label, url in urls.items():
        assert_same_queries(small[label], count_queries(client, url), label)
