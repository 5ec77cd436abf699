"""The timetable pages through HTTP (ORG-7, ORG-8): what the deputy sees and the Russian messages
a refused or bad input gets, with nothing else lost."""

import datetime as dt

from django.contrib.messages import get_messages
from django.urls import reverse

from apps.journal import services as js
from apps.journal.models import Lesson
from apps.schools.models import BellSlot
from apps.timetable.models import BellSchedule, TimetableEntry

from .helpers import MON, add_entry


def last(response) -> str:
    """The message this response left (earlier unread ones of the session come before it)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_the_page_shows_the_class_week_with_teacher_and_room(world, client_for):
    """ORG-7: 5А's week: Monday's 1st lesson is mathematics with alice in room 101; the way back to
    «Управление» is on the page."""
    add_entry(world, world.journal, MON, 1, room="101")
    page = client_for(world.deputy).get(reverse("timetable:index"), {"class": world.class_5a.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Расписание уроков: 5А" in html and "Алексеева А. И., каб. 101" in html
    assert reverse("office:index") in html


def test_a_clash_is_refused_with_its_reason_and_nothing_is_added(world, client_for):
    """ORG-7: the deputy puts 5Б's Russian into room 101 at 5А's time: the message says why."""
    add_entry(world, world.journal, MON, 1, room="101")
    response = client_for(world.deputy).post(
        reverse("timetable:entry_add"),
        {"class": world.class_5b.pk, "journal": world.journal_5b.pk, "weekday": "0", "number": "1", "room": "101",
         "valid_from": "2026-09-01"},
    )  # fmt: skip
    assert response.status_code == 302
    assert last(response) == "Не добавлено: Кабинет 101 в это время занят: 5А, Математика."
    assert TimetableEntry.objects.count() == 1


def test_bad_input_is_named(world, client_for):
    """ORG-7: a missing lesson number and a bell time that is not a time are named in Russian."""
    deputy = client_for(world.deputy)
    response = deputy.post(
        reverse("timetable:entry_add"),
        {
            "class": world.class_5a.pk,
            "journal": world.journal.pk,
            "weekday": "0",
            "number": "",
            "valid_from": "2026-09-01",
        },
    )
    assert last(response) == "Укажите номер урока."
    response = deputy.post(
        reverse("timetable:bells"), {"action": "save", "schedule": "", "n-1": "1", "s-1": "8-30", "e-1": "09:15"}
    )
    assert last(response) == "Строка 1: укажите номер урока и время в виде 08:30."
    assert BellSlot.objects.filter(school=world.school).count() == 8  # nothing lost


def test_the_bells_page_creates_a_shortened_schedule_and_assigns_a_day(world, client_for):
    """ORG-7: «Сокращённый день» is created as a copy of the ordinary schedule and put on 30.12."""
    deputy = client_for(world.deputy)
    deputy.post(reverse("timetable:bells"), {"action": "create", "name": "Сокращённый день"})
    schedule = BellSchedule.objects.get(school=world.school)
    assert schedule.slots.count() == 8
    response = deputy.post(
        reverse("timetable:bells"), {"action": "assign", "schedule": schedule.pk, "starts": "2026-12-30"}
    )
    assert last(response) == "1 день будет по расписанию «Сокращённый день»."
    html = deputy.get(reverse("timetable:bells")).content.decode()
    assert "Сокращённый день" in html and "30.12.2026" in html


def test_moving_a_lesson_from_the_page(world, client_for):
    """ORG-7: the deputy moves 5А's Monday lesson to Tuesday's 3rd; the day's list shows the note."""
    lesson = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 23), number=1, author=world.alice)
    deputy = client_for(world.deputy)
    response = deputy.post(
        reverse("timetable:lesson_change", args=[lesson.pk]),
        {"action": "move", "date": "2026-11-24", "number": "3", "room": ""},
    )
    assert last(response) == "Урок изменён: перенесён с 23.11, 1-й урок. Это видно в дневнике."
    lesson.refresh_from_db()
    assert (lesson.date, lesson.number) == (dt.date(2026, 11, 24), 3)
    html = deputy.get(reverse("timetable:index"), {"class": world.class_5a.pk, "day": "2026-11-24"}).content.decode()
    assert "перенесён с 23.11, 1-й урок" in html


def test_recording_a_substitution_with_a_busy_teacher_is_refused(world, client_for):
    """ORG-8: bob gives 5Б Russian at the same time: the page says so and records nothing."""
    js.lesson_create(journal=world.journal_5b, date=dt.date(2026, 11, 20), number=2, author=world.bob)
    lesson = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 20), number=2, author=world.alice)
    deputy = client_for(world.deputy)
    page = deputy.get(
        reverse("timetable:substitutions"), {"date": "2026-11-20", "teacher": world.alice_staff.pk}
    ).content.decode()
    assert "Борисов Б. П. (занят)" in page
    response = deputy.post(
        reverse("timetable:substitutions"), {"lesson": lesson.pk, "substitute": world.bob_staff.pk, "reason": ""}
    )
    assert last(response) == "Учитель Борисов Б. П. в это время ведёт другой урок: 5Б, Русский язык."
    assert Lesson.objects.get(pk=lesson.pk).taught_by is None
    response = deputy.post(reverse("timetable:substitutions"), {"lesson": lesson.pk, "substitute": "", "reason": ""})
    assert last(response) == "Выберите заменяющего учителя или отмените урок."
    response = deputy.post(
        reverse("timetable:substitutions"), {"lesson": lesson.pk, "cancel": "1", "reason": "карантин"}
    )
    assert Lesson.objects.get(pk=lesson.pk).status == Lesson.Status.CANCELLED
