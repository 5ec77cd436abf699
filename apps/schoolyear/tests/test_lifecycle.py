"""The academic year's lifecycle (ORG-2, ORG-3): planned → active → closed; the next year created
from this one with its structure copied for review; a closed year's journals are read-only."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts.models import Role
from apps.journal.models import Mark
from apps.schools.models import AcademicYear, Group, Holiday, Period, SchoolClass
from apps.schoolyear import selectors, services
from apps.schoolyear.models import YearSettings
from tests import factories as f

D = dt.date
Status = AcademicYear.Status


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


@pytest.fixture
def school_with_grades(world):
    """The world's school with a first grade (two classes), an 11th and a class teacher who left."""
    left = f.StaffFactory(school=world.school, last_name="Ушедшая", left_on=D(2027, 6, 30))
    f.make_class(world.year, 1, "А", class_teacher=world.bob_staff)
    f.make_class(world.year, 1, "Б")
    f.make_class(world.year, 11, "А", class_teacher=world.alice_staff)
    f.make_class(world.year, 9, "В", class_teacher=left)
    Holiday.objects.create(
        school=world.school, year=world.year, name="Осенние каникулы", starts=D(2026, 10, 26), ends=D(2026, 11, 3)
    )
    YearSettings.objects.create(school=world.school, year=world.year, week=YearSettings.Week.SIX)
    return world


def test_next_year_copies_the_structure_for_review(school_with_grades):
    """ORG-2, ORG-3: the next year is planned for 1 September – 31 August; classes move up a grade
    with their class teachers (one who has left is not carried), the 11th grade leaves, new first
    grades take this year's first-grade letters; periods and holidays are moved a year on; every
    class has its whole-class group; the six-day week carries over."""
    world = school_with_grades
    new = services.year_create_next(year=world.year, author=world.admin)
    assert (new.name, new.starts, new.ends, new.status) == ("2027/2028", D(2027, 9, 1), D(2028, 8, 31), Status.PLANNED)
    classes = {str(c): c.class_teacher for c in SchoolClass.objects.filter(year=new)}
    assert classes == {
        "1А": None,
        "1Б": None,
        "2А": world.bob_staff,
        "2Б": None,
        "6А": world.carol_staff,
        "6Б": world.bob_staff,
        "10В": None,
    }
    assert Group.objects.filter(year=new, kind=Group.Kind.CLASS).count() == 7
    periods = list(Period.objects.filter(year=new).order_by("order").values_list("name", "starts", "ends"))
    assert periods == [
        ("1 четверть", D(2027, 9, 1), D(2027, 10, 24)),
        ("2 четверть", D(2027, 11, 5), D(2027, 12, 27)),
        ("3 четверть", D(2028, 1, 12), D(2028, 3, 21)),
        ("4 четверть", D(2028, 4, 1), D(2028, 5, 31)),
    ]
    assert list(new.holidays.values_list("name", "starts", "ends")) == [
        ("Осенние каникулы", D(2027, 10, 26), D(2027, 11, 3))
    ]
    assert selectors.school_week(year=new) == 6
    # The old year is untouched.
    assert SchoolClass.objects.filter(year=world.year).count() == 6
    assert AcademicYear.objects.get(pk=world.year.pk).status == Status.ACTIVE


def test_next_year_copies_the_curriculum(world):
    """ORG-2, ORG-5: the curriculum (hours per grade and subject) is copied into the next year."""
    from apps.curriculum.models import CurriculumLine

    CurriculumLine.objects.create(school=world.school, year=world.year, grade=5, subject=world.math, hours_per_week=5)
    new = services.year_create_next(year=world.year, author=world.admin)
    assert list(CurriculumLine.objects.filter(year=new).values_list("grade", "subject", "hours_per_week")) == [
        (5, world.math.pk, 5)
    ]


def test_next_year_is_created_once_and_after_the_old_one(world):
    """ORG-2: a second «next year» of the same name is refused, and so is a year starting before
    the old one ends — with a message, nothing created."""
    with pytest.raises(ValidationError) as exc:
        services.year_create_next(year=world.year, author=world.admin, starts=D(2027, 5, 1), ends=D(2028, 5, 31))
    assert "должен начинаться после окончания 2026/2027 (31.05.2027)" in messages_of(exc)
    services.year_create_next(year=world.year, author=world.admin)
    with pytest.raises(ValidationError) as exc:
        services.year_create_next(year=world.year, author=world.admin)
    assert messages_of(exc) == "Учебный год 2027/2028 уже создан."
    assert AcademicYear.objects.filter(school=world.school).count() == 2


def test_one_active_year_at_a_time(world):
    """ORG-2: a planned year becomes current only once the current one is closed."""
    new = services.year_create_next(year=world.year, author=world.admin)
    with pytest.raises(ValidationError) as exc:
        services.year_activate(year=new, author=world.admin)
    assert "Текущий учебный год уже есть — 2026/2027. Сначала закройте его" in messages_of(exc)
    services.year_close(year=world.year, author=world.admin, confirm=True)
    services.year_activate(year=new, author=world.admin)
    statuses = dict(AcademicYear.objects.filter(school=world.school).values_list("name", "status"))
    assert statuses == {"2026/2027": Status.CLOSED, "2027/2028": Status.ACTIVE}
    with pytest.raises(ValidationError):
        services.year_activate(year=new, author=world.admin)


def test_activation_needs_right_periods(world):
    """ORG-2: a year whose periods leave a grade out is not made current; the message says which."""
    services.year_close(year=world.year, author=world.admin, confirm=True)
    new = services.year_create_next(year=world.year, author=world.admin)
    Period.objects.filter(year=new).update(grade_to=9)
    with pytest.raises(ValidationError) as exc:
        services.year_activate(year=new, author=world.admin)
    assert "Для 10-х классов не задано ни одного периода." in messages_of(exc)
    assert AcademicYear.objects.get(pk=new.pk).status == Status.PLANNED


def test_closing_before_the_end_needs_confirmation(world):
    """ORG-2: closing the year before its last day (31 May) asks for confirmation; after it, not."""
    with pytest.raises(ValidationError) as exc:
        services.year_close(year=world.year, author=world.admin)
    assert exc.value.error_list[0].code == "confirm"
    assert "ещё не окончен (последний день — 31.05.2027)" in messages_of(exc)
    assert AcademicYear.objects.get(pk=world.year.pk).status == Status.ACTIVE
    with time_machine.travel(dt.datetime(2027, 6, 2, 12, tzinfo=dt.UTC)):
        services.year_close(year=world.year, author=world.admin)
    assert AcademicYear.objects.get(pk=world.year.pk).status == Status.CLOSED


def test_a_closed_years_journal_refuses_the_teachers_save(world, client_for):
    """ORG-2: once the year is closed, its journals are read-only — the teacher's save is refused
    and no mark is written; before closing the same save goes through."""
    lesson = f.make_lesson(world.journal, D(2026, 11, 18))
    client = client_for(world.alice)
    url = reverse("journal:save", args=[world.journal.pk])

    def save(value):
        body = {"cells": [{"lesson": lesson.pk, "student": world.anna.pk, "value": value}]}
        return client.post(url, data=json.dumps(body), content_type="application/json")

    assert save("4").status_code == 200
    admin = client_for(world.admin)
    response = admin.post(reverse("schoolyear:year_close", args=[world.year.pk]), {"confirm": "1"})
    assert response.status_code == 302
    assert save("5").status_code == 403
    assert list(Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == ["4"]
    page = client.get(reverse("journal:grid", args=[world.journal.pk]))
    assert page.status_code == 200


def test_a_closed_year_is_read_only_here_too(world):
    """ORG-2: a closed year's holidays, classes and periods are not changed."""
    services.year_close(year=world.year, author=world.admin, confirm=True)
    with pytest.raises(ValidationError) as exc:
        services.holiday_save(
            year=world.year, name="Дополнительные", starts=D(2027, 2, 1), ends=D(2027, 2, 7), author=world.admin
        )
    assert messages_of(exc) == "Учебный год 2026/2027 закрыт: его данные только для чтения."
    with pytest.raises(ValidationError):
        services.class_save(year=world.year, grade=6, letter="А", class_teacher=None, author=world.admin)
    with pytest.raises(ValidationError):
        services.period_scheme_set(year=world.year, grade_from=10, grade_to=11, kind="half", author=world.admin)


def test_year_dates_must_hold_its_periods(world):
    """ORG-2: the year's dates cannot be moved so that a period falls outside them."""
    with pytest.raises(ValidationError) as exc:
        services.year_update(
            year=world.year, name="2026/2027", starts=D(2026, 9, 1), ends=D(2027, 5, 20), week=5, author=world.admin
        )
    assert "«4 четверть» (1–11 кл.)" in messages_of(exc)
    services.year_update(
        year=world.year, name="2026/2027", starts=D(2026, 9, 1), ends=D(2027, 8, 31), week=6, author=world.admin
    )
    world.year.refresh_from_db()
    assert world.year.ends == D(2027, 8, 31)
    assert selectors.school_week(year=world.year) == 6


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), []),
        (dt.datetime(2027, 6, 15, 12, tzinfo=dt.UTC), [False]),
        (dt.datetime(2027, 7, 1, 12, tzinfo=dt.UTC), [True]),
        (dt.datetime(2027, 8, 31, 12, tzinfo=dt.UTC), [True, True]),
    ],
)
def test_warnings_of_the_deadlines(world, client_for, today, expected):
    """ORG-2: «новый учебный год создаётся до 1 июля» — a reminder from 1 May, a warning from 1 July
    while the next year is missing; after 30 August a warning that the old year is not closed."""
    with time_machine.travel(today):
        warnings = selectors.year_warnings(years=[world.year], today=today.date())
        assert [w.urgent for w in warnings] == expected
        text = client_for(world.admin).get(reverse("schoolyear:index")).content.decode()
    assert ("новый учебный год создаётся до 1 июля" in text) is bool(expected)
    assert ("старый учебный год закрывается до 30 августа" in text) is (len(expected) == 2)


def test_no_reminder_once_the_next_year_exists(world):
    """ORG-2: with the next year created there is nothing to remind of before 30 August."""
    services.year_create_next(year=world.year, author=world.admin)
    years = list(AcademicYear.objects.filter(school=world.school))
    assert selectors.year_warnings(years=years, today=D(2027, 7, 15)) == []


def test_the_class_teacher_without_the_role_is_pointed_out(world, client_for):
    """ORG-3: a class teacher whose account lacks the role «классный руководитель» is marked on the
    year's page (her class's journals would stay closed to her)."""
    f.make_class(world.year, 7, "А", class_teacher=world.alice_staff)
    page = client_for(world.admin).get(reverse("schoolyear:year", args=[world.year.pk])).content.decode()
    assert page.count("(нет роли «классный руководитель»)") == 2  # alice (7А) and bob (5Б); not carol
    f.add_role(world.alice, world.school, Role.CLASS_TEACHER)
    page = client_for(world.admin).get(reverse("schoolyear:year", args=[world.year.pk])).content.decode()
    assert page.count("(нет роли «классный руководитель»)") == 1
