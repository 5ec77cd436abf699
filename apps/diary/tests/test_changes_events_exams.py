"""The diary shows the timetable's changes (ORG-7, ORG-8), the events of the school and of the
student's class (ORG-10), the student's exam choices (ORG-11) and the periods of his grade
(ORG-2) — DIA-2, and never anybody else's (DIA-3)."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.events import services as events
from apps.events.tests.helpers import exam_classes
from apps.journal.models import Lesson
from apps.people.models import Guardian
from apps.schools.models import Period
from tests import factories as f

from .helpers import d, day_texts, page_text

pytestmark = pytest.mark.django_db


def week_url(student, date=None):
    url = reverse("diary:week", args=[student.pk])
    return f"{url}?date={date.isoformat()}" if date else url


def test_week_shows_room_substitute_change_note_and_cancellation(world, client_for):
    """ORG-7, ORG-8, DIA-2: each lesson shows its room; a lesson given by a substitute says
    «замена: Борисов Б. П.»; a moved lesson shows its note; a cancelled one «Урок отменён»."""
    f.make_lesson(world.journal, d(11, 16), number=2, topic="Дроби", room="214")
    f.make_lesson(world.journal, d(11, 17), number=1, topic="Проценты", taught_by=world.bob_staff, room="305")
    f.make_lesson(world.journal, d(11, 18), number=5, topic="Уравнения", change_note="перенесён с 3-го урока")
    f.make_lesson(world.journal, d(11, 19), number=3, topic="Задачи", status=Lesson.Status.CANCELLED)
    f.make_lesson(world.journal, d(11, 20), number=1, topic="Повторение", taught_by=world.alice_staff)

    mon, tue, wed, thu, fri, _sat = day_texts(client_for(world.pat).get(week_url(world.anna)))

    assert "Алексеева А. И. · каб. 214" in mon and "замена" not in mon
    assert "замена: Борисов Б. П." in tue and "каб. 305" in tue
    assert "перенесён с 3-го урока" in wed and "Уравнения" in wed
    assert "Урок отменён" in thu
    assert "замена" not in fri  # given by the journal's own teacher: no substitution


def test_week_shows_school_and_own_class_events_only(world, client_for):
    """ORG-10, DIA-2, DIA-3: Anna's week lists the school's events and 5А's on their days (a
    three-day event on each of them, a Sunday event under the week), never 5Б's."""
    events.event_create(school=world.school, school_class=None, date=d(11, 17), time=dt.time(18, 0),
                        title="Родительское собрание", place="Актовый зал", author=world.deputy)  # fmt: skip
    events.event_create(school=world.school, school_class=world.class_5a, date=d(11, 18), ends=d(11, 20),
                        title="Неделя математики 5А", author=world.carol)  # fmt: skip
    events.event_create(school=world.school, school_class=world.class_5b, date=d(11, 18),
                        title="Поход 5Б", author=world.bob)  # fmt: skip
    events.event_create(school=world.school, school_class=None, date=d(11, 22), title="Лыжня", author=world.deputy)
    events.event_create(school=world.school, school_class=None, date=d(11, 24), title="Концерт", author=world.deputy)

    response = client_for(world.pat).get(week_url(world.anna))
    mon, tue, wed, thu, fri, sat = day_texts(response)
    page = page_text(response)

    assert "Событие школы: Родительское собрание , 18:00, Актовый зал" in tue
    assert all("Событие класса: Неделя математики 5А" in day for day in (wed, thu, fri))
    assert "Неделя математики" not in mon + tue + sat
    assert "Поход 5Б" not in page
    assert "Воскресенье 22 ноября Событие школы: Лыжня" in page
    assert "Концерт" not in page  # next week

    boris_parent_page = page_text(client_for(world.quinn).get(week_url(world.boris)))
    assert "Неделя математики 5А" in boris_parent_page  # the same class


def test_moved_student_sees_the_events_of_the_class_he_was_in(world, client_for):
    """ORG-10, DIA-2: after a move to 5Б Anna sees 5Б's events, and 5А's of the weeks before."""
    from apps.people.services import student_enrol, student_withdraw

    student_withdraw(student=world.anna, school_class=world.class_5a, ends=d(11, 17))
    student_enrol(student=world.anna, school_class=world.class_5b, starts=d(11, 18))
    events.event_create(school=world.school, school_class=world.class_5a, date=d(11, 10), title="Старый класс",
                        author=world.carol)  # fmt: skip
    events.event_create(school=world.school, school_class=world.class_5b, date=d(11, 19), title="Новый класс",
                        author=world.deputy)  # fmt: skip
    events.event_create(school=world.school, school_class=world.class_5a, date=d(11, 24), title="Уже не мой",
                        author=world.carol)  # fmt: skip
    client = client_for(world.pat)
    assert "Старый класс" in page_text(client.get(week_url(world.anna, d(11, 10))))
    assert "Новый класс" in page_text(client.get(week_url(world.anna)))
    assert "Уже не мой" not in page_text(client.get(week_url(world.anna, d(11, 24))))


def test_exam_choices_are_shown_to_the_student_and_his_parent_only(world, client_for):
    """ORG-11, DIA-2, DIA-3: Vera's parent sees her ОГЭ choices on «Экзамены»; another parent and
    another student get 404 for her page, and their own pages never show her choices."""
    ex = exam_classes(world)
    events.exam_choice_add(school=world.school, student=ex.vera, exam="oge", subject=ex.math, note="основной срок",
                           author=world.deputy, today=d(11, 20))  # fmt: skip
    events.exam_choice_add(school=world.school, student=ex.vera, exam="gve", subject=ex.russian,
                           author=world.deputy, today=d(11, 20))  # fmt: skip
    events.exam_choice_add(school=world.school, student=ex.nina, exam="ege", subject=ex.math, level="base",
                           author=world.deputy, today=d(11, 20))  # fmt: skip
    url = reverse("diary:exams", args=[ex.vera.pk])

    parent = client_for(ex.vera_parent)
    week = parent.get(week_url(ex.vera)).content.decode()
    assert f'href="{url}"' in week  # the tab of a 9th-grader
    page = page_text(parent.get(url))
    assert "2026/2027 учебный год" in page
    assert "ОГЭ Математика — основной срок" in page and "ГВЭ Русский язык" in page
    assert "базовый" not in page  # Nina's choice

    for other in (world.pat, world.quinn, world.sam, world.deputy, world.carol):
        response = client_for(other).get(url)
        assert response.status_code == 404
        assert "Волкова" not in response.content.decode()
    anna_page = page_text(client_for(world.pat).get(reverse("diary:exams", args=[world.anna.pk])))
    assert "Экзамены не выбраны" in anna_page and "Математика" not in anna_page
    assert (
        f'href="{reverse("diary:exams", args=[world.anna.pk])}"'
        not in client_for(world.pat).get(week_url(world.anna)).content.decode()
    )  # no tab for a 5th-grader
    assert parent.post(url).status_code == 405  # the diary is read-only (JRN-10)


def test_tenth_grader_sees_half_years_and_fifth_grader_quarters(world, client_for):
    """ORG-2, DIA-2: when the school has quarters for grades 1–9 and half-years for 10–11, a
    10th-grader's marks page offers the half-years and a 5th-grader's the quarters."""
    Period.objects.filter(pk__in=[p.pk for p in world.periods]).update(grade_to=9)
    for order, (starts, ends) in enumerate([(d(9, 1), d(12, 27)), (dt.date(2027, 1, 12), dt.date(2027, 5, 31))], 1):
        Period.objects.create(school=world.school, year=world.year, name=f"{order} полугодие", kind="half",
                              grade_from=10, grade_to=11, order=order, starts=starts, ends=ends)  # fmt: skip
    class_10 = f.make_class(world.year, 10, "А")
    older = f.enrol(f.StudentFactory(school=world.school, last_name="Старшов", first_name="Олег"), class_10)
    f.link_guardian(Guardian.objects.get(user=world.pat), older)
    client = client_for(world.pat)

    tenth = page_text(client.get(reverse("diary:marks", args=[older.pk])))
    assert "1 полугодие" in tenth and "2 полугодие" in tenth and "четверть" not in tenth
    assert "Отметки по предметам: 1 полугодие" in tenth

    fifth = page_text(client.get(reverse("diary:marks", args=[world.anna.pk])))
    assert "2 четверть" in fifth and "полугодие" not in fifth


def test_a_substitution_or_a_room_change_shows_at_once_in_a_cached_week_and_grid(world, client_for):
    """ORG-7, ORG-8, DIA-2: a substitute or another room recorded after the week and the grid were
    cached (not a change of the logged lesson record) is on the next look of both."""
    from apps.timetable import services as timetable

    lesson = f.make_lesson(world.journal, d(11, 17), number=1, topic="Проценты")
    pat, alice = client_for(world.pat), client_for(world.alice)
    grid_url = reverse("journal:grid", args=[world.journal.pk])
    _mon, tue, *_rest = day_texts(pat.get(week_url(world.anna)))
    assert "замена" not in tue and "каб. 305" not in tue
    assert "замена" not in alice.get(grid_url).content.decode()

    timetable.substitution_record(lesson=lesson, substitute=world.bob_staff, reason="болезнь", author=world.deputy)
    _mon, tue, *_rest = day_texts(pat.get(week_url(world.anna)))
    assert "замена: Борисов Б. П." in tue
    assert "замена: Борисов Б. П." in alice.get(grid_url).content.decode()

    lesson.refresh_from_db()
    timetable.lesson_room_change(lesson=lesson, room="305", author=world.deputy)
    _mon, tue, *_rest = day_texts(pat.get(week_url(world.anna)))
    assert "каб. 305" in tue
