"""Lesson panel, adding a lesson, the cell panel and the change history
(JRN-1, JRN-3, JRN-5, ARC-1)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.audit.models import Entry
from apps.journal.models import Attendance, Lesson, Mark
from tests import factories as f

from .helpers import cell, grid_url, lessons_on, post_json


def lesson_url(journal, lesson):
    return reverse("journal:lesson", args=[journal.pk, lesson.pk])


def cell_url(journal, lesson, student):
    return reverse("journal:cell", args=[journal.pk]) + f"?lesson={lesson.pk}&student={student.pk}"


def history_url(journal, lesson, student=None):
    url = reverse("journal:history", args=[journal.pk]) + f"?lesson={lesson.pk}"
    return url + (f"&student={student.pk}" if student else "")


# ---------------------------------------------------------------------------------------------
# Lesson panel


def test_lesson_panel_saves_topic_homework_comment_and_default_work_type(world, client_for):
    """JRN-1: topic, homework, teacher comment and the work type of the column's new marks."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    control = world.work_types[1]
    client = client_for(world.alice)
    data = post_json(
        client,
        world.journal,
        lessons=[
            {
                "lesson": lesson.pk,
                "topic": "Сложение дробей",
                "homework": "№ 312",
                "no_homework": False,
                "work_type": control.pk,
                "comment": "Контрольная по теме",
            }
        ],
        cells=[cell(lesson, world.anna, "4")],
    ).json()
    assert data["lessons"][0]["ok"] is True
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework, lesson.comment, lesson.work_type) == (
        "Сложение дробей",
        "№ 312",
        "Контрольная по теме",
        control,
    )
    # A new mark of this column takes the lesson's work type and its weight.
    mark = Mark.objects.get(lesson=lesson, student=world.anna)
    assert (mark.work_type, mark.weight) == (control, Decimal("2"))
    html = client.get(grid_url(world.journal)).content.decode()
    assert 'data-topic="Сложение дробей"' in html
    assert '<span class="lw">кр</span>' in html


def test_no_homework_checkbox_clears_the_homework(world, client_for):
    """JRN-1: «Без задания» is recorded as such and replaces a homework text."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    lesson.homework = "№ 1"
    lesson.save()
    data = post_json(
        client_for(world.alice), world.journal, lessons=[{"lesson": lesson.pk, "no_homework": True}]
    ).json()
    assert data["lessons"][0]["fields"] == {
        "topic": "",
        "homework": "",
        "no_homework": True,
        "work_type": None,
        "comment": "",
    }
    lesson.refresh_from_db()
    assert lesson.no_homework and lesson.homework == "" and lesson.homework_display == "Без задания"


def test_lesson_panel_refuses_a_too_long_topic_in_russian(world, client_for):
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    data = post_json(client_for(world.alice), world.journal, lessons=[{"lesson": lesson.pk, "topic": "т" * 501}]).json()
    assert data["lessons"][0] == {
        "lesson": lesson.pk,
        "ok": False,
        "error": "Тема урока длиннее 500 знаков.",
        "conflict": False,
        "conflicts": {},
        "changed": {},
        "retry": False,
        "fields": None,
    }


def test_lesson_page_without_javascript(world, client_for):
    """JRN-1: the lesson panel also works as a plain page and form (no JavaScript)."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    page = client.get(lesson_url(world.journal, lesson)).content.decode()
    assert "Урок 18.11.2026, 1-й" in page and "Без задания" in page
    assert cell_url(world.journal, lesson, world.anna).replace("&", "&amp;") in page
    response = client.post(
        lesson_url(world.journal, lesson),
        {"topic": "Проценты", "homework": "стр. 40", "no_homework": "on", "work_type": "", "comment": ""},
        follow=True,
    )
    assert "Урок 18.11.2026 сохранён." in response.content.decode()
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework, lesson.no_homework) == ("Проценты", "", True)


@pytest.mark.parametrize("who", ["carol", "deputy"])
def test_lesson_page_is_read_only_for_readers(world, client_for, who):
    """JRN-11: readers see the lesson form disabled; a post is refused and changes nothing."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    client = client_for(getattr(world, who))
    page = client.get(lesson_url(world.journal, lesson)).content.decode()
    assert "<fieldset disabled>" in page and "Сохранить урок" not in page
    assert client.post(lesson_url(world.journal, lesson), {"topic": "Взлом"}).status_code == 403
    lesson.refresh_from_db()
    assert lesson.topic == ""


# ---------------------------------------------------------------------------------------------
# Adding a lesson


def test_add_lesson_opens_its_period_with_a_message(world, client_for):
    """JRN-1: a lesson is added by date and number; the grid of its period opens."""
    client = client_for(world.alice)
    response = client.post(
        reverse("journal:lesson_add", args=[world.journal.pk]), {"date": "2026-10-14", "number": "3"}, follow=True
    )
    lesson = Lesson.objects.get(journal=world.journal)
    assert (lesson.date, lesson.number) == (dt.date(2026, 10, 14), 3)
    assert response.redirect_chain[-1][0] == grid_url(world.journal, world.periods[0]) + f"#lesson-{lesson.pk}"
    html = response.content.decode()
    assert "Урок 14.10.2026 (3-й) добавлен." in html
    assert Entry.objects.filter(object_type="lesson", action="create", object_id=lesson.pk).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"date": "2026-11-18", "number": "1"}, "Урок 1-й 18.11.2026 уже есть в журнале."),
        ({"date": "2027-07-01", "number": "1"}, "Дата урока 01.07.2027 вне учебного года 2026/2027."),
        ({"date": "2026-11-18", "number": "13"}, "Номер урока должен быть от 1 до 12."),
        ({"date": "вчера", "number": "1"}, "Дата урока указана неверно."),
        ({"date": "2026-11-18", "number": ""}, "Укажите номер урока."),
    ],
)
def test_add_lesson_errors_are_in_russian(world, client_for, data, message):
    lessons_on(world.journal, dt.date(2026, 11, 18))
    response = client_for(world.alice).post(reverse("journal:lesson_add", args=[world.journal.pk]), data, follow=True)
    assert message in response.content.decode()
    assert Lesson.objects.count() == 1


def test_add_lesson_in_the_holidays_warns_it_is_outside_every_period(world, client_for):
    response = client_for(world.alice).post(
        reverse("journal:lesson_add", args=[world.journal.pk]), {"date": "2026-10-28", "number": "1"}, follow=True
    )
    assert "не входит ни в один учебный период" in response.content.decode()


def test_add_lesson_needs_write_access(world, client_for):
    url = reverse("journal:lesson_add", args=[world.journal.pk])
    assert client_for(world.carol).post(url, {"date": "2026-11-18", "number": "1"}).status_code == 403
    assert client_for(world.bob).post(url, {"date": "2026-11-18", "number": "1"}).status_code == 404
    assert not Lesson.objects.exists()


# ---------------------------------------------------------------------------------------------
# The cell panel


def test_cell_panel_changes_work_type_comment_and_absence_reason(world, client_for):
    """JRN-3, JRN-5: a mark's type of work (and so its weight) and comment, an absence's reason."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    post_json(client, world.journal, cells=[cell(lesson, world.anna, "5 3"), cell(lesson, world.boris, "н")])
    low = Mark.objects.get(student=world.anna, value="3")
    control = world.work_types[1]

    fragment = client.get(cell_url(world.journal, lesson, world.anna) + "&partial=1").content.decode()
    assert fragment.startswith('<div class="cell-detail"') and "<html" not in fragment
    assert f'name="wt-{low.pk}"' in fragment and "История изменений клетки" in fragment
    response = client.post(
        cell_url(world.journal, lesson, world.anna),
        {f"wt-{low.pk}": control.pk, f"cm-{low.pk}": "Не решена задача 3"},
        headers={"X-Requested-With": "fetch"},
    )
    fragment = response.content.decode()
    assert "Сохранено." in fragment
    assert 'data-average="3,67"' in fragment  # (5·1 + 3·2) / 3
    low.refresh_from_db()
    assert (low.work_type, low.weight, low.comment) == (control, Decimal("2"), "Не решена задача 3")

    response = client.post(cell_url(world.journal, lesson, world.boris), {"reason": "illness"}, follow=True)
    assert "Сохранено." in response.content.decode()
    assert Attendance.objects.get(student=world.boris).reason == Attendance.Reason.ILLNESS


def test_cell_panel_refuses_a_work_type_of_another_school(world, client_for):
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    post_json(client, world.journal, cells=[cell(lesson, world.anna, "5")])
    mark = Mark.objects.get()
    foreign = f.make_work_types(f.SchoolFactory())[1]
    response = client.post(cell_url(world.journal, lesson, world.anna), {f"wt-{mark.pk}": foreign.pk})
    assert "Отметка 5: такого вида работы нет в этой школе." in response.content.decode()
    mark.refresh_from_db()
    assert mark.work_type == world.work_types[0]


def test_cell_panel_is_read_only_for_the_class_teacher(world, client_for):
    """JRN-11: the class teacher sees the marks with their work type but cannot change them."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    post_json(client_for(world.alice), world.journal, cells=[cell(lesson, world.anna, "4")])
    mark = Mark.objects.get()
    client = client_for(world.carol)
    page = client.get(cell_url(world.journal, lesson, world.anna)).content.decode()
    assert "<fieldset disabled>" in page and "Ответ на уроке" in page
    assert client.post(cell_url(world.journal, lesson, world.anna), {f"cm-{mark.pk}": "x"}).status_code == 403
    mark.refresh_from_db()
    assert mark.comment == ""


def test_cell_of_a_student_outside_the_group_is_404(world, client_for):
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    response = client_for(world.alice).get(cell_url(world.journal, lesson, world.students_5b[0]))
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# History (ARC-1)


def test_cell_history_tells_who_changed_what_when_in_the_schools_zone(world, client_for, frozen_now):
    """ARC-1: the history of a cell lists each change with time (the school's zone), author and
    old → new in plain Russian."""
    world.school.timezone = "Asia/Yekaterinburg"  # UTC+5: 12:00 in Moscow is 14:00 there
    world.school.save()
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    post_json(client, world.journal, cells=[cell(lesson, world.anna, "4")])
    frozen_now.shift(dt.timedelta(minutes=5))
    mark = Mark.objects.get()
    client.post(cell_url(world.journal, lesson, world.anna), {f"wt-{mark.pk}": world.work_types[1].pk})
    post_json(client, world.journal, cells=[cell(lesson, world.anna, "5")])
    post_json(client, world.journal, cells=[cell(lesson, world.anna, "н")])

    for reader in (world.alice, world.carol, world.deputy):
        html = client_for(reader).get(history_url(world.journal, lesson, world.anna)).content.decode()
        assert "История клетки: Аксёнова А., урок 18.11.2026 (1-й)" in html
        assert "20.11.2026 14:00:00" in html and "20.11.2026 14:05:00" in html
        assert "Алексеева Алла" in html
        assert "Отметка поставлена" in html and "4, Ответ на уроке" in html
        assert "4, Ответ на уроке → 4, Контрольная работа" in html
        assert "4 → 5, Контрольная работа" in html
        assert "Отметка удалена" in html and "было: 5, Контрольная работа" in html
        assert "Отмечено отсутствие" in html and "н (отсутствовал)" in html
    assert html.index("Отметка поставлена") < html.index("4 → 5, Контрольная работа") < html.index("Отметка удалена")


def test_lesson_history_shows_topic_and_homework_changes(world, client_for):
    """ARC-1: the lesson record's own history: creation, topic, homework («Без задания»)."""
    client = client_for(world.alice)
    client.post(reverse("journal:lesson_add", args=[world.journal.pk]), {"date": "2026-11-18", "number": "2"})
    lesson = Lesson.objects.get()
    post_json(client, world.journal, lessons=[{"lesson": lesson.pk, "topic": "Дроби", "homework": "№ 5"}])
    post_json(client, world.journal, lessons=[{"lesson": lesson.pk, "no_homework": True}])
    html = client.get(history_url(world.journal, lesson)).content.decode()
    assert "История урока 18.11.2026 (2-й)" in html
    assert "Урок добавлен" in html and "18.11.2026, 2-й урок" in html
    assert "Тема: — → «Дроби»" in html
    assert "Домашнее задание изменено" in html and "«№ 5» → Без задания" in html


def test_history_of_another_journals_lesson_is_404(world, client_for):
    other = f.make_lesson(world.journal_5b, dt.date(2026, 11, 18))
    assert client_for(world.alice).get(history_url(world.journal, other)).status_code == 404
    assert client_for(world.bob).get(history_url(world.journal, other)).status_code == 404
