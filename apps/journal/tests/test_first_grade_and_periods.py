"""JRN-6: a first grade's journal takes attendance and topics but refuses marks and homework;
ORG-2: a journal shows and accepts only the attestation periods of its grade."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from apps.journal import services
from apps.journal.models import Attendance, Lesson, Mark, PeriodMark
from apps.schools.models import Period
from tests import factories as f


@pytest.fixture
def first_grade(world):
    class_1a = f.make_class(world.year, 1, "А")
    journal = f.make_journal(class_1a, world.russian, world.alice_staff)
    pupils = [f.enrol(f.StudentFactory(school=world.school), class_1a) for _ in range(2)]
    lesson = f.make_lesson(journal, dt.date(2026, 11, 18))
    return journal, pupils, lesson


def save(client, journal, payload):
    return client.post(
        reverse("journal:save", args=[journal.pk]), data=json.dumps(payload), content_type="application/json"
    ).json()


def test_first_grade_refuses_marks_but_keeps_the_absence_of_the_same_save(world, client_for, first_grade):
    """JRN-6: in 1А the teacher's «5» is refused with the reason in Russian, while the absence typed
    in the same save is kept and the topic is written."""
    journal, (masha, petya), lesson = first_grade
    result = save(
        client_for(world.alice),
        journal,
        {
            "cells": [
                {"lesson": lesson.pk, "student": masha.pk, "value": "5"},
                {"lesson": lesson.pk, "student": petya.pk, "value": "н"},
            ],
            "lessons": [{"lesson": lesson.pk, "topic": "Звуки и буквы"}],
        },
    )
    by_student = {c["key"]["student"] if isinstance(c.get("key"), dict) else None: c for c in result["cells"]}
    errors = [c.get("error") for c in result["cells"] if c.get("error")]
    assert errors and "В 1 классе отметки не ставятся" in errors[0], by_student
    assert not Mark.objects.filter(lesson=lesson).exists()
    assert Attendance.objects.filter(lesson=lesson, student=petya, kind=Attendance.Kind.ABSENT).exists()
    assert Lesson.objects.get(pk=lesson.pk).topic == "Звуки и буквы"


def test_first_grade_refuses_homework_and_period_marks(world, first_grade):
    """JRN-6: no homework and no period marks in the first grade; «Без задания» is not needed but harmless."""
    journal, (masha, _petya), lesson = first_grade
    with pytest.raises(services.JournalError, match="домашние задания не задаются"):
        services.lesson_update(lesson=lesson, author=world.alice, homework="Прописи, с. 5")
    assert Lesson.objects.get(pk=lesson.pk).homework == ""
    with pytest.raises(services.JournalError, match="отметки не ставятся"):
        services.period_mark_set(
            journal=journal, period=world.periods[1], student_id=masha.pk, value="5", author=world.alice
        )
    assert not PeriodMark.objects.exists()


def test_second_grade_takes_marks_and_homework(world):
    """JRN-6 applies to the first grade only: 2А's journal takes a «4» and homework as usual."""
    class_2a = f.make_class(world.year, 2, "А")
    journal = f.make_journal(class_2a, world.russian, world.alice_staff)
    pupil = f.enrol(f.StudentFactory(school=world.school), class_2a)
    lesson = f.make_lesson(journal, dt.date(2026, 11, 18))
    result = services.journal_save(
        journal=journal, author=world.alice, cells=[{"lesson": lesson.pk, "student": pupil.pk, "value": "4"}]
    )
    assert result.ok
    services.lesson_update(lesson=lesson, author=world.alice, homework="Упр. 12")
    assert Mark.objects.get(lesson=lesson).value == "4"


def test_first_grade_grid_says_marks_are_not_given(world, client_for, first_grade):
    """JRN-6: the first grade's journal page tells the teacher it is kept without marks."""
    journal, _pupils, _lesson = first_grade
    html = client_for(world.alice).get(reverse("journal:grid", args=[journal.pk])).content.decode()
    assert "безотметочное обучение" in html


def test_journal_of_a_tenth_grade_shows_its_half_years_only(world, client_for):
    """ORG-2: with quarters for grades 1–9 and half-years for 10–11, a 10th grade's journal offers
    the half-years as its periods and refuses a quarter's period mark."""
    Period.objects.filter(year=world.year).update(grade_to=9)
    halves = [
        Period.objects.create(
            school=world.school,
            year=world.year,
            name=name,
            kind=Period.Kind.HALF,
            grade_from=10,
            grade_to=11,
            order=i + 1,
            starts=s,
            ends=e,
        )  # fmt: skip
        for i, (name, s, e) in enumerate(
            [
                ("1 полугодие", dt.date(2026, 9, 1), dt.date(2026, 12, 28)),
                ("2 полугодие", dt.date(2027, 1, 9), dt.date(2027, 5, 26)),
            ]  # fmt: skip
        )
    ]
    class_10 = f.make_class(world.year, 10, "А")
    journal = f.make_journal(class_10, world.history, world.alice_staff)
    pupil = f.enrol(f.StudentFactory(school=world.school), class_10)
    html = client_for(world.alice).get(reverse("journal:grid", args=[journal.pk])).content.decode()
    assert "1 полугодие" in html and "2 полугодие" in html
    assert "1 четверть" not in html
    with pytest.raises(services.JournalError, match="не относится к параллели"):
        services.period_mark_set(
            journal=journal,
            period=Period.objects.get(pk=world.periods[0].pk),
            student_id=pupil.pk,
            value="5",
            author=world.alice,
        )
    services.period_mark_set(journal=journal, period=halves[0], student_id=pupil.pk, value="5", author=world.alice)
    assert PeriodMark.objects.get(journal=journal).period == halves[0]
    # The fifth grade keeps its quarters.
    html = client_for(world.alice).get(reverse("journal:grid", args=[world.journal.pk])).content.decode()
    assert "2 четверть" in html and "полугодие" not in html
