"""The rules of one write of a cell or a lesson field, at the service level (issues 11, 12, 20;
docs/architecture.md §4 «Writing a cell or a lesson field»): the value the writer last saw (`was`)
makes a change made meanwhile a conflict instead of an overwrite; a partial lesson save writes
only the fields it names; a substitute's scope is the service's rule; a deadlock is retried once."""

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError

from apps.audit.models import Entry
from apps.audit.verify import verify_school
from apps.journal import locking
from apps.journal import services as js
from apps.journal.models import Attendance, Lesson, Mark, PeriodMark

DAY = dt.date(2026, 11, 18)


@pytest.fixture
def lesson(world):
    return js.lesson_create(journal=world.journal, date=DAY, number=1, author=world.alice)


def save(world, author=None, **items):
    return js.journal_save(journal=world.journal, author=author or world.alice, **items)


def cell(lesson, student, value, **was):
    return {"lesson": lesson.pk, "student": student.pk, "value": value, **was}


def stored(lesson, student) -> str:
    marks = Mark.objects.filter(lesson=lesson, student=student).order_by("position", "id")
    return js.cell_text(list(marks), Attendance.objects.filter(lesson=lesson, student=student).first())


# ---------------------------------------------------------------------------------------------
# A cell


def test_a_cell_changed_meanwhile_is_a_conflict_with_the_stored_value_and_who_changed_it(world, lesson):
    """The second tab still shows the cell empty (was ""), the first saved «5» meanwhile: the second
    save's «4» is not written; the answer carries «5» and says who changed the cell, and when."""
    assert save(world, cells=[cell(lesson, world.anna, "5", was="")]).ok
    result = save(world, cells=[cell(lesson, world.anna, "4", was="")])
    (item,) = result.cells
    assert (item.ok, item.conflict, item.value) == (False, True, "5")
    assert item.error == "Клетку уже изменил(а) Алексеева А. в 12:00: сейчас «5». Ваше «4» не сохранено."
    assert stored(lesson, world.anna) == "5"
    assert Entry.objects.filter(object_type="mark").count() == 1


def test_a_conflict_names_a_change_made_on_another_day_with_its_date(world, lesson, frozen_now):
    save(world, author=world.bob, cells=[cell(lesson, world.anna, "н", was="")])
    frozen_now.shift(dt.timedelta(days=1))
    (item,) = save(world, cells=[cell(lesson, world.anna, "", was="")]).cells
    assert item.conflict and item.value == "н"
    assert item.error == (
        "Клетку уже изменил(а) Борисов Б. 20.11.2026 в 12:00: сейчас «н». Ваша очистка клетки не сохранена."
    )
    assert stored(lesson, world.anna) == "н"


def test_a_value_already_stored_is_simply_ok_and_a_matching_was_is_written(world, lesson):
    """A repeated save (a retry of a request whose answer was lost) finds its value stored: ok,
    nothing written twice; a save whose `was` is what is stored is written."""
    first = save(world, cells=[cell(lesson, world.anna, "5", was="")])
    again = save(world, cells=[cell(lesson, world.anna, "5", was="")])
    assert again.ok and again.cells[0].value == "5" and not again.cells[0].conflict
    changed = save(world, cells=[cell(lesson, world.anna, "4 5", was="5")])
    assert first.ok and changed.ok and changed.cells[0].value == "4 5"
    assert stored(lesson, world.anna) == "4 5"
    assert Entry.objects.filter(object_type="mark").count() == 3  # «5» created; then «5» → «4» and a new «5»
    assert verify_school(world.school).ok


def test_without_was_the_last_write_wins_and_each_write_is_logged_in_order(world, lesson):
    save(world, cells=[cell(lesson, world.anna, "5")])
    save(world, cells=[cell(lesson, world.anna, "н")])
    result = save(world, cells=[cell(lesson, world.anna, "3")])
    assert result.ok and stored(lesson, world.anna) == "3"
    log = list(
        Entry.objects.filter(lesson_id=lesson.pk, object_type__in=("mark", "attendance"))
        .order_by("seq")
        .values_list("object_type", "action")
    )
    assert log == [
        ("mark", "create"),
        ("mark", "delete"),
        ("attendance", "create"),
        ("mark", "create"),
        ("attendance", "delete"),
    ]


def test_a_conflicting_cell_leaves_the_other_cells_of_the_save(world, lesson):
    save(world, cells=[cell(lesson, world.anna, "5")])
    result = save(world, cells=[cell(lesson, world.anna, "2", was=""), cell(lesson, world.boris, "4", was="")])
    assert [(c.ok, c.conflict) for c in result.cells] == [(False, True), (True, False)]
    assert (stored(lesson, world.anna), stored(lesson, world.boris)) == ("5", "4")


def test_a_period_mark_changed_meanwhile_is_a_conflict(world):
    q2 = world.periods[1]
    item = {"period": q2.pk, "student": world.anna.pk, "value": "4", "was": ""}
    assert save(world, period_marks=[{**item, "value": "5"}]).ok
    (r,) = save(world, period_marks=[item]).period_marks
    assert (r.ok, r.conflict, r.value) == (False, True, "5")
    assert r.error.startswith("Отметку за период уже изменил(а) Алексеева А. в 12:00: сейчас «5».")
    assert PeriodMark.objects.get(student=world.anna).value == "5"


def test_cell_set_alone_reads_the_cell_again_under_the_lock(world, lesson):
    """A context loaded earlier (before another save committed) is not trusted by cell_set alone:
    it reads the cell again, so the cell does not end with two marks at position 0."""
    ctx = js.CellContext.load(world.journal, [lesson], [world.anna.pk])
    save(world, cells=[cell(lesson, world.anna, "5")])  # committed after ctx was loaded
    assert js.cell_set(ctx=ctx, lesson=lesson, student_id=world.anna.pk, text="4", author=world.alice) == "4"
    assert list(Mark.objects.filter(lesson=lesson).values_list("value", "position")) == [("4", 0)]
    with pytest.raises(js.Conflict):
        js.cell_set(ctx=ctx, lesson=lesson, student_id=world.anna.pk, text="3", author=world.alice, was="5")


@pytest.mark.parametrize("value", [["5"], {"v": 5}, True, 1.5])
def test_a_value_no_client_sends_is_a_refused_item(world, lesson, value):
    result = save(world, cells=[cell(lesson, world.anna, value), cell(lesson, world.boris, "5", was=[1])])
    assert [c.ok for c in result.cells] == [False, False]
    assert result.cells[0].error == "Неверное значение клетки."
    assert not Mark.objects.exists()


def test_ids_no_column_can_hold_are_not_found(world, lesson):
    result = save(
        world,
        cells=[{"lesson": 10**30, "student": world.anna.pk, "value": "5"}, cell(lesson, world.anna, "5")],
        lessons=[{"lesson": -1, "topic": "x"}],
        period_marks=[{"period": "9" * 40, "student": world.anna.pk, "value": "5"}],
    )
    assert [c.ok for c in result.cells] == [False, True]
    assert result.cells[0].error == "Клетка не найдена в этом журнале."
    assert result.lessons[0].error == "Урок не найден в этом журнале."
    assert result.period_marks[0].error == "Период не найден."


# ---------------------------------------------------------------------------------------------
# A lesson


def test_partial_lesson_saves_change_only_the_fields_they_name(world, lesson):
    """Issue 20: one save sends only the topic, the other only the homework; each writes its own
    field from the row as it is now, so neither writes back a stale copy of the other."""
    stale = Lesson.objects.get(pk=lesson.pk)  # what a second browser holds
    assert save(world, lessons=[{"lesson": lesson.pk, "homework": "Задание 3"}]).ok
    js.lesson_update(lesson=stale, author=world.alice, topic="Тема 3")
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework) == ("Тема 3", "Задание 3")
    last_topic = Entry.objects.filter(object_type="lesson", object_id=lesson.pk).latest("seq")
    assert last_topic.new["topic"] == "Тема 3"
    assert verify_school(world.school).ok


def test_untouched_fields_are_never_written_and_a_change_meanwhile_is_reported(world, lesson):
    """The panel sends every field with `was`: the ones equal to `was` were not touched — they are
    not written, and one that changed meanwhile comes back as «changed meanwhile»."""
    save(world, author=world.bob, lessons=[{"lesson": lesson.pk, "homework": "№ 5"}])
    shown = {"topic": "", "homework": "", "no_homework": False, "work_type": None, "comment": ""}
    result = save(world, lessons=[{"lesson": lesson.pk, **shown, "topic": "Дроби", "was": shown}])
    (item,) = result.lessons
    assert item.ok and not item.conflict
    assert item.changed == {
        "homework": "Поле «Домашнее задание» тем временем изменил(а) Борисов Б. в 12:00: сейчас «№ 5»."
    }
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework) == ("Дроби", "№ 5")


def test_a_touched_field_changed_meanwhile_is_a_conflict_for_that_field_only(world, lesson):
    save(world, author=world.bob, lessons=[{"lesson": lesson.pk, "topic": "Тема Б"}])
    shown = {"topic": "", "homework": "", "no_homework": False, "work_type": None, "comment": ""}
    item = {"lesson": lesson.pk, **shown, "topic": "Тема А", "comment": "устно", "was": shown}
    (r,) = save(world, lessons=[item]).lessons
    assert (r.ok, r.conflict) == (False, True)
    assert r.conflicts == {
        "topic": "Поле «Тема урока» уже изменил(а) Борисов Б. в 12:00: сейчас «Тема Б». "
        "Ваше значение «Тема А» не сохранено."
    }
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.comment) == ("Тема Б", "устно")


def test_homework_and_no_homework_conflict_together(world, lesson):
    """«Без задания» clears the homework: ticking it over homework somebody wrote meanwhile would
    erase that homework, so both are the conflict."""
    save(world, author=world.bob, lessons=[{"lesson": lesson.pk, "homework": "№ 7"}])
    item = {
        "lesson": lesson.pk,
        "homework": "",
        "no_homework": True,
        "was": {"homework": "", "no_homework": False},
    }
    (r,) = save(world, lessons=[item]).lessons
    assert r.conflict and set(r.conflicts) == {"homework"}
    lesson.refresh_from_db()
    assert (lesson.homework, lesson.no_homework) == ("№ 7", False)


# ---------------------------------------------------------------------------------------------
# A substitute's scope (ORG-8, issue 12): the service's rule


def test_only_lessons_refuses_other_lessons_and_every_period_mark(world, lesson):
    """ORG-8: journal_save with a substitute's lessons writes those and refuses the rest with the
    reasons, whoever calls it (the grid, the lesson page, the API to come)."""
    other = js.lesson_create(journal=world.journal, date=DAY, number=2, author=world.alice)
    result = save(
        world,
        author=world.bob,
        only_lessons=frozenset({lesson.pk}),
        cells=[cell(lesson, world.anna, "5"), cell(other, world.anna, "4")],
        lessons=[{"lesson": other.pk, "topic": "Чужая"}, {"lesson": lesson.pk, "topic": "Своя"}],
        period_marks=[{"period": world.periods[1].pk, "student": world.anna.pk, "value": "5"}],
    )
    assert [c.ok for c in result.cells] == [True, False]
    assert result.cells[1].error == (
        "Вы заменяете учителя только на своём уроке: другие уроки этого журнала изменять нельзя."
    )
    assert [r.ok for r in result.lessons] == [True, False]
    assert result.period_marks[0].error == "Отметку за период ставит учитель, который ведёт журнал."
    assert list(Mark.objects.values_list("lesson_id", "value")) == [(lesson.pk, "5")]
    assert Lesson.objects.get(pk=other.pk).topic == "" and Lesson.objects.get(pk=lesson.pk).topic == "Своя"
    assert not PeriodMark.objects.exists()


# ---------------------------------------------------------------------------------------------
# A deadlock is retried once


def _deadlock():
    class Cause(Exception):
        sqlstate = "40P01"

    exc = OperationalError("deadlock detected")
    exc.__cause__ = Cause()
    return exc


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_is_retried_once_and_the_save_goes_through(world, lesson):
    real = locking.lock_journals
    calls = []

    def flaky(ids):
        calls.append(ids)
        if len(calls) == 1:
            raise _deadlock()
        return real(ids)

    with mock.patch.object(locking, "lock_journals", flaky):
        result = save(world, cells=[cell(lesson, world.anna, "5")], lessons=[{"lesson": lesson.pk, "topic": "Т"}])
    assert result.ok and len(calls) >= 2
    assert stored(lesson, world.anna) == "5"
    assert Entry.objects.filter(object_type="mark").count() == 1  # the first attempt left nothing
    assert verify_school(world.school).ok


@pytest.mark.django_db(transaction=True)
def test_a_second_deadlock_is_a_russian_error_item_marked_for_retry(world, lesson):
    def always(ids):
        raise _deadlock()

    with mock.patch.object(locking, "lock_journals", always):
        result = save(world, cells=[cell(lesson, world.anna, "5")])
    (item,) = result.cells
    assert (item.ok, item.retry, item.value) == (False, True, None)
    assert item.error == "Сохранение не удалось: журнал в этот момент одновременно изменяли. Повторите сохранение."
    assert not Mark.objects.exists()


def test_another_database_error_is_not_retried(world, lesson):
    with mock.patch.object(locking, "lock_journals", side_effect=OperationalError("disk full")):
        with pytest.raises(OperationalError):
            save(world, cells=[cell(lesson, world.anna, "5")])
