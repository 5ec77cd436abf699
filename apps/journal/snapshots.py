"""The logged shape of each journal record (used for the change log and its verification)."""

from decimal import Decimal

from apps.audit.registry import register


def mark_snapshot(m) -> dict:
    return {
        "lesson": m.lesson_id,
        "student": m.student_id,
        "value": m.value,
        "work_type": m.work_type_id,
        # As the database returns it ("1.50"), even when the weight came from an unsaved value.
        "weight": f"{Decimal(str(m.weight)):.2f}",
        "comment": m.comment,
    }


def attendance_snapshot(a) -> dict:
    return {"lesson": a.lesson_id, "student": a.student_id, "kind": a.kind, "reason": a.reason}


def lesson_snapshot(lesson) -> dict:
    return {
        "journal": lesson.journal_id,
        "date": lesson.date.isoformat(),
        "number": lesson.number,
        "topic": lesson.topic,
        "comment": lesson.comment,
        "work_type": lesson.work_type_id,
        "status": lesson.status,
    }


def homework_snapshot(lesson) -> dict:
    return {"homework": lesson.homework, "no_homework": lesson.no_homework}


def period_mark_snapshot(pm) -> dict:
    return {"journal": pm.journal_id, "period": pm.period_id, "student": pm.student_id, "value": pm.value}


def register_all():
    register("mark", "journal.Mark", mark_snapshot, "отметка")
    register("attendance", "journal.Attendance", attendance_snapshot, "посещаемость")
    register("lesson", "journal.Lesson", lesson_snapshot, "урок")
    register("homework", "journal.Lesson", homework_snapshot, "домашнее задание")
    register("period_mark", "journal.PeriodMark", period_mark_snapshot, "отметка за период")
