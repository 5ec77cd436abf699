"""apps.journal.restore: a journal record put back into a logged state, the restoration itself
logged (ACC-10, ARC-1), and the change log still matching the data."""

import datetime as dt

import pytest
from django.core.management import call_command

from apps.audit.models import Entry
from apps.audit.verify import verify_changelog
from apps.journal import restore, services
from apps.journal.models import Attendance, Lesson, Mark, PeriodMark
from apps.journal.snapshots import attendance_snapshot, homework_snapshot, lesson_snapshot, mark_snapshot
from tests import factories as f

DAY = dt.date(2026, 11, 18)


@pytest.fixture
def lesson(world):
    return services.lesson_create(journal=world.journal, date=DAY, number=1, author=world.alice, topic="Дроби")


def save(world, lesson, **cells):
    """cells: student attribute → text, saved by alice."""
    result = services.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": lesson.pk, "student": getattr(world, k).pk, "value": v} for k, v in cells.items()],
    )
    assert result.ok, result


def last_entry(object_type, object_id) -> Entry:
    return Entry.objects.filter(object_type=object_type, object_id=object_id).order_by("-seq").first()


def assert_log_matches_data():
    result = verify_changelog()
    assert result.ok, [p.message for s in result.schools for p in ([s.chain_problem] if s.chain_problem else [])] + [
        p.message for s in result.schools for p in s.data_problems
    ]


def test_mark_restored_in_every_direction(world, lesson):
    """ACC-10, ARC-1: a created mark is deleted, an updated one restored, a deleted one recreated with
    its id; each restoration is an entry by whoever restored; the log still matches the data."""
    save(world, lesson, anna="5")
    mark = Mark.objects.get(student=world.anna)
    original = mark_snapshot(mark)
    save(world, lesson, anna="2")  # updated
    change = restore.restore_mark(school_id=world.school.pk, mark_id=mark.pk, state=original, author=world.admin)
    assert change is not None and Mark.objects.get(pk=mark.pk).value == "5"
    entry = last_entry("mark", mark.pk)
    assert (entry.author, entry.action, entry.old["value"], entry.new["value"]) == (world.admin, "update", "2", "5")
    assert (entry.journal_id, entry.lesson_id, entry.student_id) == (world.journal.pk, lesson.pk, world.anna.pk)

    save(world, lesson, anna="")  # deleted
    restore.restore_mark(school_id=world.school.pk, mark_id=mark.pk, state=original, author=world.admin)
    again = Mark.objects.get(pk=mark.pk)
    assert (again.value, again.student_id, again.lesson_id) == ("5", world.anna.pk, lesson.pk)
    assert last_entry("mark", mark.pk).action == "create"

    restore.restore_mark(school_id=world.school.pk, mark_id=mark.pk, state=None, author=world.admin)  # created → gone
    assert not Mark.objects.filter(pk=mark.pk).exists()
    assert last_entry("mark", mark.pk).action == "delete"
    assert_log_matches_data()
    call_command("verify_changelog")  # the command exits 0 as well


def test_nothing_is_written_when_the_record_already_is_so(world, lesson):
    """ACC-10: restoring a record to the state it has writes nothing and logs nothing."""
    save(world, lesson, anna="5")
    mark = Mark.objects.get(student=world.anna)
    before = Entry.objects.count()
    same = mark_snapshot(mark)
    assert restore.restore_mark(school_id=world.school.pk, mark_id=mark.pk, state=same, author=None) is None
    assert Entry.objects.count() == before


def test_attendance_restored_with_its_reason(world, lesson):
    """ACC-10: an absence removed is put back with the reason it had; one put is removed."""
    save(world, lesson, boris="н")
    absence = Attendance.objects.get(student=world.boris)
    services.attendance_reason_set(attendance=absence, reason="illness", author=world.carol)
    state = attendance_snapshot(Attendance.objects.get(pk=absence.pk))
    save(world, lesson, boris="")
    restore.restore_attendance(school_id=world.school.pk, attendance_id=absence.pk, state=state, author=world.admin)
    back = Attendance.objects.get(pk=absence.pk)
    assert (back.kind, back.reason) == ("absent", "illness")
    restore.restore_attendance(school_id=world.school.pk, attendance_id=absence.pk, state=None, author=world.admin)
    assert not Attendance.objects.filter(pk=absence.pk).exists()
    assert_log_matches_data()


def test_lesson_fields_and_homework_restored(world, lesson):
    """ACC-10: topic, comment and status back; homework back (a facet of the same row); each logged
    under its own kind."""
    lesson_state, homework_state = lesson_snapshot(lesson), homework_snapshot(lesson)
    services.lesson_update(lesson=lesson, author=world.alice, topic="Чужая тема", homework="стр. 99", comment="!")
    restore.restore_lesson(school_id=world.school.pk, lesson_id=lesson.pk, state=lesson_state, author=world.admin)
    restore.restore_homework(school_id=world.school.pk, lesson_id=lesson.pk, state=homework_state, author=world.admin)
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.comment, lesson.homework) == ("Дроби", "", "")
    assert last_entry("lesson", lesson.pk).author == world.admin
    assert last_entry("homework", lesson.pk).author == world.admin
    assert_log_matches_data()


def test_a_created_lesson_is_removed_only_when_empty(world):
    """ACC-10: a lesson created by the compromised account goes away, but not while a mark stays on it."""
    lesson = services.lesson_create(journal=world.journal, date=DAY, number=3, author=world.alice)
    save(world, lesson, anna="4")
    with pytest.raises(restore.RestoreError):
        restore.restore_lesson(school_id=world.school.pk, lesson_id=lesson.pk, state=None, author=world.admin)
    assert Lesson.objects.filter(pk=lesson.pk).exists()
    mark = Mark.objects.get(lesson=lesson)
    restore.restore_mark(school_id=world.school.pk, mark_id=mark.pk, state=None, author=world.admin)
    restore.restore_lesson(school_id=world.school.pk, lesson_id=lesson.pk, state=None, author=world.admin)
    assert not Lesson.objects.filter(pk=lesson.pk).exists()
    assert_log_matches_data()


def test_period_mark_restored(world):
    """ACC-10: a period mark set is removed; one changed is restored."""
    q2 = world.periods[1]
    anna = world.anna.pk
    pm = services.period_mark_set(journal=world.journal, period=q2, student_id=anna, value="4", author=world.alice)
    services.period_mark_set(journal=world.journal, period=q2, student_id=anna, value="2", author=world.alice)
    restore.restore_period_mark(
        school_id=world.school.pk,
        period_mark_id=pm.pk,
        state={"journal": world.journal.pk, "period": q2.pk, "student": world.anna.pk, "value": "4"},
        author=world.admin,
    )
    assert PeriodMark.objects.get(pk=pm.pk).value == "4"
    restore.restore_period_mark(school_id=world.school.pk, period_mark_id=pm.pk, state=None, author=world.admin)
    assert not PeriodMark.objects.exists()
    assert_log_matches_data()


def test_restore_stays_inside_the_school(world, lesson):
    """ACC-10: a state pointing at another school's lesson is refused, and nothing is written."""
    save(world, lesson, anna="5")
    mark = Mark.objects.get(student=world.anna)
    other = f.SchoolFactory()
    before = Entry.objects.count()
    with pytest.raises(restore.RestoreError):
        forged = mark_snapshot(mark) | {"value": "2"}
        restore.restore_mark(school_id=other.pk, mark_id=mark.pk, state=forged, author=None)
    assert Entry.objects.count() == before and Mark.objects.get(pk=mark.pk).value == "5"
