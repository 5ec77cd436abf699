"""Putting a journal record back into a logged state (ACC-10: reverting what a compromised
account did), through the same snapshot shapes the change log keeps (apps.journal.snapshots).

`state` is a snapshot as logged in an Entry's `old` or `new`; None means «the record does not
exist». Each function brings the row to that state — creating it (with its old id), updating it
or deleting it — and records what it did through apps.audit.services.record, author = whoever
restores, in one transaction; so `verify_changelog` still finds the data equal to the log.
When the row already is in that state nothing is written and None is returned; otherwise the
returned Change is what was logged.

These functions do not judge whether restoring is right (whether somebody changed the record
since): the caller (apps.compromise.services) decides that from the change log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.audit import services as audit
from apps.people.models import Student
from apps.schools.models import Period, WorkType

from .locking import journal_write
from .models import Attendance, Journal, Lesson, Mark, PeriodMark
from .snapshots import (
    attendance_snapshot,
    homework_snapshot,
    lesson_snapshot,
    mark_snapshot,
    period_mark_snapshot,
)


class RestoreError(Exception):
    """The state cannot be restored (the lesson it belongs to is gone, a lesson still has marks …)."""


def _record(school_id, author, action, object_type, object_id, old, new, *, journal_id, lesson_id, student_id):
    change = audit.Change(
        school_id=school_id,
        author_id=author.pk if author else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        old=old,
        new=new,
        journal_id=journal_id,
        lesson_id=lesson_id,
        student_id=student_id,
    )
    audit.record(change)
    return change


def _lesson_in_school(school_id: int, lesson_id) -> Lesson:
    lesson = Lesson.objects.filter(pk=lesson_id, school_id=school_id).select_related("journal").first()
    if lesson is None:
        raise RestoreError(f"lesson {lesson_id} is not in school {school_id}")
    return lesson


def _student_in_school(school_id: int, student_id) -> None:
    if not Student.objects.filter(pk=student_id, school_id=school_id).exists():
        raise RestoreError(f"student {student_id} is not in school {school_id}")


def _work_type(school_id: int, pk) -> WorkType:
    wt = WorkType.objects.filter(pk=pk, school_id=school_id).first()
    if wt is None:
        raise RestoreError(f"work type {pk} is not in school {school_id}")
    return wt


def _journals(school_id: int, model, object_id: int, state: dict | None, *, via_lesson: bool) -> list[int]:
    """The journals a restore writes: the record's now and the one its state belongs to. They are
    locked before the record is read (apps.journal.locking), like every journal writer does."""
    path = "lesson__journal_id" if via_lesson else "journal_id"
    ids = list(model.objects.filter(pk=object_id, school_id=school_id).values_list(path, flat=True))
    if state is not None:
        if via_lesson:
            ids += Lesson.objects.filter(pk=state.get("lesson"), school_id=school_id).values_list(
                "journal_id", flat=True
            )
        elif state.get("journal") is not None:
            ids.append(state["journal"])
    return ids


# ---------------------------------------------------------------------------------------------
# Marks


def restore_mark(*, school_id: int, mark_id: int, state: dict | None, author) -> audit.Change | None:
    """A created mark → deleted (state None); an updated one → back to `state`; a deleted one →
    recreated from `state`, with its old id, after the marks still in its cell."""
    with journal_write(_journals(school_id, Mark, mark_id, state, via_lesson=True)):
        mark = Mark.objects.select_for_update().filter(pk=mark_id, school_id=school_id).first()
        current = mark_snapshot(mark) if mark else None
        if current == state:
            return None
        if state is None:
            lesson = _lesson_in_school(school_id, mark.lesson_id)
            mark.delete()
            return _record(
                school_id,
                author,
                "delete",
                "mark",
                mark_id,
                current,
                None,
                journal_id=lesson.journal_id,
                lesson_id=lesson.pk,
                student_id=current["student"],
            )
        lesson = _lesson_in_school(school_id, state["lesson"])
        _student_in_school(school_id, state["student"])
        wt = _work_type(school_id, state["work_type"])
        if mark is None:
            position = Mark.objects.filter(lesson=lesson, student_id=state["student"]).count()
            mark = Mark.objects.create(
                pk=mark_id,
                school_id=school_id,
                lesson=lesson,
                student_id=state["student"],
                value=state["value"],
                grading_system=lesson.journal.grading_system,
                work_type=wt,
                weight=Decimal(state["weight"]),
                comment=state.get("comment", ""),
                position=position,
                author=author,
            )
            action = "create"
        else:
            mark.lesson, mark.student_id = lesson, state["student"]
            mark.value, mark.work_type = state["value"], wt
            mark.weight, mark.comment = Decimal(state["weight"]), state.get("comment", "")
            mark.save(update_fields=["lesson", "student", "value", "work_type", "weight", "comment", "updated_at"])
            action = "update"
        return _record(
            school_id,
            author,
            action,
            "mark",
            mark_id,
            current,
            mark_snapshot(mark),
            journal_id=lesson.journal_id,
            lesson_id=lesson.pk,
            student_id=mark.student_id,
        )


# ---------------------------------------------------------------------------------------------
# Attendance


def restore_attendance(*, school_id: int, attendance_id: int, state: dict | None, author) -> audit.Change | None:
    """An «н»/«оп» put → removed; changed → back; removed → put back (with its reason)."""
    with journal_write(_journals(school_id, Attendance, attendance_id, state, via_lesson=True)):
        row = Attendance.objects.select_for_update().filter(pk=attendance_id, school_id=school_id).first()
        current = attendance_snapshot(row) if row else None
        if current == state:
            return None
        if state is None:
            lesson = _lesson_in_school(school_id, row.lesson_id)
            row.delete()
            return _record(
                school_id,
                author,
                "delete",
                "attendance",
                attendance_id,
                current,
                None,
                journal_id=lesson.journal_id,
                lesson_id=lesson.pk,
                student_id=current["student"],
            )
        lesson = _lesson_in_school(school_id, state["lesson"])
        _student_in_school(school_id, state["student"])
        if row is None:
            if Attendance.objects.filter(lesson=lesson, student_id=state["student"]).exists():
                raise RestoreError("the cell has another attendance record now")
            row = Attendance.objects.create(
                pk=attendance_id,
                school_id=school_id,
                lesson=lesson,
                student_id=state["student"],
                kind=state["kind"],
                reason=state.get("reason", ""),
                author=author,
            )
            action = "create"
        else:
            row.kind, row.reason, row.author = state["kind"], state.get("reason", ""), author
            row.save(update_fields=["kind", "reason", "author", "updated_at"])
            action = "update"
        return _record(
            school_id,
            author,
            action,
            "attendance",
            attendance_id,
            current,
            attendance_snapshot(row),
            journal_id=lesson.journal_id,
            lesson_id=lesson.pk,
            student_id=row.student_id,
        )


# ---------------------------------------------------------------------------------------------
# Period marks


def restore_period_mark(*, school_id: int, period_mark_id: int, state: dict | None, author) -> audit.Change | None:
    with journal_write(_journals(school_id, PeriodMark, period_mark_id, state, via_lesson=False)):
        row = PeriodMark.objects.select_for_update().filter(pk=period_mark_id, school_id=school_id).first()
        current = period_mark_snapshot(row) if row else None
        if current == state:
            return None
        if state is None:
            row.delete()
            return _record(
                school_id,
                author,
                "delete",
                "period_mark",
                period_mark_id,
                current,
                None,
                journal_id=current["journal"],
                lesson_id=None,
                student_id=current["student"],
            )
        journal = Journal.objects.filter(pk=state["journal"], school_id=school_id).first()
        period = Period.objects.filter(pk=state["period"], school_id=school_id).first()
        if journal is None or period is None:
            raise RestoreError("the journal or the period is not in this school")
        _student_in_school(school_id, state["student"])
        if row is None:
            if PeriodMark.objects.filter(journal=journal, period=period, student_id=state["student"]).exists():
                raise RestoreError("the student has another period mark now")
            row = PeriodMark.objects.create(
                pk=period_mark_id,
                school_id=school_id,
                journal=journal,
                period=period,
                student_id=state["student"],
                value=state["value"],
                author=author,
            )
            action = "create"
        else:
            row.value, row.author = state["value"], author
            row.save(update_fields=["value", "author", "updated_at"])
            action = "update"
        return _record(
            school_id,
            author,
            action,
            "period_mark",
            period_mark_id,
            current,
            period_mark_snapshot(row),
            journal_id=row.journal_id,
            lesson_id=None,
            student_id=row.student_id,
        )


# ---------------------------------------------------------------------------------------------
# Lessons: the lesson's own fields, and its homework (a second logged facet of the same row)


def restore_lesson(*, school_id: int, lesson_id: int, state: dict | None, author) -> audit.Change | None:
    """Topic, comment, default work type, status (and date, number) back to `state`; a lesson
    created by the compromised account (state None) is deleted, if nothing is left on it."""
    with journal_write(_journals(school_id, Lesson, lesson_id, None, via_lesson=False)):
        lesson = Lesson.objects.select_for_update().filter(pk=lesson_id, school_id=school_id).first()
        current = lesson_snapshot(lesson) if lesson else None
        if current == state:
            return None
        if lesson is None:
            raise RestoreError("a deleted lesson is not recreated")  # the journal never deletes lessons
        if state is None:
            if Mark.objects.filter(lesson=lesson).exists() or Attendance.objects.filter(lesson=lesson).exists():
                raise RestoreError("the lesson still has marks or attendance")
            journal_id = lesson.journal_id
            lesson.delete()  # its homework goes with it (a facet of the same row)
            return _record(
                school_id,
                author,
                "delete",
                "lesson",
                lesson_id,
                current,
                None,
                journal_id=journal_id,
                lesson_id=lesson_id,
                student_id=None,
            )
        if state["journal"] != lesson.journal_id:
            raise RestoreError("a lesson does not move between journals")
        wt = _work_type(school_id, state["work_type"]) if state.get("work_type") is not None else None
        lesson.date = dt.date.fromisoformat(state["date"])
        lesson.number = state["number"]
        lesson.topic, lesson.comment = state.get("topic", ""), state.get("comment", "")
        lesson.work_type, lesson.status = wt, state["status"]
        lesson.save(update_fields=["date", "number", "topic", "comment", "work_type", "status"])
        return _record(
            school_id,
            author,
            "update",
            "lesson",
            lesson_id,
            current,
            lesson_snapshot(lesson),
            journal_id=lesson.journal_id,
            lesson_id=lesson_id,
            student_id=None,
        )


def restore_homework(*, school_id: int, lesson_id: int, state: dict | None, author) -> audit.Change | None:
    """The homework of a lesson back to `state` ({"homework", "no_homework"})."""
    if state is None:
        return None  # homework is never created or deleted on its own: it lives and dies with its lesson
    with journal_write(_journals(school_id, Lesson, lesson_id, None, via_lesson=False)):
        lesson = Lesson.objects.select_for_update().filter(pk=lesson_id, school_id=school_id).first()
        if lesson is None:
            raise RestoreError("the lesson is gone")
        current = homework_snapshot(lesson)
        if current == state:
            return None
        lesson.homework, lesson.no_homework = state.get("homework", ""), bool(state.get("no_homework"))
        lesson.save(update_fields=["homework", "no_homework"])
        return _record(
            school_id,
            author,
            "update",
            "homework",
            lesson_id,
            current,
            homework_snapshot(lesson),
            journal_id=lesson.journal_id,
            lesson_id=lesson_id,
            student_id=None,
        )


RESTORERS = {
    "mark": lambda school_id, object_id, state, author: restore_mark(
        school_id=school_id, mark_id=object_id, state=state, author=author
    ),
    "attendance": lambda school_id, object_id, state, author: restore_attendance(
        school_id=school_id, attendance_id=object_id, state=state, author=author
    ),
    "period_mark": lambda school_id, object_id, state, author: restore_period_mark(
        school_id=school_id, period_mark_id=object_id, state=state, author=author
    ),
    "lesson": lambda school_id, object_id, state, author: restore_lesson(
        school_id=school_id, lesson_id=object_id, state=state, author=author
    ),
    "homework": lambda school_id, object_id, state, author: restore_homework(
        school_id=school_id, lesson_id=object_id, state=state, author=author
    ),
}


def restore(*, object_type: str, school_id: int, object_id: int, state: dict | None, author) -> audit.Change | None:
    """Restore any journal record kind (a key of RESTORERS) to `state`."""
    try:
        restorer = RESTORERS[object_type]
    except KeyError:
        raise RestoreError(f"{object_type} records are not restored") from None
    return restorer(school_id, object_id, state, author)
