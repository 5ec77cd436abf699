"""«Отметки по предметам» (DIA-2, JRN-8 basic average, DIA-3)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.diary.selectors import marks_by_subject
from apps.journal.models import PeriodMark
from apps.people.services import student_enrol, student_withdraw
from apps.schools.models import Period
from tests import factories as f

from .helpers import add_absence, add_mark, d, page_text

pytestmark = pytest.mark.django_db


def marks_url(student, period=None):
    url = reverse("diary:marks", args=[student.pk])
    return f"{url}?period={period.pk}" if period else url


def q(world, n):
    return world.periods[n - 1]


def test_weighted_average_period_mark_and_absences_per_subject(world, client_for):
    """DIA-2, JRN-8: per subject, every mark of the period in date order, the weighted average
    (5 for a test weighing 2 and 3 for an answer weighing 1 → 4,33), the period mark and the
    number of absences; marks of another period and of other children do not count."""
    first = f.make_lesson(world.journal, d(11, 9), number=1)
    second = f.make_lesson(world.journal, d(11, 16), number=1)
    missed = f.make_lesson(world.journal, d(11, 18), number=1)
    add_mark(world, second, world.anna, "3", "Ответ на уроке")
    add_mark(world, first, world.anna, "5", "Контрольная работа", comment="молодец")
    add_mark(world, first, world.boris, "2", "Ответ на уроке")
    add_absence(world, missed, world.anna)
    add_mark(world, f.make_lesson(world.journal, d(10, 1), number=1), world.anna, "2")  # 1st quarter
    PeriodMark.objects.create(
        school=world.school,
        journal=world.journal,
        period=q(world, 2),
        student=world.anna,
        value="4",
        author=world.alice,
    )

    rows = marks_by_subject(student=world.anna, period=q(world, 2))
    assert [r.subject.name for r in rows] == ["Математика"]
    (math,) = rows
    assert [m.value for m in math.marks] == ["5", "3"]  # date order, not entry order
    assert math.average == Decimal("4.33")
    assert (math.period_mark, math.absences) == ("4", 1)

    response = client_for(world.pat).get(marks_url(world.anna))
    assert response.status_code == 200
    text = page_text(response)
    assert "Отметки по предметам: 2 четверть" in text
    assert "4,33" in text
    row = text[text.index("Математика") :]
    assert row.split()[:3] == ["Математика", "5", "09.11.2026,"]
    assert "09.11.2026, Контрольная работа: молодец" in row  # the mark's date and work type, readable
    assert "5 — Контрольная работа (вес 2)" in row  # the expandable list


def test_marks_are_explained_on_hover_focus_and_to_screen_readers(world, client_for):
    """DIA-2: each mark can be focused with the keyboard and carries its date and work type as
    text (a tooltip on hover or focus), plus an expandable list of all marks."""
    add_mark(world, f.make_lesson(world.journal, d(11, 16), number=1), world.anna, "4", "Диктант")

    body = client_for(world.pat).get(marks_url(world.anna)).content.decode()

    chip = '<li class="mark-chip" tabindex="0"><span class="mark mark-4">4</span>'
    assert chip + '<span class="tip">16.11.2026, Диктант</span>' in body
    assert "<details" in body and "<summary>Подробнее</summary>" in body


def test_period_tabs_and_default_period(world, client_for, frozen_now):
    """DIA-2: tabs for every period of the year; the default is the period containing today,
    and during holidays the period that has just ended."""
    add_mark(world, f.make_lesson(world.journal, d(10, 1), number=1), world.anna, "2")
    client = client_for(world.pat)

    body = client.get(marks_url(world.anna)).content.decode()
    for period in world.periods:
        assert f'href="?period={period.pk}"' in body
    assert f'href="?period={q(world, 2).pk}" aria-current="page"' in body

    q1 = page_text(client.get(marks_url(world.anna, q(world, 1))))
    assert "Отметки по предметам: 1 четверть" in q1 and "2,00" in q1

    frozen_now.move_to("2026-11-01 12:00+03:00")  # autumn holidays, between the quarters
    assert "Отметки по предметам: 1 четверть" in page_text(client.get(marks_url(world.anna)))


def test_transferred_student_has_both_classes_subjects_in_the_period(world, client_for):
    """DIA-2: a student moved from 5А to 5Б during the quarter sees the subjects of both
    classes for that quarter, each with its own marks."""
    add_mark(world, f.make_lesson(world.journal, d(11, 16), number=1), world.anna, "4")
    student_withdraw(student=world.anna, school_class=world.class_5a, ends=d(11, 17))
    student_enrol(student=world.anna, school_class=world.class_5b, starts=d(11, 18))
    add_mark(world, f.make_lesson(world.journal_5b, d(11, 19), number=2), world.anna, "5", "Диктант")

    rows = marks_by_subject(student=world.anna, period=q(world, 2))
    assert [(r.subject.name, [m.value for m in r.marks]) for r in rows] == [
        ("История", []),
        ("Математика", ["4"]),
        ("Русский язык", ["5"]),
    ]
    assert [r.subject.name for r in marks_by_subject(student=world.anna, period=q(world, 1))] == ["Математика"]


def test_foreign_or_bad_period_is_not_found(world, client_for):
    """DIA-3: a period of another school, or garbage, is 404 and shows nothing."""
    other_school = f.SchoolFactory()
    other_year = f.YearFactory(school=other_school)
    other = Period.objects.create(
        school=other_school, year=other_year, name="Чужая", order=1, starts=d(9, 1), ends=d(12, 31)
    )
    client = client_for(world.pat)
    assert client.get(marks_url(world.anna, other)).status_code == 404
    assert client.get(reverse("diary:marks", args=[world.anna.pk]) + "?period=abc").status_code == 404
