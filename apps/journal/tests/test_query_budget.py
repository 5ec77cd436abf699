"""Query budget of the grid (issue #2): the same number of SQL queries for 5 and for 30
students, for 1 and for 10 weeks of lessons. On a mismatch every query is printed (Zulip)."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.journal.models import Attendance, Lesson, Mark, PeriodMark
from tests import factories as f

from .helpers import grid_url

Q3_START = dt.date(2027, 1, 12)  # Tuesday; the third quarter is ten weeks long


def add_weeks(world, first_week, weeks):
    """Two lessons a week, each with a mark or an absence for every student of the class."""
    lessons = []
    for week in range(first_week, first_week + weeks):
        monday = Q3_START + dt.timedelta(weeks=week)
        for day in (monday, monday + dt.timedelta(days=2)):
            lessons.append(
                Lesson(school=world.school, journal=world.journal, date=day, number=1, work_type=world.work_types[1])
            )
    Lesson.objects.bulk_create(lessons)
    fill(world, lessons, world.students_5a)


def fill(world, lessons, students):
    marks, absences = [], []
    for i, lesson in enumerate(lessons):
        for j, student in enumerate(students):
            if (i + j) % 7 == 0:
                absences.append(Attendance(school=world.school, lesson=lesson, student=student, author=world.alice))
            else:
                marks.append(
                    Mark(
                        school=world.school,
                        lesson=lesson,
                        student=student,
                        value=str(2 + (i + j) % 4),
                        work_type=world.work_types[(i + j) % 3],
                        weight=world.work_types[(i + j) % 3].weight,
                        author=world.alice,
                    )
                )
    Mark.objects.bulk_create(marks)
    Attendance.objects.bulk_create(absences)


def add_students(world, n):
    new = [f.enrol(f.StudentFactory(school=world.school), world.class_5a) for _ in range(n)]
    # One joins mid-quarter and one leaves: their cells before/after are disabled.
    f.enrol(f.StudentFactory(school=world.school), world.class_5a, starts=Q3_START + dt.timedelta(weeks=3))
    world.students_5a.extend(new)
    fill(world, list(Lesson.objects.filter(journal=world.journal)), new)
    period = world.periods[2]
    PeriodMark.objects.bulk_create(
        PeriodMark(school=world.school, journal=world.journal, period=period, student=s, value="4", author=world.alice)
        for s in world.students_5a
    )


def grid_queries(client, url, expect_in_page):
    # The rows here are written in bulk, behind the journal's services (which bump Journal.version
    # and so retire the cached grid): the cache is emptied to measure the grid as rendered.
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in expect_in_page:
        assert text in html
    return ctx.captured_queries


def assert_same_count(label, baseline, queries):
    if len(baseline) != len(queries):
        print(f"\n=== baseline: {len(baseline)} queries ===")
        for q in baseline:
            print(q["sql"])
        print(f"\n=== {label}: {len(queries)} queries ===")
        for q in queries:
            print(q["sql"])
        pytest.fail(f"the grid ran {len(queries)} queries for {label}, {len(baseline)} for the baseline")


@pytest.mark.parametrize("who", ["alice", "carol"])  # the writable grid and the read-only one
def test_grid_query_count_does_not_grow_with_students_or_weeks(world, client_for, who):
    """JRN-3, JRN-8: the grid of a quarter (with averages and period marks) costs the same number
    of queries for 5 students × 1 week as for 5 × 10 weeks and for 30 × 10 weeks."""
    with time_machine.travel(dt.datetime(2027, 3, 26, 12, 0, tzinfo=dt.UTC), tick=False):
        client = client_for(getattr(world, who))
        url = grid_url(world.journal, world.periods[2])
        add_weeks(world, 0, 1)
        small = grid_queries(client, url, ["12.01", "Аксёнова А."])

        add_weeks(world, 1, 9)
        more_weeks = grid_queries(client, url, ["12.01", "16.03"])
        assert_same_count("5 students × 10 weeks", small, more_weeks)

        add_students(world, 25)
        everything = grid_queries(client, url, ["16.03", ">31<"])
        assert_same_count("31 students × 10 weeks", small, everything)
    assert Mark.objects.count() > 400
