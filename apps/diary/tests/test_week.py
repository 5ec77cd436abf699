"""The diary week page (DIA-1, DIA-2, DIA-3, JRN-10)."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.journal.models import Attendance, Lesson, Mark
from apps.journal.services import journal_save
from apps.people.models import Guardian
from apps.people.services import student_enrol, student_withdraw
from apps.schools.models import Holiday
from tests import factories as f

from .helpers import add_absence, add_mark, d, day_texts, page_text

pytestmark = pytest.mark.django_db


def week_url(student, date=None):
    url = reverse("diary:week", args=[student.pk])
    return f"{url}?date={date.isoformat()}" if date else url


def test_week_shows_lessons_with_time_topic_homework_marks_and_absence(world, client_for):
    """DIA-2: each day lists its lessons in order with the bell time, subject, topic, homework
    («Без задания»), the teacher's comment, the child's marks with what they were for, and the
    absence with its reason; a cancelled lesson is marked; a future lesson shows its homework."""
    monday = f.make_lesson(
        world.journal,
        d(11, 16),
        number=2,
        topic="Сложение дробей",
        homework="№ 125, 127",
        comment="Работали активно",
    )
    f.make_lesson(world.journal, d(11, 16), number=5, topic="Вычитание дробей")
    add_mark(world, monday, world.anna, "5", "Контрольная работа", comment="без ошибок")
    add_mark(world, monday, world.anna, "4", "Ответ на уроке")
    add_mark(world, monday, world.boris, "2", "Диктант")  # someone else's mark: never shown (DIA-3)
    wednesday = f.make_lesson(world.journal, d(11, 18), number=1, topic="Дроби", no_homework=True)
    add_absence(world, wednesday, world.anna, reason=Attendance.Reason.ILLNESS)
    f.make_lesson(world.journal, d(11, 19), number=3, topic="Отменённая тема", status=Lesson.Status.CANCELLED)
    f.make_lesson(world.journal, d(11, 21), number=1, topic="Проценты", homework="Повторить таблицу умножения")

    response = client_for(world.pat).get(week_url(world.anna))

    assert response.status_code == 200
    days = day_texts(response)
    assert len(days) == 6  # Monday to Saturday
    mon, tue, wed, thu, fri, sat = days
    assert mon.startswith("Понедельник 16 ноября")
    assert "Математика" in mon
    assert "09:25–10:10" in mon  # the 2nd lesson by the bell schedule
    assert "Тема: Сложение дробей" in mon
    assert "Домашнее задание: № 125, 127" in mon
    assert "Комментарий учителя: Работали активно" in mon
    assert "5 — Контрольная работа : без ошибок" in mon
    assert "4 — Ответ на уроке" in mon
    assert "Диктант" not in mon
    assert mon.index("Сложение дробей") < mon.index("Вычитание дробей")  # by lesson number
    assert "Уроков нет" in tue
    assert "Домашнее задание: Без задания" in wed
    assert "н — отсутствовал (по болезни)" in wed
    assert "Урок отменён" in thu and "Отменённая тема" in thu
    assert "сегодня" in fri and "Уроков нет" in fri
    assert "Тема: Проценты" in sat and "Повторить таблицу умножения" in sat


def test_holiday_days_say_kanikuly(world, client_for):
    """DIA-2: days inside the school holidays say «Каникулы»; the first school day after them
    shows its lessons."""
    Holiday.objects.create(
        school=world.school, year=world.year, name="Осенние каникулы", starts=d(10, 25), ends=d(11, 4)
    )
    f.make_lesson(world.journal, d(11, 5), number=1, topic="Начало четверти")

    days = day_texts(client_for(world.pat).get(week_url(world.anna, d(11, 3))))

    assert all("Каникулы (Осенние каникулы)" in day for day in days[:3])
    assert "Каникулы" not in days[3]
    assert "Начало четверти" in days[3]


def test_transferred_student_sees_old_class_before_and_new_class_after(world, client_for):
    """DIA-2: a student moved from 5А to 5Б on Wednesday sees 5А's lessons up to Tuesday and
    5Б's from Wednesday, never both classes on the same day."""
    for day in (d(11, 16), d(11, 19)):
        f.make_lesson(world.journal, day, number=1, topic=f"Математика 5А {day:%d.%m}")
        f.make_lesson(world.journal_5b, day, number=2, topic=f"Русский 5Б {day:%d.%m}")
    student_withdraw(student=world.anna, school_class=world.class_5a, ends=d(11, 17))
    student_enrol(student=world.anna, school_class=world.class_5b, starts=d(11, 18))

    response = client_for(world.pat).get(week_url(world.anna))
    mon, _tue, _wed, thu, _fri, _sat = day_texts(response)

    assert "Математика 5А 16.11" in mon and "Русский 5Б 16.11" not in mon
    assert "Русский 5Б 19.11" in thu and "Математика 5А 19.11" not in thu
    assert "Аксёнова Анна, 5Б" in page_text(response)


def test_a_mark_saved_by_the_teacher_is_in_the_parents_next_page_load(world, client_for):
    """DIA-1: what the teacher saves in the grid appears on the parent's very next request."""
    lesson = f.make_lesson(world.journal, d(11, 18), number=3)
    pat = client_for(world.pat)
    assert "4 — Ответ на уроке" not in page_text(pat.get(week_url(world.anna)))

    result = journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "4"}],
        lessons=[{"lesson": lesson.pk, "topic": "Десятичные дроби", "homework": "Стр. 40"}],
    )
    assert result.ok

    text = page_text(pat.get(week_url(world.anna)))
    assert "4 — Ответ на уроке" in text
    assert "Десятичные дроби" in text and "Стр. 40" in text


def test_week_navigation_and_date_picker(world, client_for):
    """DIA-2: the week of any date opens from the date form (no JavaScript needed); the
    previous/next week and «Сегодня» links lead where they say; a bad date falls back to today."""
    client = client_for(world.pat)

    response = client.get(week_url(world.anna, d(11, 26)))
    text = page_text(response)
    assert "23–28 ноября 2026" in text
    body = response.content.decode()
    assert 'href="?date=2026-11-16"' in body and 'href="?date=2026-11-30"' in body
    assert f'href="{week_url(world.anna)}"' in body  # «Сегодня»
    assert '<form method="get"' in body and 'name="date"' in body

    assert "30 ноября – 5 декабря 2026" in page_text(client.get(week_url(world.anna, d(11, 30))))

    bad = client.get(week_url(world.anna) + "?date=20-11-2026")
    assert bad.status_code == 200
    assert "16–21 ноября 2026" in page_text(bad)
    assert "Дата не распознана" in page_text(bad)


def test_student_reads_own_diary_without_any_write_controls(world, client_for):
    """JRN-10, DIA-3: a student sees his own diary, with no form that could change anything,
    and the diary refuses writes."""
    lesson = f.make_lesson(world.journal, d(11, 18), number=1, topic="Дроби")
    add_mark(world, lesson, world.anna, "5")
    sam = client_for(world.sam)

    response = sam.get(week_url(world.anna))
    assert response.status_code == 200
    assert "5 — Ответ на уроке" in page_text(response)
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert 'method="post"' not in main.lower()
    assert "<textarea" not in main and "contenteditable" not in main

    marks_page = sam.get(reverse("diary:marks", args=[world.anna.pk]))
    main = marks_page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert 'method="post"' not in main.lower()

    assert sam.post(week_url(world.anna), {"date": "2026-11-18"}).status_code == 405
    assert Mark.objects.filter(student=world.anna).count() == 1


def test_parent_with_several_children_switches_between_them(world, client_for):
    """DIA-3: a parent of two children chooses one from a list, and on a child's page can switch
    to the other child's same week; nobody else's child appears."""
    third = world.students_5b[0]
    f.link_guardian(Guardian.objects.get(user=world.pat), third)
    client = client_for(world.pat)

    index = client.get(reverse("diary:index"))
    assert index.status_code == 200
    text = page_text(index)
    assert "Аксёнова Анна" in text and "5А класс" in text
    assert f"{third.last_name} {third.first_name}" in text and "5Б класс" in text
    assert "Быков" not in text

    body = client.get(week_url(world.anna, d(11, 10))).content.decode()
    assert f'href="{reverse("diary:week", args=[third.pk])}?date=2026-11-09"' in body
    assert reverse("diary:week", args=[world.boris.pk]) not in body


def test_single_diary_opens_directly(world, client_for):
    """DIA-3: a parent of one child and a student land on that one week straight away."""
    for user in (world.pat, world.sam):
        response = client_for(user).get(reverse("diary:index"))
        assert response.status_code == 302
        assert response["Location"] == reverse("diary:week", args=[world.anna.pk])


@pytest.mark.parametrize(
    "user, child, expected",
    [
        ("pat", "anna", 200),
        ("quinn", "boris", 200),
        ("sam", "anna", 200),
        ("quinn", "anna", 404),
        ("pat", "boris", 404),
        ("sam", "boris", 404),
        ("alice", "anna", 404),
        ("carol", "anna", 404),
        ("director", "anna", 404),
    ],
)
@pytest.mark.parametrize("view", ["diary:week", "diary:marks"])
def test_only_own_children_diaries_are_readable(world, client_for, user, child, expected, view):
    """DIA-3: a parent reads only their own child's diary, a student only his own; anyone else's
    child — and any child for staff — is «not found», revealing nothing about them."""
    lesson = f.make_lesson(world.journal, d(11, 18), number=1)
    add_mark(world, lesson, getattr(world, child), "3", "Диктант")
    student = getattr(world, child)

    response = client_for(getattr(world, user)).get(reverse(view, args=[student.pk]))

    assert response.status_code == expected
    if expected == 404:
        assert student.last_name not in response.content.decode()


def test_staff_without_children_and_anonymous_get_no_diary(world, client_for, client):
    """DIA-3: a teacher has no diary index (404); a visitor who is not signed in goes to the login page."""
    assert client_for(world.alice).get(reverse("diary:index")).status_code == 404
    response = client.get(reverse("diary:week", args=[world.anna.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unknown_student_id_is_not_found(world, client_for):
    """DIA-3: a made-up student id is 404, like someone else's child."""
    missing = max(s.pk for s in world.students_5a + world.students_5b) + 100
    assert client_for(world.pat).get(reverse("diary:week", args=[missing])).status_code == 404
    assert dt.date.today()  # the clock is frozen, not broken
