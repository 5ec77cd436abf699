"""Writes to the journal. Every function validates, writes, logs the change (ARC-1) in the same
transaction, and returns. Authorization (may this user write this journal?) is decided before,
in apps.accounts.access; these functions enforce the rules of the journal itself.

The grid saves through `journal_save`: one invalid cell is reported and every other cell of the
same save is kept. A cell is validated completely before its first write, so a refused cell has
written nothing and needs no savepoint (two round trips per cell saved, `make bench`); each lesson
field and period mark is applied in its own savepoint.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.people.models import GroupMembership, Student
from apps.schools.models import Period, WorkType

from .grading import GradingSystem, PeriodValue
from .models import Attendance, Journal, Lesson, Mark, PeriodMark
from .snapshots import (
    attendance_snapshot,
    homework_snapshot,
    lesson_snapshot,
    mark_snapshot,
    period_mark_snapshot,
)

MAX_MARKS_PER_CELL = 4
ABSENT_TOKENS = {"н", "n", "y"}  # «н»; "y" is the same key on a Latin layout
TOKEN_SPLIT = re.compile(r"[\s/,;]+")


class JournalError(ValidationError):
    """A rule of the journal refused the input; the message is for the user, in Russian."""


def school_today(school) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(school.timezone)).date()


def _fmt(day: dt.date) -> str:
    return date_format(day, "d.m.Y")


# ---------------------------------------------------------------------------------------------
# Parsing a cell


@dataclass
class CellInput:
    marks: list[str] = field(default_factory=list)
    absent: bool = False


def parse_cell(text: str, system: str) -> CellInput:
    """«5 4» → two marks; «н» → absent; «» → empty. Raises JournalError with the reason."""
    allowed = GradingSystem.allowed(system)
    result = CellInput()
    for raw in TOKEN_SPLIT.split((text or "").strip()):
        token = raw.strip().lower()
        if not token:
            continue
        if token in ABSENT_TOKENS:
            result.absent = True
        elif token in allowed:
            result.marks.append(token)
        else:
            raise JournalError(
                _("«%(value)s» — недопустимое значение. Допустимы отметки %(allowed)s и «н» (отсутствовал).")
                % {"value": raw, "allowed": GradingSystem.allowed_text(system)}
            )
    if len(result.marks) > MAX_MARKS_PER_CELL:
        raise JournalError(_("В одной клетке не больше %(n)d отметок.") % {"n": MAX_MARKS_PER_CELL})
    if result.absent and result.marks:
        raise JournalError(_("Отсутствовавшему на уроке нельзя поставить отметку в этот же урок."))
    return result


# ---------------------------------------------------------------------------------------------
# Membership


def enrolled_on(memberships: list[GroupMembership], day: dt.date) -> bool:
    return any(m.starts <= day and (m.ends is None or m.ends >= day) for m in memberships)


def _memberships(journal: Journal, student_ids) -> dict[int, list[GroupMembership]]:
    result: dict[int, list[GroupMembership]] = {}
    for m in GroupMembership.objects.filter(group_id=journal.group_id, student_id__in=set(student_ids)):
        result.setdefault(m.student_id, []).append(m)
    return result


# ---------------------------------------------------------------------------------------------
# Lessons


def lesson_create(
    *,
    journal: Journal,
    date: dt.date,
    number: int,
    author,
    topic: str = "",
    room: str = "",
    source: str = "manual",
) -> Lesson:
    """A new lesson of the journal: added by its teacher (source "manual") or made from the
    timetable (source "timetable", ORG-7, with the timetable's room)."""
    if date < journal.year.starts or date > journal.year.ends:
        raise JournalError(
            _("Дата урока %(date)s вне учебного года %(year)s.") % {"date": _fmt(date), "year": journal.year}
        )
    if not 1 <= number <= 12:
        raise JournalError(_("Номер урока должен быть от 1 до 12."))
    if source not in LESSON_SOURCES:
        raise ValueError(f"unknown lesson source: {source}")
    room = (room or "").strip()
    if len(room) > ROOM_MAX:
        raise JournalError(_("Название кабинета длиннее %(n)d знаков.") % {"n": ROOM_MAX})
    if Lesson.objects.filter(journal=journal, date=date, number=number).exists():
        raise JournalError(_("Урок %(number)d-й %(date)s уже есть в журнале.") % {"number": number, "date": _fmt(date)})
    with transaction.atomic():
        lesson = Lesson.objects.create(
            school_id=journal.school_id,
            journal=journal,
            date=date,
            number=number,
            topic=topic.strip(),
            room=room,
            source=source,
        )
        audit.record(_change(lesson.school_id, author, "create", "lesson", lesson, None, lesson_snapshot(lesson)))
    return lesson


LESSON_SOURCES = ("manual", "timetable")
ROOM_MAX = 30
NOTE_MAX = 200


def lesson_is_empty(lesson: Lesson, *, topic_from_plan: bool = False) -> bool:
    """Nothing written in the lesson yet: no marks, no attendance, no topic, no homework (a topic
    the thematic plan gave it and nobody edited, `topic_from_plan`, is not a record of its own)."""
    return (
        (topic_from_plan or not lesson.topic)
        and not lesson.homework
        and not lesson.no_homework
        and not Mark.objects.filter(lesson=lesson).exists()
        and not Attendance.objects.filter(lesson=lesson).exists()
    )


def lesson_delete(*, lesson: Lesson, author, topic_from_plan: bool = False) -> None:
    """Remove a lesson that holds nothing (the timetable changed before it took place, ORG-7).
    A lesson with marks, attendance, a topic (other than one the plan gave it) or homework is
    never deleted; the deletion is logged."""
    if not lesson_is_empty(lesson, topic_from_plan=topic_from_plan):
        raise JournalError(
            _("В уроке %(date)s (%(number)d-й) уже есть записи: удалить его нельзя.")
            % {"date": _fmt(lesson.date), "number": lesson.number}
        )
    before = lesson_snapshot(lesson)
    pk = lesson.pk
    try:
        with transaction.atomic():
            lesson.delete()  # its homework facet goes with it (nothing to log: it is empty)
            lesson.pk = pk
            audit.record(_change(lesson.school_id, author, "delete", "lesson", lesson, before, None))
    except ProtectedError:
        lesson.pk = pk
        raise JournalError(
            _("К уроку %(date)s (%(number)d-й) привязаны другие записи (замена, перенос, план): удалить его нельзя.")
            % {"date": _fmt(lesson.date), "number": lesson.number}
        ) from None


_UNSET = object()


def lesson_reschedule(
    *,
    lesson: Lesson,
    author,
    date: dt.date | None = None,
    number: int | None = None,
    room=_UNSET,
    change_note=_UNSET,
    taught_by=_UNSET,
) -> Lesson:
    """The timetable's one-off changes of a lesson (ORG-7, ORG-8): another date or lesson number,
    another room, the note the diary shows («перенесён с 12.11, 3-й урок»), the substitute who
    gives it. A change of date or number is logged like every change of a lesson."""
    date = lesson.date if date is None else date
    number = lesson.number if number is None else number
    if date < lesson.journal.year.starts or date > lesson.journal.year.ends:
        raise JournalError(
            _("Дата урока %(date)s вне учебного года %(year)s.") % {"date": _fmt(date), "year": lesson.journal.year}
        )
    if not 1 <= number <= 12:
        raise JournalError(_("Номер урока должен быть от 1 до 12."))
    if (date, number) != (lesson.date, lesson.number) and (
        Lesson.objects.filter(journal_id=lesson.journal_id, date=date, number=number).exclude(pk=lesson.pk).exists()
    ):
        raise JournalError(_("Урок %(number)d-й %(date)s уже есть в журнале.") % {"number": number, "date": _fmt(date)})
    fields = ["date", "number"]
    if room is not _UNSET:
        room = (room or "").strip()
        if len(room) > ROOM_MAX:
            raise JournalError(_("Название кабинета длиннее %(n)d знаков.") % {"n": ROOM_MAX})
        lesson.room = room
        fields.append("room")
    if change_note is not _UNSET:
        note = (change_note or "").strip()
        if len(note) > NOTE_MAX:
            raise JournalError(_("Описание изменения длиннее %(n)d знаков.") % {"n": NOTE_MAX})
        lesson.change_note = note
        fields.append("change_note")
    if taught_by is not _UNSET:
        if taught_by is not None and taught_by.school_id != lesson.school_id:
            raise JournalError(_("Такого сотрудника нет в этой школе."))
        lesson.taught_by = taught_by
        fields.append("taught_by")
    before = lesson_snapshot(lesson)
    lesson.date, lesson.number = date, number
    after = lesson_snapshot(lesson)
    with transaction.atomic():
        lesson.save(update_fields=fields)
        if after != before:
            audit.record(_change(lesson.school_id, author, "update", "lesson", lesson, before, after))
        else:
            # A room, a note or a substitute only: not a change of the record the log keeps, but
            # the diary and the grid show it — their cached pages are keyed by the journal's
            # version (apps.diary.cache), which the log's append would otherwise have bumped.
            Journal.objects.filter(pk=lesson.journal_id).update(version=F("version") + 1)
    return lesson


def _change(school_id, author, action, object_type, obj, old, new, *, lesson=None, student_id=None):
    lesson = lesson if lesson is not None else (obj if isinstance(obj, Lesson) else None)
    return audit.Change(
        school_id=school_id,
        author_id=author.pk if author else None,
        action=action,
        object_type=object_type,
        object_id=obj.pk,
        old=old,
        new=new,
        journal_id=lesson.journal_id if lesson else getattr(obj, "journal_id", None),
        lesson_id=lesson.pk if lesson else None,
        student_id=student_id,
    )


LESSON_FIELDS = ("topic", "homework", "no_homework", "comment", "work_type", "status")


def lesson_update(*, lesson: Lesson, author, work_types: dict[int, WorkType] | None = None, **changes) -> Lesson:
    """Change the topic, homework («Без задания»), teacher comment or default work type."""
    unknown = set(changes) - set(LESSON_FIELDS)
    if unknown:
        raise ValueError(f"unknown lesson fields: {unknown}")
    old_lesson = lesson_snapshot(lesson)
    old_hw = homework_snapshot(lesson)
    if "topic" in changes:
        topic = (changes["topic"] or "").strip()
        if len(topic) > 500:
            raise JournalError(_("Тема урока длиннее 500 знаков."))
        lesson.topic = topic
    if "comment" in changes:
        comment = (changes["comment"] or "").strip()
        if len(comment) > 500:
            raise JournalError(_("Комментарий длиннее 500 знаков."))
        lesson.comment = comment
    if "homework" in changes:
        homework = (changes["homework"] or "").strip()
        if homework and lesson.journal.first_grade:  # JRN-6
            raise JournalError(FIRST_GRADE_NO_HOMEWORK)
        if len(homework) > 5000:
            raise JournalError(_("Домашнее задание длиннее 5000 знаков."))
        lesson.homework = homework
        if homework:
            lesson.no_homework = False
    if "no_homework" in changes:
        lesson.no_homework = bool(changes["no_homework"])
        if lesson.no_homework:
            lesson.homework = ""
    if "work_type" in changes:
        wt_id = changes["work_type"]
        if wt_id in (None, ""):
            lesson.work_type = None
        else:
            wt = (work_types or {}).get(int(wt_id)) or WorkType.objects.filter(
                pk=wt_id, school_id=lesson.school_id
            ).first()
            if wt is None or wt.school_id != lesson.school_id:
                raise JournalError(_("Такого вида работы нет в этой школе."))
            lesson.work_type = wt
    if "status" in changes:
        if changes["status"] not in Lesson.Status.values:
            raise JournalError(_("Недопустимое состояние урока."))
        lesson.status = changes["status"]
    new_lesson = lesson_snapshot(lesson)
    new_hw = homework_snapshot(lesson)
    if new_lesson == old_lesson and new_hw == old_hw:
        return lesson
    with transaction.atomic():
        lesson.save(update_fields=["topic", "homework", "no_homework", "comment", "work_type", "status"])
        if new_lesson != old_lesson:
            audit.record(_change(lesson.school_id, author, "update", "lesson", lesson, old_lesson, new_lesson))
        if new_hw != old_hw:
            audit.record(_change(lesson.school_id, author, "update", "homework", lesson, old_hw, new_hw))
    return lesson


# ---------------------------------------------------------------------------------------------
# Cells: the marks and the attendance of one student at one lesson


@dataclass
class CellContext:
    """What a batch of cells needs, loaded once: memberships, existing marks and attendance."""

    journal: Journal
    today: dt.date
    default_work_type: WorkType | None
    memberships: dict[int, list[GroupMembership]]
    marks: dict[tuple[int, int], list[Mark]]
    attendance: dict[tuple[int, int], Attendance]
    students: dict[int, Student]
    # Changed marks waiting for one UPDATE of them all (journal_save: a column of 25 marks is one
    # statement, not 25); None: each is saved at once.
    pending: dict[int, Mark] | None = None

    def flush(self) -> None:
        """One UPDATE statement for all of them, sent with executemany (bulk_update's CASE
        expressions cost more Python time than the 25 round trips they save)."""
        if not self.pending:
            return
        connection = connections[router.db_for_write(Mark)]
        qn = connection.ops.quote_name
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        rows = []
        for m in self.pending.values():
            m.updated_at = now
            rows.append((m.value, m.position, stamp, m.pk))
        sql = "UPDATE {} SET {} = %s, {} = %s, {} = %s WHERE {} = %s".format(
            qn(Mark._meta.db_table), qn("value"), qn("position"), qn("updated_at"), qn("id")
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        self.pending.clear()

    @classmethod
    def load(
        cls, journal: Journal, lessons: list[Lesson], student_ids, work_types: dict[int, WorkType] | None = None
    ) -> CellContext:
        student_ids = set(student_ids)
        lesson_ids = [lesson.pk for lesson in lessons]
        marks: dict[tuple[int, int], list[Mark]] = {}
        for m in Mark.objects.filter(lesson_id__in=lesson_ids, student_id__in=student_ids).order_by("position", "id"):
            marks.setdefault((m.lesson_id, m.student_id), []).append(m)
        attendance = {
            (a.lesson_id, a.student_id): a
            for a in Attendance.objects.filter(lesson_id__in=lesson_ids, student_id__in=student_ids)
        }
        if work_types is None:
            work_types = {wt.pk: wt for wt in WorkType.objects.filter(school_id=journal.school_id)}
        default_wt = min(work_types.values(), key=lambda wt: (not wt.is_default, wt.order, wt.pk), default=None)
        students = {s.pk: s for s in Student.objects.filter(pk__in=student_ids, school_id=journal.school_id)}
        return cls(
            journal=journal,
            today=school_today(journal.school),
            default_work_type=default_wt,
            memberships=_memberships(journal, student_ids),
            marks=marks,
            attendance=attendance,
            students=students,
        )


def _check_cell_allowed(ctx: CellContext, lesson: Lesson, student_id: int) -> Student:
    student = ctx.students.get(student_id)
    if student is None:
        raise JournalError(_("Учащийся не найден в этой школе."))
    if lesson.date > ctx.today:
        raise JournalError(
            _("Урок %(date)s ещё не прошёл: отметки и пропуски ставятся в день урока или позже.")
            % {"date": _fmt(lesson.date)}
        )
    if lesson.status == Lesson.Status.CANCELLED:
        raise JournalError(_("Урок %(date)s отменён: отметки и пропуски не ставятся.") % {"date": _fmt(lesson.date)})
    if not enrolled_on(ctx.memberships.get(student_id, []), lesson.date):
        raise JournalError(
            _("%(student)s не числится в группе «%(group)s» на %(date)s.")
            % {"student": student.short_name, "group": ctx.journal.group, "date": _fmt(lesson.date)}
        )
    return student


FIRST_GRADE_NO_MARKS = _(
    "В 1 классе отметки не ставятся (безотметочное обучение): отмечаются только пропуски и темы уроков."
)
FIRST_GRADE_NO_HOMEWORK = _("В 1 классе домашние задания не задаются.")


def cell_set(*, ctx: CellContext, lesson: Lesson, student_id: int, text: str, author) -> str:
    """Set the cell to what `text` says; returns the cell's normalized text."""
    parsed = parse_cell(text, ctx.journal.grading_system)
    if parsed.marks and ctx.journal.first_grade:  # JRN-6
        raise JournalError(FIRST_GRADE_NO_MARKS)
    key = (lesson.pk, student_id)
    existing = ctx.marks.get(key, [])
    attendance = ctx.attendance.get(key)
    unchanged = [m.value for m in existing] == parsed.marks and (
        attendance is not None and attendance.kind == Attendance.Kind.ABSENT
    ) == parsed.absent
    if unchanged:
        return cell_text(existing, attendance)
    _check_cell_allowed(ctx, lesson, student_id)
    if attendance is not None and attendance.kind != Attendance.Kind.ABSENT and not parsed.absent:
        keep_attendance = True  # lateness is edited in the detail panel, not by typing
    else:
        keep_attendance = False
    new_mark_work_type = lesson.work_type or ctx.default_work_type
    if len(parsed.marks) > len(existing) and new_mark_work_type is None:
        raise JournalError(_("В школе не заведены виды работ: обратитесь к администратору."))
    # Every rule is checked above: from here on nothing refuses the cell, so a caller writing many
    # cells needs no savepoint per cell (journal_save). Alone, this is the transaction.

    school_id = lesson.school_id
    kept: list[Mark] = []
    with transaction.atomic(savepoint=False):
        # Marks: position by position, keep what is unchanged, update, create, delete.
        for pos in range(max(len(existing), len(parsed.marks))):
            old = existing[pos] if pos < len(existing) else None
            value = parsed.marks[pos] if pos < len(parsed.marks) else None
            if old is not None and value is not None:
                if old.value != value or old.position != pos:
                    before = mark_snapshot(old)
                    old.value, old.position = value, pos
                    if ctx.pending is None:
                        old.save(update_fields=["value", "position", "updated_at"])
                    else:
                        ctx.pending[old.pk] = old
                    audit.record(
                        _change(
                            school_id,
                            author,
                            "update",
                            "mark",
                            old,
                            before,
                            mark_snapshot(old),
                            lesson=lesson,
                            student_id=student_id,
                        )
                    )
                kept.append(old)
            elif value is not None:
                wt = new_mark_work_type
                mark = Mark.objects.create(
                    school_id=school_id,
                    lesson=lesson,
                    student_id=student_id,
                    value=value,
                    grading_system=ctx.journal.grading_system,
                    work_type=wt,
                    weight=wt.weight,
                    position=pos,
                    author=author,
                )
                audit.record(
                    _change(
                        school_id,
                        author,
                        "create",
                        "mark",
                        mark,
                        None,
                        mark_snapshot(mark),
                        lesson=lesson,
                        student_id=student_id,
                    )
                )
                kept.append(mark)
            else:
                before = mark_snapshot(old)
                old_pk = old.pk
                old.delete()
                old.pk = old_pk
                audit.record(
                    _change(
                        school_id, author, "delete", "mark", old, before, None, lesson=lesson, student_id=student_id
                    )
                )
        # Attendance.
        if parsed.absent and attendance is None:
            attendance = Attendance.objects.create(
                school_id=school_id, lesson=lesson, student_id=student_id, kind=Attendance.Kind.ABSENT, author=author
            )
            audit.record(
                _change(
                    school_id,
                    author,
                    "create",
                    "attendance",
                    attendance,
                    None,
                    attendance_snapshot(attendance),
                    lesson=lesson,
                    student_id=student_id,
                )
            )
        elif parsed.absent and attendance.kind != Attendance.Kind.ABSENT:
            before = attendance_snapshot(attendance)
            attendance.kind, attendance.author = Attendance.Kind.ABSENT, author
            attendance.save(update_fields=["kind", "author", "updated_at"])
            audit.record(
                _change(
                    school_id,
                    author,
                    "update",
                    "attendance",
                    attendance,
                    before,
                    attendance_snapshot(attendance),
                    lesson=lesson,
                    student_id=student_id,
                )
            )
        elif not parsed.absent and attendance is not None and not keep_attendance:
            before = attendance_snapshot(attendance)
            att_pk = attendance.pk
            attendance.delete()
            attendance.pk = att_pk
            audit.record(
                _change(
                    school_id,
                    author,
                    "delete",
                    "attendance",
                    attendance,
                    before,
                    None,
                    lesson=lesson,
                    student_id=student_id,
                )
            )
            attendance = None
    ctx.marks[key] = kept
    if attendance is not None:
        ctx.attendance[key] = attendance
    else:
        ctx.attendance.pop(key, None)
    return cell_text(kept, attendance)


def cell_text(marks, attendance) -> str:
    parts = [m.value for m in marks]
    if attendance is not None:
        parts.append(attendance.code)
    return " ".join(parts)


def mark_update(*, mark: Mark, author, work_type: WorkType | None = None, comment: str | None = None) -> Mark:
    """Change what a mark was for (type of work) or its comment, from the cell's detail panel."""
    before = mark_snapshot(mark)
    if work_type is not None:
        if work_type.school_id != mark.school_id:
            raise JournalError(_("Такого вида работы нет в этой школе."))
        mark.work_type = work_type
        mark.weight = work_type.weight
    if comment is not None:
        comment = comment.strip()
        if len(comment) > 500:
            raise JournalError(_("Комментарий длиннее 500 знаков."))
        mark.comment = comment
    after = mark_snapshot(mark)
    if after == before:
        return mark
    with transaction.atomic():
        mark.save(update_fields=["work_type", "weight", "comment", "updated_at"])
        audit.record(
            _change(
                mark.school_id,
                author,
                "update",
                "mark",
                mark,
                before,
                after,
                lesson=mark.lesson,
                student_id=mark.student_id,
            )
        )
    return mark


def attendance_reason_set(*, attendance: Attendance, reason: str, author) -> Attendance:
    """The class teacher records why a student was absent (JRN-5)."""
    if reason not in Attendance.Reason.values:
        raise JournalError(_("Недопустимая причина отсутствия."))
    before = attendance_snapshot(attendance)
    if before["reason"] == reason:
        return attendance
    with transaction.atomic():
        attendance.reason, attendance.author = reason, author
        attendance.save(update_fields=["reason", "author", "updated_at"])
        audit.record(
            _change(
                attendance.school_id,
                author,
                "update",
                "attendance",
                attendance,
                before,
                attendance_snapshot(attendance),
                lesson=attendance.lesson,
                student_id=attendance.student_id,
            )
        )
    return attendance


# ---------------------------------------------------------------------------------------------
# Period marks


def period_mark_set(
    *, journal: Journal, period: Period, student_id: int, value: str, author, memberships=None
) -> PeriodMark | None:
    value = (value or "").strip().lower()
    allowed = PeriodValue.allowed_for(journal.grading_system)  # JRN-7: «зач»/«незач» for a pass/fail subject
    if value and value not in allowed:
        raise JournalError(
            _("«%(value)s» — недопустимая отметка за период. Допустимы: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(allowed)}
        )
    if period.year_id != journal.year_id:
        raise JournalError(_("Период относится к другому учебному году."))
    if value and journal.first_grade:  # JRN-6
        raise JournalError(FIRST_GRADE_NO_MARKS)
    if not period.covers_grade(journal.grade_level):
        raise JournalError(_("Этот период не относится к параллели журнала."))
    if memberships is None:
        memberships = _memberships(journal, [student_id]).get(student_id, [])
    if not any(m.starts <= period.ends and (m.ends is None or m.ends >= period.starts) for m in memberships):
        raise JournalError(_("Учащийся не числился в группе в этом периоде."))
    existing = PeriodMark.objects.filter(journal=journal, period=period, student_id=student_id).first()
    with transaction.atomic():
        if existing is None and value:
            pm = PeriodMark.objects.create(
                school_id=journal.school_id,
                journal=journal,
                period=period,
                student_id=student_id,
                value=value,
                author=author,
            )
            audit.record(
                _change(
                    journal.school_id,
                    author,
                    "create",
                    "period_mark",
                    pm,
                    None,
                    period_mark_snapshot(pm),
                    student_id=student_id,
                )
            )
            return pm
        if existing is not None and value and existing.value != value:
            before = period_mark_snapshot(existing)
            existing.value, existing.author = value, author
            existing.save(update_fields=["value", "author", "updated_at"])
            audit.record(
                _change(
                    journal.school_id,
                    author,
                    "update",
                    "period_mark",
                    existing,
                    before,
                    period_mark_snapshot(existing),
                    student_id=student_id,
                )
            )
            return existing
        if existing is not None and not value:
            before = period_mark_snapshot(existing)
            pk = existing.pk
            existing.delete()
            existing.pk = pk
            audit.record(
                _change(
                    journal.school_id, author, "delete", "period_mark", existing, before, None, student_id=student_id
                )
            )
            return None
        return existing


# ---------------------------------------------------------------------------------------------
# One save of the grid


@dataclass
class ItemResult:
    key: dict
    ok: bool
    value: str = ""
    error: str = ""


@dataclass
class SaveResult:
    cells: list[ItemResult] = field(default_factory=list)
    lessons: list[ItemResult] = field(default_factory=list)
    period_marks: list[ItemResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in (*self.cells, *self.lessons, *self.period_marks))

    @property
    def saved_count(self) -> int:
        return sum(r.ok for r in (*self.cells, *self.lessons, *self.period_marks))


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def journal_save(*, journal: Journal, author, cells=(), lessons=(), period_marks=()) -> SaveResult:
    """Apply one save of the grid.

    cells:        [{"lesson": id, "student": id, "value": "5 4" | "н" | ""}]
    lessons:      [{"lesson": id, "topic"?: str, "homework"?: str, "no_homework"?: bool, "work_type"?: id}]
    period_marks: [{"period": id, "student": id, "value": "5" | "н/а" | …}]
    A refused item is reported with its reason and leaves no trace; the others are kept.
    """
    result = SaveResult()
    lesson_ids = {_int(c.get("lesson")) for c in (*cells, *lessons)}
    lessons_by_id = {lesson.pk: lesson for lesson in Lesson.objects.filter(journal=journal, pk__in=lesson_ids - {None})}
    work_types = {wt.pk: wt for wt in WorkType.objects.filter(school_id=journal.school_id)}
    student_ids = {_int(c.get("student")) for c in (*cells, *period_marks)} - {None}
    with transaction.atomic(), audit.batch():
        # Lesson fields first: a default work type chosen in the same save applies to new marks.
        for item in lessons:
            lesson = lessons_by_id.get(_int(item.get("lesson")))
            key = {"lesson": item.get("lesson")}
            if lesson is None:
                result.lessons.append(ItemResult(key, False, error=_("Урок не найден в этом журнале.")))
                continue
            fields = {k: item[k] for k in LESSON_FIELDS if k in item}
            try:
                with transaction.atomic(), audit.batch():
                    lesson_update(lesson=lesson, author=author, work_types=work_types, **fields)
                result.lessons.append(ItemResult(key, True))
            except (ValidationError, ValueError, TypeError) as exc:
                lesson.refresh_from_db()
                msg = _message(exc) if isinstance(exc, ValidationError) else _("Неверные данные урока.")
                result.lessons.append(ItemResult(key, False, error=msg))
        ctx = CellContext.load(journal, list(lessons_by_id.values()), student_ids, work_types) if cells else None
        if ctx is not None:
            ctx.pending = {}
        for item in cells:
            lesson = lessons_by_id.get(_int(item.get("lesson")))
            student_id = _int(item.get("student"))
            key = {"lesson": item.get("lesson"), "student": item.get("student")}
            if lesson is None or student_id is None:
                result.cells.append(ItemResult(key, False, error=_("Клетка не найдена в этом журнале.")))
                continue
            try:
                # No savepoint: cell_set refuses a cell before its first write (see the module's docstring).
                text = cell_set(
                    ctx=ctx, lesson=lesson, student_id=student_id, text=str(item.get("value", "")), author=author
                )
                result.cells.append(ItemResult(key, True, value=text))
            except ValidationError as exc:
                ctx.flush()  # what the database holds must include the cells changed before this one
                _reload_cell(ctx, lesson, student_id)
                current = cell_text(
                    ctx.marks.get((lesson.pk, student_id), []), ctx.attendance.get((lesson.pk, student_id))
                )
                result.cells.append(ItemResult(key, False, value=current, error=_message(exc)))
        if ctx is not None:
            ctx.flush()
        if period_marks:
            periods = {
                p.pk: p for p in Period.objects.filter(year_id=journal.year_id) if p.covers_grade(journal.grade_level)
            }
            memberships = _memberships(journal, student_ids)
            for item in period_marks:
                period = periods.get(_int(item.get("period")))
                student_id = _int(item.get("student"))
                key = {"period": item.get("period"), "student": item.get("student")}
                if period is None or student_id is None:
                    result.period_marks.append(ItemResult(key, False, error=_("Период не найден.")))
                    continue
                try:
                    with transaction.atomic(), audit.batch():
                        pm = period_mark_set(
                            journal=journal,
                            period=period,
                            student_id=student_id,
                            value=str(item.get("value", "")),
                            author=author,
                            memberships=memberships.get(student_id, []),
                        )
                    result.period_marks.append(ItemResult(key, True, value=pm.value if pm else ""))
                except ValidationError as exc:
                    current = PeriodMark.objects.filter(journal=journal, period=period, student_id=student_id).first()
                    result.period_marks.append(
                        ItemResult(key, False, value=current.value if current else "", error=_message(exc))
                    )
    return result


def _reload_cell(ctx: CellContext, lesson: Lesson, student_id: int) -> None:
    """After a rolled-back cell, read back what the database really holds for it."""
    key = (lesson.pk, student_id)
    ctx.marks[key] = list(Mark.objects.filter(lesson=lesson, student_id=student_id).order_by("position", "id"))
    att = Attendance.objects.filter(lesson=lesson, student_id=student_id).first()
    if att is None:
        ctx.attendance.pop(key, None)
    else:
        ctx.attendance[key] = att


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
