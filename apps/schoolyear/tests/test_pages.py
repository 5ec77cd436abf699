"""The year's pages (ORG-2, ORG-3): holidays, classes, the production calendar with the school's
corrections; each page's queries do not grow with the data."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.people.models import Enrolment
from apps.registration.deadlines import add_working_days
from apps.schools.models import Group, Holiday, SchoolClass
from apps.schoolyear import selectors
from apps.schoolyear.models import CalendarDay
from tests import factories as f

D = dt.date


def text(response) -> str:
    return response.content.decode()


# --- Holidays ---------------------------------------------------------------------------------------------


def test_holiday_added_changed_and_deleted(world, client_for):
    """ORG-2: the administrator adds autumn holidays, moves their end, deletes them; no lessons on them."""
    client = client_for(world.admin)
    response = client.post(
        reverse("schoolyear:holiday_add", args=[world.year.pk]),
        {"name": "Осенние каникулы", "starts": "2026-10-26", "ends": "2026-11-03"},
    )
    assert response.status_code == 302
    holiday = Holiday.objects.get(year=world.year)
    assert selectors.study_days(year=world.year, starts=D(2026, 10, 26), ends=D(2026, 11, 3)) == []
    client.post(
        reverse("schoolyear:holiday", args=[holiday.pk]),
        {"name": "Осенние каникулы", "starts": "2026-10-26", "ends": "2026-11-01"},
    )
    assert Holiday.objects.get(pk=holiday.pk).ends == D(2026, 11, 1)
    assert "Осенние каникулы" in text(client.get(reverse("schoolyear:year", args=[world.year.pk])))
    client.post(reverse("schoolyear:holiday", args=[holiday.pk]), {"delete": "1"})
    assert not Holiday.objects.filter(year=world.year).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Летние", "starts": "2027-06-01", "ends": "2027-08-31"}, "Каникулы должны быть внутри учебного года"),
        ({"name": "Странные", "starts": "2026-11-10", "ends": "2026-11-05"}, "Начало каникул должно быть не позже"),
        ({"name": "Вторые", "starts": "2026-11-01", "ends": "2026-11-08"}, "Каникулы пересекаются с «Осенние»"),
        ({"name": "", "starts": "2026-12-01", "ends": "2026-12-02"}, "Обязательное поле"),
    ],
)
def test_wrong_holidays_are_refused(world, client_for, data, message):
    """ORG-2: holidays outside the year, backwards or overlapping others are refused with the reason,
    the typed values stay in the form."""
    Holiday.objects.create(
        school=world.school, year=world.year, name="Осенние", starts=D(2026, 10, 26), ends=D(2026, 11, 3)
    )
    page = text(client_for(world.admin).post(reverse("schoolyear:holiday_add", args=[world.year.pk]), data))
    assert message in page
    assert f'value="{data["starts"]}"' in page
    assert Holiday.objects.filter(year=world.year).count() == 1


# --- Classes ------------------------------------------------------------------------------------------------


def test_class_added_with_its_group_and_teacher(world, client_for):
    """ORG-3: a class 6 «В» with its class teacher; its whole-class group is created; the letter is
    kept in capitals; a second 6В is refused."""
    client = client_for(world.admin)
    url = reverse("schoolyear:class_add", args=[world.year.pk])
    response = client.post(url, {"grade": "6", "letter": " в ", "class_teacher": world.alice_staff.pk})
    assert response.status_code == 302
    cls = SchoolClass.objects.get(year=world.year, grade=6)
    assert (str(cls), cls.class_teacher) == ("6В", world.alice_staff)
    assert Group.objects.filter(school_class=cls, kind=Group.Kind.CLASS, name="6В").exists()
    page = text(client.post(url, {"grade": "6", "letter": "В", "class_teacher": ""}))
    assert "Класс 6В в этом году уже есть." in page
    assert SchoolClass.objects.filter(year=world.year, grade=6).count() == 1


def test_class_edited_and_only_an_empty_class_deleted(world, client_for):
    """ORG-3: a class's letter and class teacher are changed (its group renamed); a class with
    students is not deleted, an empty one is."""
    client = client_for(world.admin)
    url = reverse("schoolyear:school_class", args=[world.class_5b.pk])
    client.post(url, {"grade": "5", "letter": "Г", "class_teacher": world.carol_staff.pk})
    world.class_5b.refresh_from_db()
    assert (str(world.class_5b), world.class_5b.class_teacher) == ("5Г", world.carol_staff)
    assert Group.objects.get(school_class=world.class_5b, kind=Group.Kind.CLASS).name == "5Г"
    response = client.post(url, {"delete": "1"})
    assert "удалить нельзя" in text(client.get(response["Location"]))
    assert SchoolClass.objects.filter(pk=world.class_5b.pk).exists()
    empty = SchoolClass.objects.create(school=world.school, year=world.year, grade=8, letter="А")
    client.post(reverse("schoolyear:school_class", args=[empty.pk]), {"delete": "1"})
    assert not SchoolClass.objects.filter(pk=empty.pk).exists()
    assert Enrolment.objects.filter(school_class=world.class_5b).exists()


def test_class_teacher_only_from_the_schools_staff(world, client_for):
    """ORG-3: the class teacher is chosen from this school's staff — someone of another school or a
    teacher gone before the year starts is not offered and not accepted."""
    other = f.StaffFactory(school=f.SchoolFactory(), last_name="Чужой")
    gone = f.StaffFactory(school=world.school, last_name="Уволенный", left_on=D(2026, 6, 30))
    client = client_for(world.admin)
    url = reverse("schoolyear:class_add", args=[world.year.pk])
    page = text(client.get(url))
    assert "Алексеева" in page and "Чужой" not in page and "Уволенный" not in page
    for staff in (other, gone):
        page = text(client.post(url, {"grade": "7", "letter": "А", "class_teacher": staff.pk}))
        assert "Выберите корректный вариант" in page
    assert not SchoolClass.objects.filter(year=world.year, grade=7).exists()


# --- The production calendar ------------------------------------------------------------------------------


def test_calendar_shows_holidays_and_transferred_days(world, client_for):
    """ORG-2: the calendar lists the public holidays and the days moved by decree in the year's
    dates, e.g. 31 December 2026 (moved from 4 January) and the working Saturday 20 February 2027."""
    page = text(client_for(world.admin).get(reverse("schoolyear:calendar")))
    assert "День народного единства" in page
    assert "Выходной (перенесено с 04.01.2026)" in page
    assert "сб 20.02.2027" in page.lower()
    assert "рабочий (перенос)" in page
    assert "сентябрь 2026" in page.lower() and "май 2027" in page.lower()


def test_the_schools_correction_on_the_calendar_page(world, client_for):
    """ORG-2: the administrator makes 5 November a day off with its reason; the page shows it, no
    lessons on that day, deadlines counted with the school skip it; the correction is removed and
    the production calendar decides again."""
    client = client_for(world.admin)
    response = client.post(
        reverse("schoolyear:calendar_day"),
        {"date": "2026-11-05", "is_working": "0", "note": "Постановление губернатора", "year": world.year.pk},
    )
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "05.11.2026 — выходной (поправка школы)." in page
    assert "Постановление губернатора" in page
    assert D(2026, 11, 5) not in selectors.study_days(year=world.year, starts=D(2026, 11, 2), ends=D(2026, 11, 6))
    assert add_working_days(D(2026, 11, 3), 1, school=world.school) == D(2026, 11, 6)
    assert add_working_days(D(2026, 11, 3), 1) == D(2026, 11, 5)
    client.post(reverse("schoolyear:calendar_day"), {"date": "2026-11-05", "clear": "1", "year": world.year.pk})
    assert not CalendarDay.objects.exists()
    assert selectors.is_working_day(school=world.school, day=D(2026, 11, 5)) is True


def test_a_wrong_correction_is_explained(world, client_for):
    """ORG-2: a correction without a date or a choice is refused with the field named."""
    client = client_for(world.admin)
    response = client.post(reverse("schoolyear:calendar_day"), {"date": "", "note": "x"})
    page = text(client.get(response["Location"]))
    assert "Дата: Обязательное поле." in page
    assert not CalendarDay.objects.exists()


def test_deadlines_follow_the_production_calendar(db):
    """ACC-7, ORG-2: terms in working days skip the days off moved by decree: 31 December 2026 is a
    day off (moved from 4 January), so three working days from 30 December end on 13 January."""
    assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 13)
    assert add_working_days(D(2027, 2, 19), 1) == D(2027, 2, 20)  # a working Saturday
    assert add_working_days(D(2026, 11, 20), 0) == D(2026, 11, 20)


# --- Query budgets ----------------------------------------------------------------------------------------


def grow(world, n):
    """n more classes, holidays and corrections in the year."""
    for i in range(n):
        f.make_class(world.year, 6 + i % 5, "АБВГДЕЖИКЛМН"[i // 5], class_teacher=world.alice_staff)
        Holiday.objects.create(
            school=world.school, year=world.year, name=f"Каникулы {i}", starts=D(2027, 2, 1 + i), ends=D(2027, 2, 1 + i)
        )
        CalendarDay.objects.create(school=world.school, date=D(2026, 12, 1 + i), is_working=False)


@pytest.mark.parametrize("url", ["schoolyear:index", "schoolyear:year", "schoolyear:calendar", "schoolyear:periods"])
def test_pages_queries_do_not_grow(world, client_for, django_assert_max_num_queries, url):
    """ORG-2: the year's pages make the same number of queries with 2 or 20 classes, holidays and
    corrections, and 1 or 3 years."""
    client = client_for(world.admin)
    args = [] if url in ("schoolyear:index", "schoolyear:calendar") else [world.year.pk]
    path = reverse(url, args=args)
    client.get(path)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    grow(world, 20)
    from apps.schoolyear import services

    services.year_create_next(year=world.year, author=world.admin)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200
