"""Every change of the journal is in the change log with author, time, old and new (ARC-1),
written in the same transaction as the change itself."""

import datetime as dt

import pytest
from django.db import transaction

from apps.audit.models import ChainHead, Entry
from apps.audit.selectors import cell_history, lesson_history
from apps.journal import services as js
from apps.journal.models import Attendance, Mark, PeriodMark
from conftest import NOW

DAY = dt.date(2026, 11, 18)


def save_cell(world, lesson, student, value, author=None):
    result = js.journal_save(
        journal=world.journal,
        author=author or world.alice,
        cells=[{"lesson": lesson.pk, "student": student.pk, "value": value}],
    )
    return result.cells[0]


def last_entry(**filters) -> Entry:
    return Entry.objects.filter(**filters).order_by("-seq").first()


@pytest.fixture
def lesson(world):
    return js.lesson_create(journal=world.journal, date=DAY, number=2, author=world.alice, topic="Дроби")


def test_lesson_create_is_logged(world, lesson):
    """ARC-1: creating a lesson leaves an entry with its author, the time, no old and the new lesson."""
    entry = Entry.objects.get(object_type="lesson", object_id=lesson.pk)
    assert entry.action == Entry.Action.CREATE
    assert entry.author == world.alice
    assert entry.at == NOW
    assert entry.school_id == world.school.pk
    assert entry.old is None
    assert entry.new["topic"] == "Дроби"
    assert entry.new["date"] == "2026-11-18"
    assert entry.new["number"] == 2
    assert entry.journal_id == world.journal.pk and entry.lesson_id == lesson.pk


def test_topic_update_is_logged_with_old_and_new(world, lesson):
    """ARC-1: changing the topic in the grid logs the topic before and after."""
    result = js.journal_save(
        journal=world.journal, author=world.alice, lessons=[{"lesson": lesson.pk, "topic": "Сложение дробей"}]
    )
    assert result.ok
    entry = last_entry(object_type="lesson", object_id=lesson.pk)
    assert entry.action == Entry.Action.UPDATE
    assert entry.author == world.alice
    assert (entry.old["topic"], entry.new["topic"]) == ("Дроби", "Сложение дробей")
    assert [e.action for e in lesson_history(school_id=world.school.pk, lesson_id=lesson.pk)] == ["create", "update"]


def test_homework_update_and_no_homework_are_logged(world, lesson):
    """ARC-1: homework is logged when set and when replaced by «Без задания»."""
    js.journal_save(journal=world.journal, author=world.alice, lessons=[{"lesson": lesson.pk, "homework": "§12, №5"}])
    set_hw = last_entry(object_type="homework", object_id=lesson.pk)
    assert set_hw.old == {"homework": "", "no_homework": False}
    assert set_hw.new == {"homework": "§12, №5", "no_homework": False}
    assert set_hw.author == world.alice and set_hw.at == NOW

    js.journal_save(journal=world.journal, author=world.alice, lessons=[{"lesson": lesson.pk, "no_homework": True}])
    none_hw = last_entry(object_type="homework", object_id=lesson.pk)
    assert none_hw.seq == set_hw.seq + 1
    assert none_hw.old == {"homework": "§12, №5", "no_homework": False}
    assert none_hw.new == {"homework": "", "no_homework": True}
    # The topic did not change, so no lesson entry was added.
    assert Entry.objects.filter(object_type="lesson", object_id=lesson.pk).count() == 1


def test_mark_create_update_delete_are_logged(world, lesson):
    """ARC-1: a mark typed, changed and cleared leaves three entries in the history of the cell."""
    assert save_cell(world, lesson, world.anna, "5").ok
    mark = Mark.objects.get()
    assert save_cell(world, lesson, world.anna, "4").ok
    assert save_cell(world, lesson, world.anna, "").ok
    assert not Mark.objects.exists()

    history = list(cell_history(school_id=world.school.pk, lesson_id=lesson.pk, student_id=world.anna.pk))
    assert [(e.action, e.object_id) for e in history] == [("create", mark.pk), ("update", mark.pk), ("delete", mark.pk)]
    created, updated, deleted = history
    assert created.old is None and created.new["value"] == "5"
    assert created.new["work_type"] == mark.work_type_id and created.new["weight"] == "1.00"
    assert (updated.old["value"], updated.new["value"]) == ("5", "4")
    assert deleted.old["value"] == "4" and deleted.new is None
    assert all(e.author == world.alice and e.at == NOW for e in history)
    assert all(e.journal_id == world.journal.pk for e in history)


def test_mark_work_type_change_is_logged(world, lesson):
    """ARC-1: changing what a mark was for (type of work, hence its weight) is logged."""
    save_cell(world, lesson, world.anna, "5")
    mark = Mark.objects.get()
    test_work = next(wt for wt in world.work_types if wt.name == "Контрольная работа")
    js.mark_update(mark=mark, author=world.alice, work_type=test_work)
    entry = last_entry(object_type="mark", object_id=mark.pk)
    assert entry.action == Entry.Action.UPDATE
    assert entry.old["work_type"] != test_work.pk and entry.old["weight"] == "1.00"
    assert entry.new["work_type"] == test_work.pk and entry.new["weight"] == "2.00"
    assert entry.old["value"] == entry.new["value"] == "5"
    assert entry.student_id == world.anna.pk and entry.lesson_id == lesson.pk


def test_attendance_create_reason_delete_are_logged(world, lesson):
    """ARC-1: an absence typed, its reason set by the class teacher, and the absence removed are logged."""
    save_cell(world, lesson, world.boris, "н")
    absence = Attendance.objects.get()
    js.attendance_reason_set(attendance=absence, reason=Attendance.Reason.ILLNESS, author=world.carol)
    save_cell(world, lesson, world.boris, "")

    history = list(cell_history(school_id=world.school.pk, lesson_id=lesson.pk, student_id=world.boris.pk))
    assert [(e.object_type, e.action) for e in history] == [
        ("attendance", "create"),
        ("attendance", "update"),
        ("attendance", "delete"),
    ]
    created, reason, deleted = history
    assert created.new == {"lesson": lesson.pk, "student": world.boris.pk, "kind": "absent", "reason": ""}
    assert reason.author == world.carol
    assert (reason.old["reason"], reason.new["reason"]) == ("", "illness")
    assert deleted.old["reason"] == "illness" and deleted.new is None and deleted.author == world.alice


def test_period_mark_create_update_delete_are_logged(world):
    """ARC-1: a quarter mark set, changed and cleared is logged with old and new values."""
    quarter = world.periods[0]

    def put(value):
        result = js.journal_save(
            journal=world.journal,
            author=world.alice,
            period_marks=[{"period": quarter.pk, "student": world.anna.pk, "value": value}],
        )
        assert result.ok, result.period_marks

    put("4")
    pm = PeriodMark.objects.get()
    put("5")
    put("")
    entries = list(Entry.objects.filter(object_type="period_mark", object_id=pm.pk).order_by("seq"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[0].old is None and entries[0].new["value"] == "4"
    assert (entries[1].old["value"], entries[1].new["value"]) == ("4", "5")
    assert entries[2].old["value"] == "5" and entries[2].new is None
    assert all(e.author == world.alice and e.student_id == world.anna.pk for e in entries)


def test_refused_cell_leaves_no_entry(world, lesson):
    """ARC-1, JRN-3: a refused cell writes neither data nor a log entry; its neighbour is saved and logged."""
    before = Entry.objects.count()
    result = js.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[
            {"lesson": lesson.pk, "student": world.anna.pk, "value": "5 7"},
            {"lesson": lesson.pk, "student": world.boris.pk, "value": "3"},
        ],
    )
    assert [c.ok for c in result.cells] == [False, True]
    assert Entry.objects.count() == before + 1
    assert last_entry().student_id == world.boris.pk


def test_refused_future_cell_leaves_no_entry(world):
    """ARC-1: a mark for a lesson in the future is refused and nothing is logged."""
    future = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 25), number=1, author=world.alice)
    before = Entry.objects.count()
    assert not save_cell(world, future, world.anna, "5").ok
    assert Entry.objects.count() == before
    assert not Mark.objects.exists()


def test_rolled_back_transaction_leaves_neither_mark_nor_entry(world, lesson):
    """ARC-1: the change and its entry commit or roll back together — no entry without data, no data
    without entry."""
    head_before = ChainHead.objects.get(school=world.school)
    entries_before = Entry.objects.count()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            assert save_cell(world, lesson, world.anna, "5").ok
            assert Mark.objects.count() == 1 and Entry.objects.count() == entries_before + 1
            raise RuntimeError("the request failed after the save")
    assert not Mark.objects.exists()
    assert Entry.objects.count() == entries_before
    head_after = ChainHead.objects.get(school=world.school)
    assert (head_after.seq, head_after.last_hash) == (head_before.seq, head_before.last_hash)
    # The next save takes the next link as if nothing had happened.
    assert save_cell(world, lesson, world.anna, "4").ok
    assert last_entry().seq == head_before.seq + 1


def test_append_bumps_and_locks_the_journals_before_the_chain_head(world):
    """The lock order of every journal writer is its journals, then the school's chain head
    (docs/architecture.md §4): append takes the journals' rows before the head even for a writer
    that did not lock them itself, so it cannot deadlock against one that did."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.audit import services as audit

    change = audit.Change(
        school_id=world.school.pk,
        author_id=world.alice.pk,
        action="create",
        object_type="probe",
        object_id=1,
        old=None,
        new={"n": 1},
        journal_id=world.journal.pk,
    )
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        audit.append(world.school.pk, [change])
    sqls = [q["sql"] for q in ctx.captured_queries]
    journal = min(i for i, sql in enumerate(sqls) if '"journal_journal"' in sql)
    head = min(i for i, sql in enumerate(sqls) if '"audit_chainhead"' in sql)
    assert journal < head, sqls
