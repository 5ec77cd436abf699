"""The plan's form: add, reorder, delete in one save; one bad row never drops the others (JRN-2)."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.journal.models import Lesson
from apps.plans.models import PlanItem
from apps.schools.models import AcademicYear

from .helpers import lessons

pytestmark = pytest.mark.django_db


def form(rows):
    data = {"rows": str(len(rows))}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"r{i}-{key}"] = value
    return data


def item(world, order, topic, hours=1):
    return PlanItem.objects.create(school=world.school, journal=world.journal, order=order, topic=topic, hours=hours)


def plan(world):
    return list(PlanItem.objects.filter(journal=world.journal).order_by("order").values_list("order", "topic", "hours"))


def test_one_bad_row_never_drops_the_others(world, client_for):
    """JRN-2: a save with a bad row: the good rows (a change, a new topic, a deletion) are saved;
    the bad row is shown again with what was typed and the reason; its item keeps its old value."""
    a, b, c = item(world, 1, "Дроби"), item(world, 2, "Сложение дробей"), item(world, 3, "Лишняя тема")
    client = client_for(world.alice)
    response = client.post(
        reverse("plans:plan", args=[world.journal.pk]),
        form(
            [
                {"id": a.pk, "order": "1", "topic": "Обыкновенные дроби", "hours": "2"},
                {"id": b.pk, "order": "2", "topic": "Сложение дробей", "hours": "12"},  # bad
                {"id": c.pk, "order": "3", "topic": "Лишняя тема", "hours": "1", "delete": "on"},
                {"id": "", "order": "", "topic": "Вычитание дробей", "hours": "1", "planned_date": "2026-12-01"},
                {"id": "", "order": "", "topic": "", "hours": "1", "note": "без темы"},  # bad new row
                {"id": "", "order": "", "topic": "", "hours": ""},  # empty: ignored
            ]
        ),
    )
    assert response.status_code == 200
    assert plan(world) == [(1, "Обыкновенные дроби", 2), (2, "Сложение дробей", 1), (3, "Вычитание дробей", 1)]
    html = response.content.decode()
    assert "Часы должны быть целым числом от 1 до 10" in html and "Тема не указана" in html
    assert 'value="12"' in html and 'value="без темы"' in html  # what was typed is not lost
    assert PlanItem.objects.get(topic="Вычитание дробей").planned_date == dt.date(2026, 12, 1)


def test_reorder_by_number(world, client_for):
    """JRN-2: giving a row the number of another puts it before that row; the plan is renumbered."""
    a, b, c = item(world, 1, "А"), item(world, 2, "Б"), item(world, 3, "В")
    client = client_for(world.alice)
    response = client.post(
        reverse("plans:plan", args=[world.journal.pk]),
        form(
            [
                {"id": a.pk, "order": "1", "topic": "А", "hours": "1"},
                {"id": b.pk, "order": "2", "topic": "Б", "hours": "1"},
                {"id": c.pk, "order": "1", "topic": "В", "hours": "1"},
                {"id": "", "order": "2", "topic": "Новая", "hours": "1"},
            ]
        ),
    )
    assert response.status_code == 302
    assert [t for _o, t, _h in plan(world)] == ["В", "А", "Новая", "Б"]
    assert [o for o, _t, _h in plan(world)] == [1, 2, 3, 4]


def test_saving_the_plan_gives_lessons_their_topics(world, client_for):
    """JRN-2: after a save the lessons take the plan's topics and the page shows which lessons each
    topic covers; a lesson whose topic alice wrote herself is marked."""
    first, second, third = lessons(world.journal, dt.date(2026, 11, 16), 3)
    Lesson.objects.filter(pk=third.pk).update(topic="Самостоятельная работа")
    client = client_for(world.alice)
    client.post(
        reverse("plans:plan", args=[world.journal.pk]),
        form([{"id": "", "topic": "Дроби", "hours": "2"}, {"id": "", "topic": "Сложение дробей", "hours": "1"}]),
    )
    topics = list(Lesson.objects.filter(journal=world.journal).order_by("date").values_list("topic", flat=True))
    assert topics == ["Дроби", "Дроби", "Самостоятельная работа"]
    html = client.get(reverse("plans:plan", args=[world.journal.pk])).content.decode()
    assert "16.11</span>, <span" in html and "18.11*" in html


def test_apply_button_fills_empty_topics(world, client_for):
    """JRN-2: «Заполнить темы уроков из КТП» gives the new lessons (e.g. made by the timetable) their topics."""
    item(world, 1, "Дроби", 2)
    lessons(world.journal, dt.date(2026, 11, 16), 2)
    client = client_for(world.alice)
    response = client.post(reverse("plans:apply", args=[world.journal.pk]))
    assert response.status_code == 302
    assert set(Lesson.objects.filter(journal=world.journal).values_list("topic", flat=True)) == {"Дроби"}
    assert "Темы уроков заполнены из КТП: 2" in client.get(response["Location"]).content.decode()


def test_closed_year_is_read_only(world, client_for):
    """JRN-2: once the year is closed the plan is read, not written (403), and the page has no form."""
    item(world, 1, "Дроби")
    AcademicYear.objects.filter(pk=world.year.pk).update(status=AcademicYear.Status.CLOSED)
    client = client_for(world.alice)
    url = reverse("plans:plan", args=[world.journal.pk])
    html = client.get(url).content.decode()
    assert "Дроби" in html and "Сохранить план" not in html
    assert client.post(url, form([{"id": "", "topic": "Новая", "hours": "1"}])).status_code == 403
    assert client.post(reverse("plans:apply", args=[world.journal.pk])).status_code == 403
    assert plan(world) == [(1, "Дроби", 1)]


def test_readers_see_the_plan_without_the_form(world, client_for):
    """JRN-11: the class teacher reads the plan of her class's journal, without anything to edit."""
    item(world, 1, "Дроби")
    html = client_for(world.carol).get(reverse("plans:plan", args=[world.journal.pk])).content.decode()
    assert "Дроби" in html and "Сохранить план" not in html and "Заполнить темы" not in html
