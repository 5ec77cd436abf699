"""Writes to the journal. Every function validates, writes, logs the change (ARC-1) in the same
transaction, and returns. Authorization (may this user write this journal?) is decided before,
in apps.accounts.access; these functions enforce the rules of the journal itself.

The grid saves through `journal_save`: one invalid cell is reported and every other cell of the
same save is kept. A cell is validated completely before its first write, so a refused cell has
written nothing and needs no savepoint (two round trips per cell saved, `make bench`); each lesson
field and period mark is applied in its own savepoint.

Every writer locks the journal first and reads what it will change under that lock
(apps.journal.locking, docs/architecture.md §4 «Writing a cell or a lesson field»); an item that
carries the value its writer last saw (`was`) is a conflict when somebody changed it meanwhile.
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
from django.utils.translation import gettext_lazy

from apps.audit import services as audit
from apps.people.models import GroupMembership, Student
from apps.schools.models import Period, WorkType

from .grading import GradingSystem, PeriodValue
from .locking import ConcurrentWriteFailed, held, journal_write, retry_once
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


@retry_once
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
    with journal_write([journal.pk]):
        # Under the journal's lock: two lessons for one slot at once are refused, not an IntegrityError.
        if Lesson.objects.filter(journal=journal, date=date, number=number).exists():
            raise JournalError(
                _("Урок %(number)d-й %(date)s уже есть в журнале.") % {"number": number, "date": _fmt(date)}
            )
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


@retry_once
def lesson_delete(*, lesson: Lesson, author, topic_from_plan: bool = False) -> None:
    """Remove a lesson that holds nothing (the timetable changed before it took place, ORG-7).
    A lesson with marks, attendance, a topic (other than one the plan gave it) or homework is
    never deleted; the deletion is logged."""
    fresh = held(lesson.journal_id)
    pk = lesson.pk
    try:
        with journal_write([lesson.journal_id]):
            if not fresh:
                _refresh_lesson(lesson)
            if not lesson_is_empty(lesson, topic_from_plan=topic_from_plan):
                raise JournalError(
                    _("В уроке %(date)s (%(number)d-й) уже есть записи: удалить его нельзя.")
                    % {"date": _fmt(lesson.date), "number": lesson.number}
                )
            before = lesson_snapshot(lesson)
            lesson.delete()  # its homework facet goes with it (nothing to log: it is empty)
            lesson.pk = pk
            audit.record(_change(lesson.school_id, author, "delete", "lesson", lesson, before, None))
    except ProtectedError:
        lesson.pk = pk
        raise JournalError(
            _("К уроку %(date)s (%(number)d-й) привязаны другие записи (замена, перенос, план): удалить его нельзя.")
            % {"date": _fmt(lesson.date), "number": lesson.number}
        ) from None


# The fields of a lesson row that its writers read; refreshed under the journal's lock.
LESSON_ROW_FIELDS = (
    "date",
    "number",
    "topic",
    "homework",
    "no_homework",
    "comment",
    "work_type",
    "status",
    "room",
    "taught_by",
    "change_note",
)


def _refresh_lesson(lesson: Lesson) -> None:
    """Read the lesson's row again, under the journal's lock: a writer never writes back, or logs,
    a copy read before another save committed."""
    try:
        lesson.refresh_from_db(fields=LESSON_ROW_FIELDS)
    except Lesson.DoesNotExist:
        raise JournalError(_("Урок уже удалён из журнала: обновите страницу.")) from None


_UNSET = object()


@retry_once
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
    fresh = held(lesson.journal_id)
    with journal_write([lesson.journal_id]):
        if not fresh:
            _refresh_lesson(lesson)
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
            raise JournalError(
                _("Урок %(number)d-й %(date)s уже есть в журнале.") % {"number": number, "date": _fmt(date)}
            )
        fields = ["date", "number"]
        updates = {}
        if room is not _UNSET:
            room = (room or "").strip()
            if len(room) > ROOM_MAX:
                raise JournalError(_("Название кабинета длиннее %(n)d знаков.") % {"n": ROOM_MAX})
            updates["room"] = room
        if change_note is not _UNSET:
            note = (change_note or "").strip()
            if len(note) > NOTE_MAX:
                raise JournalError(_("Описание изменения длиннее %(n)d знаков.") % {"n": NOTE_MAX})
            updates["change_note"] = note
        if taught_by is not _UNSET:
            if taught_by is not None and taught_by.school_id != lesson.school_id:
                raise JournalError(_("Такого сотрудника нет в этой школе."))
            updates["taught_by"] = taught_by
        for name, value in updates.items():
            setattr(lesson, name, value)
            fields.append(name)
        before = lesson_snapshot(lesson)
        lesson.date, lesson.number = date, number
        after = lesson_snapshot(lesson)
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


@retry_once
def lesson_update(*, lesson: Lesson, author, work_types: dict[int, WorkType] | None = None, **changes) -> Lesson:
    """Change the topic, homework («Без задания»), teacher comment, default work type or state.
    Only the fields named are written; the others are read under the journal's lock and kept as
    they are stored (a partial save never writes back a stale copy of them)."""
    unknown = set(changes) - set(LESSON_FIELDS)
    if unknown:
        raise ValueError(f"unknown lesson fields: {unknown}")
    fresh = held(lesson.journal_id)  # the caller read the lesson under the lock already
    with journal_write([lesson.journal_id]):
        if not fresh:
            _refresh_lesson(lesson)
        _lesson_change(lesson, author, work_types, changes)
    return lesson


# The model fields each lesson field writes (homework and «Без задания» clear each other).
_LESSON_WRITES = {
    "topic": ("topic",),
    "comment": ("comment",),
    "homework": ("homework", "no_homework"),
    "no_homework": ("homework", "no_homework"),
    "work_type": ("work_type",),
    "status": ("status",),
}


def _lesson_change(lesson: Lesson, author, work_types, changes: dict) -> None:
    """Validate and write `changes` on a lesson row read under the journal's lock."""
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
        return
    fields = sorted({name for key in changes for name in _LESSON_WRITES[key]})
    with transaction.atomic(savepoint=False):
        lesson.save(update_fields=fields)
        if new_lesson != old_lesson:
            audit.record(_change(lesson.school_id, author, "update", "lesson", lesson, old_lesson, new_lesson))
        if new_hw != old_hw:
            audit.record(_change(lesson.school_id, author, "update", "homework", lesson, old_hw, new_hw))


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


class Conflict(JournalError):
    """The record changed since the writer loaded it (its `was` is not what is stored): nothing is
    written; `value` is what is stored now, the message says who changed it and when."""

    def __init__(self, message: str, *, value: str):
        super().__init__(message)
        self.value = value


def cell_set(*, ctx: CellContext, lesson: Lesson, student_id: int, text: str, author, was: str | None = None) -> str:
    """Set the cell to what `text` says; returns the cell's normalized text.

    `was`: the cell's text as the writer last saw it stored (the grid sends it). If the cell holds
    something else now and `text` is not that, the cell is not written (Conflict). Without `was`
    the last write wins. Alone (not inside journal_save), the cell is read again under the
    journal's lock first."""
    if not held(ctx.journal.pk):
        with journal_write([ctx.journal.pk]):
            _reload_cell(ctx, lesson, student_id)
            return _cell_apply(ctx=ctx, lesson=lesson, student_id=student_id, text=text, author=author, was=was)
    return _cell_apply(ctx=ctx, lesson=lesson, student_id=student_id, text=text, author=author, was=was)


def _cell_apply(*, ctx: CellContext, lesson: Lesson, student_id: int, text: str, author, was) -> str:
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
    stored = cell_text(existing, attendance)
    if was is not None and _norm_text(was) != _norm_text(stored):
        raise Conflict(_cell_conflict(ctx.journal, lesson, student_id, stored, text), value=stored)
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


def _journal_of(lesson_id: int) -> int | None:
    return Lesson.objects.filter(pk=lesson_id).values_list("journal_id", flat=True).first()


@retry_once
def mark_update(*, mark: Mark, author, work_type: WorkType | None = None, comment: str | None = None) -> Mark:
    """Change what a mark was for (type of work) or its comment, from the cell's detail panel."""
    journal_id = mark.lesson.journal_id if Mark.lesson.is_cached(mark) else _journal_of(mark.lesson_id)
    fresh = held(journal_id)
    with journal_write([journal_id]):
        if not fresh:
            try:
                mark.refresh_from_db()
            except Mark.DoesNotExist:
                raise JournalError(_("Этой отметки уже нет в клетке: обновите страницу.")) from None
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


@retry_once
def attendance_reason_set(*, attendance: Attendance, reason: str, author) -> Attendance:
    """The class teacher records why a student was absent (JRN-5)."""
    if reason not in Attendance.Reason.values:
        raise JournalError(_("Недопустимая причина отсутствия."))
    journal_id = (
        attendance.lesson.journal_id if Attendance.lesson.is_cached(attendance) else _journal_of(attendance.lesson_id)
    )
    fresh = held(journal_id)
    with journal_write([journal_id]):
        if not fresh:
            try:
                attendance.refresh_from_db(fields=["kind", "reason", "author", "updated_at"])
            except Attendance.DoesNotExist:
                raise JournalError(_("Отметки «н» уже нет: учитель снял её. Обновите страницу.")) from None
        before = attendance_snapshot(attendance)
        if before["reason"] == reason:
            return attendance
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


@retry_once
def period_mark_set(
    *, journal: Journal, period: Period, student_id: int, value: str, author, memberships=None, was: str | None = None
) -> PeriodMark | None:
    """Set, change or remove a student's period mark. `was` as for a cell (cell_set): a mark
    changed since the writer saw it is not overwritten (Conflict)."""
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
    with journal_write([journal.pk]):
        existing = PeriodMark.objects.filter(journal=journal, period=period, student_id=student_id).first()
        stored = existing.value if existing is not None else ""
        if value == stored:
            return existing
        if was is not None and _norm_text(was) != _norm_text(stored):
            raise Conflict(_period_mark_conflict(journal, period, student_id, stored, value), value=stored)
        if existing is None:
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
        if value:
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
        before = period_mark_snapshot(existing)
        pk = existing.pk
        existing.delete()
        existing.pk = pk
        audit.record(
            _change(journal.school_id, author, "delete", "period_mark", existing, before, None, student_id=student_id)
        )
        return None


# ---------------------------------------------------------------------------------------------
# Conflicts: who changed the record meanwhile, from the change log


def _norm_text(value) -> str:
    return " ".join(str(value if value is not None else "").split()).lower()


def _shown(value: str) -> str:
    return f"«{value}»" if value else _("пусто")


def _short_user(user) -> str:
    if user is None:
        return _("система")
    initials = " ".join(f"{p[0]}." for p in (user.first_name, user.middle_name) if p)
    return f"{user.last_name} {initials}".strip() if user.last_name else user.username


def _who_when(entry, journal: Journal) -> dict | None:
    """«Иванова А. П.», «в 14:05» (today) or «19.11.2026 в 14:05», in the school's time zone."""
    if entry is None:
        return None
    school = journal.school
    local = timezone.localtime(entry.at, ZoneInfo(school.timezone))
    if local.date() == school_today(school):
        when = _("в %(time)s") % {"time": local.strftime("%H:%M")}
    else:
        when = _("%(date)s в %(time)s") % {"date": _fmt(local.date()), "time": local.strftime("%H:%M")}
    return {"who": _short_user(entry.author), "when": when}


def _cell_conflict(journal: Journal, lesson: Lesson, student_id: int, stored: str, typed: str) -> str:
    from apps.audit.models import Entry

    entry = (
        Entry.objects.filter(
            school_id=journal.school_id,
            lesson_id=lesson.pk,
            student_id=student_id,
            object_type__in=("mark", "attendance"),
        )
        .select_related("author")
        .order_by("-seq")
        .first()
    )
    by = _who_when(entry, journal)
    now = {"now": _shown(stored)}
    if by:
        head = _("Клетку уже изменил(а) %(who)s %(when)s: сейчас %(now)s.") % {**by, **now}
    else:
        head = _("Клетку уже изменили: сейчас %(now)s.") % now
    typed = " ".join(str(typed).split())
    tail = _("Ваше «%(value)s» не сохранено.") % {"value": typed} if typed else _("Ваша очистка клетки не сохранена.")
    return f"{head} {tail}"


def _period_mark_conflict(journal: Journal, period: Period, student_id: int, stored: str, typed: str) -> str:
    from apps.audit.models import Entry

    entries = (
        Entry.objects.filter(
            school_id=journal.school_id, journal_id=journal.pk, student_id=student_id, object_type="period_mark"
        )
        .select_related("author")
        .order_by("-seq")[:50]
    )
    entry = next((e for e in entries if (e.new or e.old or {}).get("period") == period.pk), None)
    by = _who_when(entry, journal)
    now = {"now": _shown(stored)}
    if by:
        head = _("Отметку за период уже изменил(а) %(who)s %(when)s: сейчас %(now)s.") % {**by, **now}
    else:
        head = _("Отметку за период уже изменили: сейчас %(now)s.") % now
    tail = (
        _("Ваша отметка «%(value)s» не сохранена.") % {"value": typed}
        if typed
        else _("Ваше удаление отметки не сохранено.")
    )
    return f"{head} {tail}"


# ---------------------------------------------------------------------------------------------
# A lesson item of a save: which fields it touches, which changed meanwhile


LESSON_FIELD_LABELS = {
    "topic": gettext_lazy("Тема урока"),
    "homework": gettext_lazy("Домашнее задание"),
    "no_homework": gettext_lazy("Без задания"),
    "comment": gettext_lazy("Комментарий учителя"),
    "work_type": gettext_lazy("Вид работы для новых отметок"),
    "status": gettext_lazy("Состояние урока"),
}
# Fields written together: «Без задания» clears the homework and homework clears it.
LESSON_FACETS = (("topic",), ("homework", "no_homework"), ("comment",), ("work_type",), ("status",))


def _lesson_norm(name: str, value):
    """A lesson field's value in the form it is stored and compared."""
    if name == "no_homework":
        return bool(value)
    if name == "work_type":
        return None if value in (None, "") else _int(value)
    return str(value if value is not None else "").strip()


def _lesson_stored(lesson: Lesson, name: str):
    return lesson.work_type_id if name == "work_type" else getattr(lesson, name)


def _lesson_shown(name: str, value, work_types: dict[int, WorkType]) -> str:
    if name == "no_homework":
        return _("отмечено") if value else _("не отмечено")
    if name == "work_type":
        wt = work_types.get(value) if value is not None else None
        return f"«{wt.name}»" if wt else _("по умолчанию школы")
    if name == "status":
        return f"«{Lesson.Status(value).label}»" if value in Lesson.Status.values else _shown(str(value))
    return _shown(value)


def _lesson_field_entry(journal: Journal, lesson: Lesson, name: str):
    """The change log's last entry that changed this field of the lesson (None: never logged)."""
    from apps.audit.models import Entry

    object_type = "homework" if name in ("homework", "no_homework") else "lesson"
    entries = (
        Entry.objects.filter(school_id=journal.school_id, object_type=object_type, object_id=lesson.pk)
        .select_related("author")
        .order_by("-seq")[:50]
    )
    return next((e for e in entries if (e.old or {}).get(name) != (e.new or {}).get(name)), None)


def _lesson_message(journal, lesson, name, stored, typed, work_types, *, conflict: bool) -> str:
    by = _who_when(_lesson_field_entry(journal, lesson, name), journal)
    values = {"field": LESSON_FIELD_LABELS[name], "now": _lesson_shown(name, stored, work_types)}
    if conflict:
        if by:
            head = _("Поле «%(field)s» уже изменил(а) %(who)s %(when)s: сейчас %(now)s.") % {**by, **values}
        else:
            head = _("Поле «%(field)s» уже изменили: сейчас %(now)s.") % values
        if typed in (None, "") or name == "no_homework":
            return f"{head} " + _("Ваше изменение не сохранено.")
        return f"{head} " + _("Ваше значение %(value)s не сохранено.") % {
            "value": _lesson_shown(name, typed, work_types)
        }
    if by:
        return _("Поле «%(field)s» тем временем изменил(а) %(who)s %(when)s: сейчас %(now)s.") % {**by, **values}
    return _("Поле «%(field)s» тем временем изменили: сейчас %(now)s.") % values


@dataclass
class LessonPlan:
    """What one lesson item writes, and what it reports."""

    write: dict = field(default_factory=dict)
    conflicts: dict[str, str] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)


def _lesson_plan(journal: Journal, lesson: Lesson, item: dict, work_types: dict[int, WorkType]) -> LessonPlan:
    """A field sent with `was` equal to its value was not touched: it is never written, and if the
    lesson holds something else now, that is reported (changed meanwhile). A touched field whose
    stored value is not its `was` (and not what is sent) is a conflict: not written, reported;
    the other touched fields are written. A field without `was`: the last write wins."""
    plan = LessonPlan()
    was = item.get("was") if isinstance(item.get("was"), dict) else {}
    for facet in LESSON_FACETS:
        sent = {name: _lesson_norm(name, item[name]) for name in facet if name in item}
        touched = [name for name in sent if name not in was or _lesson_norm(name, was[name]) != sent[name]]
        meanwhile = [
            name for name in sent if name in was and _lesson_stored(lesson, name) != _lesson_norm(name, was[name])
        ]
        needs_write = [name for name in touched if _lesson_stored(lesson, name) != sent[name]]
        if meanwhile and needs_write:
            # Writing the facet would overwrite what somebody saved meanwhile: nothing of it is written.
            for name in meanwhile:
                typed = sent[name] if name in touched else None
                plan.conflicts[name] = _lesson_message(
                    journal, lesson, name, _lesson_stored(lesson, name), typed, work_types, conflict=True
                )
            continue
        for name in meanwhile:
            if name not in touched:
                plan.changed[name] = _lesson_message(
                    journal, lesson, name, _lesson_stored(lesson, name), None, work_types, conflict=False
                )
        for name in touched:
            plan.write[name] = item[name]
    return plan


# ---------------------------------------------------------------------------------------------
# One save of the grid


@dataclass
class ItemResult:
    key: dict
    ok: bool
    value: str | None = ""
    error: str = ""
    conflict: bool = False
    # Lesson items: {field: message} of the fields not written because they changed meanwhile
    # (conflicts), and of the untouched fields that changed meanwhile (changed).
    conflicts: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)
    # The save was rolled back by the database twice (a deadlock): sending it again is harmless.
    retry: bool = False


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


def _cell_key(item) -> dict:
    return {"lesson": item.get("lesson"), "student": item.get("student")} if isinstance(item, dict) else {}


def _period_key(item) -> dict:
    return {"period": item.get("period"), "student": item.get("student")} if isinstance(item, dict) else {}


def _lesson_key(item) -> dict:
    return {"lesson": item.get("lesson")} if isinstance(item, dict) else {}


def _text_of(value) -> str | None:
    """A cell's or a period mark's value as text; None for what no client sends (a list, a dict …)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def _was_of(item: dict) -> tuple[bool, str | None]:
    """(valid, was): `was` absent or null → no check; a string (or a number) → the value shown."""
    if "was" not in item or item["was"] is None:
        return True, None
    text = _text_of(item["was"])
    return text is not None, text


SUBSTITUTE_OTHER_LESSON = gettext_lazy(
    "Вы заменяете учителя только на своём уроке: другие уроки этого журнала изменять нельзя."
)
SUBSTITUTE_PERIOD_MARK = gettext_lazy("Отметку за период ставит учитель, который ведёт журнал.")


def journal_save(
    *, journal: Journal, author, cells=(), lessons=(), period_marks=(), only_lessons: frozenset[int] | None = None
) -> SaveResult:
    """Apply one save of the grid.

    cells:        [{"lesson": id, "student": id, "value": "5 4" | "н" | "", "was"?: "5"}]
    lessons:      [{"lesson": id, "topic"?: str, "homework"?: str, "no_homework"?: bool, "work_type"?: id,
                    "comment"?: str, "status"?: str, "was"?: {field: value shown}}]
    period_marks: [{"period": id, "student": id, "value": "5" | "н/а" | …, "was"?: "4"}]
    only_lessons: a substitute's lessons (ORG-8): items of other lessons and every period mark are
                  refused with the reason; None — the journal's teacher, no limit.
    A refused item is reported with its reason and leaves no trace; the others are kept. `was` is
    the value the writer last saw stored: an item whose record changed meanwhile is a conflict
    (docs/architecture.md §4). The journal is locked before anything of it is read; a deadlock or a
    serialization failure is retried once, then every item is refused with the reason.
    """
    cells, lessons, period_marks = list(cells), list(lessons), list(period_marks)
    refused = SaveResult()
    if only_lessons is not None:
        reason = str(SUBSTITUTE_OTHER_LESSON)
        kept_cells, kept_lessons = [], []
        for item in cells:
            if isinstance(item, dict) and _int(item.get("lesson")) in only_lessons:
                kept_cells.append(item)
            else:
                refused.cells.append(ItemResult(_cell_key(item), False, value=None, error=reason))
        for item in lessons:
            if isinstance(item, dict) and _int(item.get("lesson")) in only_lessons:
                kept_lessons.append(item)
            else:
                refused.lessons.append(ItemResult(_lesson_key(item), False, value=None, error=reason))
        for item in period_marks:
            refused.period_marks.append(
                ItemResult(_period_key(item), False, value=None, error=str(SUBSTITUTE_PERIOD_MARK))
            )
        cells, lessons, period_marks = kept_cells, kept_lessons, []
    try:
        result = _journal_save(journal=journal, author=author, cells=cells, lessons=lessons, period_marks=period_marks)
    except ConcurrentWriteFailed as exc:
        message = _message(exc)
        result = SaveResult(
            cells=[ItemResult(_cell_key(i), False, value=None, error=message, retry=True) for i in cells],
            lessons=[ItemResult(_lesson_key(i), False, value=None, error=message, retry=True) for i in lessons],
            period_marks=[
                ItemResult(_period_key(i), False, value=None, error=message, retry=True) for i in period_marks
            ],
        )
    result.cells.extend(refused.cells)
    result.lessons.extend(refused.lessons)
    result.period_marks.extend(refused.period_marks)
    return result


@retry_once
def _journal_save(*, journal: Journal, author, cells, lessons, period_marks) -> SaveResult:
    result = SaveResult()
    items = [i for i in (*cells, *lessons) if isinstance(i, dict)]
    lesson_ids = {_int(i.get("lesson")) for i in items} - {None}
    student_ids = {_int(i.get("student")) for i in (*cells, *period_marks) if isinstance(i, dict)} - {None}
    work_types = {wt.pk: wt for wt in WorkType.objects.filter(school_id=journal.school_id)}
    with journal_write([journal.pk]), audit.batch():
        # Read under the journal's lock: what another save committed before is what this one sees.
        lessons_by_id = {
            lesson.pk: lesson
            for lesson in Lesson.objects.filter(journal=journal, school_id=journal.school_id, pk__in=lesson_ids)
        }
        for lesson in lessons_by_id.values():
            lesson.journal = journal
        # Lesson fields first: a default work type chosen in the same save applies to new marks.
        for item in lessons:
            result.lessons.append(_save_lesson_item(journal, author, item, lessons_by_id, work_types))
        ctx = CellContext.load(journal, list(lessons_by_id.values()), student_ids, work_types) if cells else None
        if ctx is not None:
            ctx.pending = {}
        for item in cells:
            result.cells.append(_save_cell_item(ctx, author, item, lessons_by_id))
        if ctx is not None:
            ctx.flush()
        if period_marks:
            periods = {
                p.pk: p for p in Period.objects.filter(year_id=journal.year_id) if p.covers_grade(journal.grade_level)
            }
            memberships = _memberships(journal, student_ids)
            for item in period_marks:
                result.period_marks.append(_save_period_mark_item(journal, author, item, periods, memberships))
    return result


def _save_lesson_item(journal, author, item, lessons_by_id, work_types) -> ItemResult:
    key = _lesson_key(item)
    lesson = lessons_by_id.get(_int(item.get("lesson"))) if isinstance(item, dict) else None
    if lesson is None:
        return ItemResult(key, False, error=_("Урок не найден в этом журнале."))
    try:
        plan = _lesson_plan(journal, lesson, item, work_types)
        with transaction.atomic(), audit.batch():
            lesson_update(lesson=lesson, author=author, work_types=work_types, **plan.write)
    except (ValidationError, ValueError, TypeError) as exc:
        lesson.refresh_from_db(fields=LESSON_ROW_FIELDS)
        msg = _message(exc) if isinstance(exc, ValidationError) else _("Неверные данные урока.")
        return ItemResult(key, False, error=msg)
    if plan.conflicts:
        return ItemResult(
            key,
            False,
            error=" ".join(plan.conflicts.values()),
            conflict=True,
            conflicts=plan.conflicts,
            changed=plan.changed,
        )
    return ItemResult(key, True, changed=plan.changed)


def _save_cell_item(ctx, author, item, lessons_by_id) -> ItemResult:
    key = _cell_key(item)
    if not isinstance(item, dict):
        return ItemResult(key, False, value=None, error=_("Клетка не найдена в этом журнале."))
    lesson = lessons_by_id.get(_int(item.get("lesson")))
    student_id = _int(item.get("student"))
    if lesson is None or student_id is None:
        return ItemResult(key, False, value=None, error=_("Клетка не найдена в этом журнале."))
    text = _text_of(item.get("value", ""))
    valid_was, was = _was_of(item)
    current_key = (lesson.pk, student_id)
    if text is None or not valid_was:
        current = cell_text(ctx.marks.get(current_key, []), ctx.attendance.get(current_key))
        return ItemResult(key, False, value=current, error=_("Неверное значение клетки."))
    try:
        # No savepoint: cell_set refuses a cell before its first write (see the module's docstring).
        saved = cell_set(ctx=ctx, lesson=lesson, student_id=student_id, text=text, author=author, was=was)
    except Conflict as exc:
        return ItemResult(key, False, value=exc.value, error=_message(exc), conflict=True)
    except ValidationError as exc:
        ctx.flush()  # what the database holds must include the cells changed before this one
        _reload_cell(ctx, lesson, student_id)
        current = cell_text(ctx.marks.get(current_key, []), ctx.attendance.get(current_key))
        return ItemResult(key, False, value=current, error=_message(exc))
    return ItemResult(key, True, value=saved)


def _save_period_mark_item(journal, author, item, periods, memberships) -> ItemResult:
    key = _period_key(item)
    if not isinstance(item, dict):
        return ItemResult(key, False, value=None, error=_("Период не найден."))
    period = periods.get(_int(item.get("period")))
    student_id = _int(item.get("student"))
    if period is None or student_id is None:
        return ItemResult(key, False, value=None, error=_("Период не найден."))
    text = _text_of(item.get("value", ""))
    valid_was, was = _was_of(item)
    if text is None or not valid_was:
        return ItemResult(key, False, value=None, error=_("Неверное значение отметки за период."))
    try:
        with transaction.atomic(), audit.batch():
            pm = period_mark_set(
                journal=journal,
                period=period,
                student_id=student_id,
                value=text,
                author=author,
                memberships=memberships.get(student_id, []),
                was=was,
            )
    except Conflict as exc:
        return ItemResult(key, False, value=exc.value, error=_message(exc), conflict=True)
    except ValidationError as exc:
        current = PeriodMark.objects.filter(journal=journal, period=period, student_id=student_id).first()
        return ItemResult(key, False, value=current.value if current else "", error=_message(exc))
    return ItemResult(key, True, value=pm.value if pm else "")


def _reload_cell(ctx: CellContext, lesson: Lesson, student_id: int) -> None:
    """Read back what the database really holds for the cell (under the journal's lock)."""
    key = (lesson.pk, student_id)
    ctx.marks[key] = list(Mark.objects.filter(lesson=lesson, student_id=student_id).order_by("position", "id"))
    att = Attendance.objects.filter(lesson=lesson, student_id=student_id).first()
    if att is None:
        ctx.attendance.pop(key, None)
    else:
        ctx.attendance[key] = att


def _int(value) -> int | None:
    """An id as a client may send it (a number or a string of digits); None for anything else,
    including numbers no id column can hold."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < 2**63 else None
