"""Writes of the timetable (ORG-7) and of substitutions (ORG-8).

Every function is keyword-only, validates, writes in one transaction and returns; a refusal is a
ValidationError with a Russian message. What changes a lesson (its date, number, room, note,
substitute, status, or the lesson itself) goes through apps.journal.services, which keeps the
change log (ARC-1).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.models import Entry
from apps.diary.cache import school_changed
from apps.journal import services as journal_services
from apps.journal.locking import journal_write
from apps.journal.models import Attendance, Journal, Lesson, Mark
from apps.people.models import GroupMembership, Staff
from apps.registration.deadlines import school_today
from apps.schools.models import AcademicYear, BellSlot, Group

from .models import (
    BellSchedule,
    BellScheduleDay,
    BellScheduleSlot,
    GenerationHorizon,
    LessonChange,
    Substitution,
    TimetableEntry,
)
from .selectors import fmt, group_label, journal_label, study_days

MAX_NUMBER = 12
MAX_WEEKDAY = 5
ROOM_MAX = 30
REASON_MAX = 200
MAX_BELL_DAYS = 62  # dates assigned to a bell schedule in one go


# ---------------------------------------------------------------------------------------------
# Bell schedules


def _parse_bells(rows) -> list[tuple[int, dt.time, dt.time]]:
    """rows: [(number, starts, ends)] of times; checks numbers 1–12 once each, starts < ends and
    each lesson after the one before."""
    rows = sorted(rows, key=lambda r: r[0])
    errors = []
    seen = set()
    for number, starts, ends in rows:
        if not 1 <= number <= MAX_NUMBER:
            errors.append(_("Номер урока должен быть от 1 до 12."))
        elif number in seen:
            errors.append(_("Урок %(n)d указан дважды.") % {"n": number})
        seen.add(number)
        if starts >= ends:
            errors.append(_("Урок %(n)d: начало должно быть раньше окончания.") % {"n": number})
    for (n1, _s1, e1), (n2, s2, _e2) in zip(rows, rows[1:], strict=False):
        if s2 < e1:
            errors.append(_("Урок %(b)d начинается раньше, чем заканчивается урок %(a)d.") % {"a": n1, "b": n2})
    if errors:
        raise ValidationError(errors)
    return rows


def bells_save(*, school, rows, schedule: BellSchedule | None = None) -> int:
    """Replace the times of the ordinary schedule (schedule=None: schools.BellSlot, which the diary
    reads) or of another schedule. Returns the number of lessons in it."""
    rows = _parse_bells(rows)
    if schedule is not None and schedule.school_id != school.pk:
        raise ValidationError(_("Такого расписания звонков нет в этой школе."))
    with transaction.atomic():
        if schedule is None:
            BellSlot.objects.filter(school=school).delete()
            BellSlot.objects.bulk_create([BellSlot(school=school, number=n, starts=s, ends=e) for n, s, e in rows])
        else:
            schedule.slots.all().delete()
            BellScheduleSlot.objects.bulk_create(
                [BellScheduleSlot(school=school, schedule=schedule, number=n, starts=s, ends=e) for n, s, e in rows]
            )
        school_changed(school.pk)  # the diary shows the times (bulk writes send no signals)
    return len(rows)


def bell_schedule_create(*, school, name: str) -> BellSchedule:
    """A new schedule (e.g. «Сокращённый»), starting as a copy of the ordinary one's times."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Укажите название расписания звонков."))
    if len(name) > 100:
        raise ValidationError(_("Название расписания звонков длиннее 100 знаков."))
    if (
        name.casefold() == _("Обычное расписание").casefold()
        or BellSchedule.objects.filter(school=school, name__iexact=name).exists()
    ):
        raise ValidationError(_("Расписание звонков «%(name)s» уже есть.") % {"name": name})
    with transaction.atomic():
        schedule = BellSchedule.objects.create(school=school, name=name)
        BellScheduleSlot.objects.bulk_create(
            [
                BellScheduleSlot(school=school, schedule=schedule, number=s.number, starts=s.starts, ends=s.ends)
                for s in BellSlot.objects.filter(school=school)
            ]
        )
        school_changed(school.pk)
    return schedule


def bell_schedule_delete(*, schedule: BellSchedule) -> None:
    """Remove a schedule; its dates ring by the ordinary schedule again."""
    schedule.delete()


def bell_days_assign(*, schedule: BellSchedule, starts: dt.date, ends: dt.date | None = None) -> int:
    """Ring by `schedule` on every date from starts to ends (one date when ends is empty); a date
    that had another special schedule takes this one. Returns the number of dates."""
    ends = ends or starts
    if ends < starts:
        raise ValidationError(_("Дата окончания раньше даты начала."))
    days = [starts + dt.timedelta(days=i) for i in range((ends - starts).days + 1)]
    if len(days) > MAX_BELL_DAYS:
        raise ValidationError(_("Не больше %(n)d дней за один раз.") % {"n": MAX_BELL_DAYS})
    with transaction.atomic():
        BellScheduleDay.objects.filter(school_id=schedule.school_id, date__in=days).delete()
        BellScheduleDay.objects.bulk_create(
            [BellScheduleDay(school_id=schedule.school_id, schedule=schedule, date=d) for d in days]
        )
        school_changed(schedule.school_id)
    return len(days)


def bell_day_remove(*, day: BellScheduleDay) -> None:
    day.delete()


# ---------------------------------------------------------------------------------------------
# Clashes


def _groups_clash(a: Group, b: Group, *, on: dt.date) -> bool:
    """May these two groups not have lessons at the same time? The same group, or a whole class
    with any group of it, always clash; two subgroups of a class split the slot unless a student
    is in both; other groups clash when they share a student (on or after `on`)."""
    if a.pk == b.pk:
        return True
    if a.school_class_id is not None and a.school_class_id == b.school_class_id:
        if Group.Kind.CLASS in (a.kind, b.kind):
            return True
    elif Group.Kind.CLASS == a.kind == b.kind:
        return False  # two different classes
    shared = (
        GroupMembership.objects.filter(group_id=a.pk)
        .filter(Q(ends__isnull=True) | Q(ends__gte=on))
        .filter(
            student_id__in=GroupMembership.objects.filter(group_id=b.pk)
            .filter(Q(ends__isnull=True) | Q(ends__gte=on))
            .values("student_id")
        )
    )
    return shared.exists()


TEACHER, ROOM, GROUP, SAME = "teacher", "room", "group", "same"
ALL_CLASHES = frozenset({TEACHER, ROOM, GROUP, SAME})


def _clash_messages(
    *,
    journal: Journal,
    others: list[tuple[Journal, Staff | None, str]],
    room: str,
    teacher: Staff,
    on: dt.date,
    kinds=ALL_CLASHES,
) -> list[str]:
    """others: (journal, who gives it, its room) of the lessons at the same time."""
    messages = []
    for other, other_teacher, other_room in others:
        label = journal_label(other)
        if other.pk == journal.pk:
            if SAME in kinds:
                messages.append(_("В это время уже стоит этот же урок: %(what)s.") % {"what": label})
            continue
        if TEACHER in kinds and other_teacher is not None and other_teacher.pk == teacher.pk:
            messages.append(
                _("Учитель %(teacher)s в это время ведёт другой урок: %(what)s.")
                % {"teacher": teacher.short_name, "what": label}
            )
        if ROOM in kinds and room and other_room and other_room.casefold() == room.casefold():
            messages.append(_("Кабинет %(room)s в это время занят: %(what)s.") % {"room": room, "what": label})
        if GROUP in kinds and _groups_clash(journal.group, other.group, on=on):
            messages.append(
                _("У %(group)s в это время уже есть урок: %(what)s.")
                % {"group": group_label(journal.group), "what": label}
            )
    return messages


def entry_clashes(
    *,
    journal: Journal,
    weekday: int,
    number: int,
    room: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    exclude: TimetableEntry | None = None,
) -> list[str]:
    """Why this lesson cannot stand in the timetable at this time: a teacher or a room in two places
    at once, a class with two lessons in one slot (subgroups of a class may split it)."""
    qs = (
        TimetableEntry.objects.filter(
            school_id=journal.school_id, year_id=journal.year_id, weekday=weekday, number=number
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .select_related("journal__group__school_class", "journal__subject", "journal__teacher")
    )
    if valid_to is not None:
        qs = qs.filter(valid_from__lte=valid_to)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    others = [(e.journal, e.journal.teacher, e.room) for e in qs]
    return _clash_messages(journal=journal, others=others, room=room, teacher=journal.teacher, on=valid_from)


def lesson_clashes(
    *,
    lesson: Lesson,
    date: dt.date,
    number: int,
    room: str,
    teacher: Staff | None = None,
    kinds=ALL_CLASHES,
) -> list[str]:
    """The same rules for one lesson on a date (a move, a room change, a substitute)."""
    others = [
        (o.journal, o.taught_by or o.journal.teacher, o.room)
        for o in Lesson.objects.filter(school_id=lesson.school_id, date=date, number=number)
        .exclude(pk=lesson.pk)
        .exclude(status=Lesson.Status.CANCELLED)
        .select_related("journal__group__school_class", "journal__subject", "journal__teacher", "taught_by")
    ]
    teacher = teacher or lesson.taught_by or lesson.journal.teacher
    return _clash_messages(journal=lesson.journal, others=others, room=room, teacher=teacher, on=date, kinds=kinds)


# ---------------------------------------------------------------------------------------------
# Generating the lessons of the journals


@dataclass
class GenerationResult:
    created: int = 0
    existing: int = 0
    removed: int = 0
    rooms: int = 0  # lessons whose room followed the timetable
    conflicts: list[str] = field(default_factory=list)
    journals: set[int] = field(default_factory=set)  # journals that got new lessons

    def add(self, other: GenerationResult) -> None:
        self.created += other.created
        self.existing += other.existing
        self.removed += other.removed
        self.rooms += other.rooms
        self.conflicts.extend(other.conflicts)
        self.journals |= other.journals


def _entries_by_journal(journals: list[Journal], starts: dt.date, ends: dt.date) -> dict[int, list[TimetableEntry]]:
    result: dict[int, list[TimetableEntry]] = defaultdict(list)
    qs = (
        TimetableEntry.objects.filter(journal__in=[j.pk for j in journals], valid_from__lte=ends)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=starts))
        .order_by("valid_from", "pk")
    )
    for e in qs:
        result[e.journal_id].append(e)
    return result


def _wanted(journals: list[Journal], starts: dt.date, ends: dt.date) -> dict[tuple[int, dt.date, int], TimetableEntry]:
    """(journal, date, number) → the entry that puts a lesson there, on the study days between."""
    wanted = {}
    entries = _entries_by_journal(journals, starts, ends)
    by_year: dict[int, list[Journal]] = defaultdict(list)
    for j in journals:
        by_year[j.year_id].append(j)
    for js in by_year.values():
        days = study_days(year=js[0].year, starts=starts, ends=ends)
        for j in js:
            by_weekday: dict[int, list[TimetableEntry]] = defaultdict(list)
            for e in entries.get(j.pk, []):
                by_weekday[e.weekday].append(e)
            for day in days:
                for e in by_weekday.get(day.weekday(), []):
                    if e.in_force(day):
                        wanted[(j.pk, day, e.number)] = e
    return wanted


def _vacated(journals: list[Journal], starts: dt.date, ends: dt.date) -> set[tuple[int, dt.date, int]]:
    """Slots a lesson was moved away from: the timetable does not fill them again."""
    return set(
        LessonChange.objects.filter(
            lesson__journal__in=[j.pk for j in journals],
            kind=LessonChange.Kind.MOVED,
            old_date__gte=starts,
            old_date__lte=ends,
        ).values_list("lesson__journal_id", "old_date", "old_number")
    )


def _journals(journals) -> list[Journal]:
    if isinstance(journals, Journal):
        journals = [journals]
    ids = [j.pk for j in journals]
    return list(
        Journal.objects.filter(pk__in=ids).select_related("year", "school", "subject", "group__school_class", "teacher")
    )


def lessons_generate(*, journals, starts: dt.date, ends: dt.date, author, apply_plans: bool = True) -> GenerationResult:
    """Make the journals' lessons from the timetable on each study day from starts to ends
    (holidays skipped), source «timetable» with the timetable's room; a lesson already there (or
    a slot a lesson was moved away from) is kept as it is. Then the thematic plan gives the new
    lessons their topics (apps.plans, when installed)."""
    if ends < starts:
        raise ValidationError(_("Дата окончания раньше даты начала."))
    journals = _journals(journals)
    result = GenerationResult()
    closed = [j for j in journals if j.year.status == AcademicYear.Status.CLOSED]
    if closed:
        raise ValidationError(
            _("Учебный год %(year)s закрыт: уроки в его журналах не создаются.") % {"year": closed[0].year}
        )
    if not journals:
        return result
    wanted = _wanted(journals, starts, ends)
    existing = set(
        Lesson.objects.filter(journal__in=[j.pk for j in journals], date__gte=starts, date__lte=ends).values_list(
            "journal_id", "date", "number"
        )
    ) | _vacated(journals, starts, ends)
    by_id = {j.pk: j for j in journals}
    with journal_write(by_id), audit.batch():  # the journals' locks first (apps.journal.locking)
        _extend_horizon(journals, ends)
        for (journal_id, day, number), entry in sorted(wanted.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
            if (journal_id, day, number) in existing:
                result.existing += 1
                continue
            try:
                journal_services.lesson_create(
                    journal=by_id[journal_id],
                    date=day,
                    number=number,
                    author=author,
                    room=entry.room,
                    source="timetable",
                )
            except ValidationError as exc:
                result.conflicts.append(f"{journal_label(by_id[journal_id])}, {fmt(day)}: {' '.join(exc.messages)}")
                continue
            result.created += 1
            result.journals.add(journal_id)
    if apply_plans:
        _apply_plans([by_id[pk] for pk in sorted(result.journals)], author)
    return result


def _apply_plans(journals: list[Journal], author) -> None:
    """JRN-2: lessons take their topics from the thematic plan, in order."""
    try:
        from apps.plans.services import plan_topics_apply
    except ImportError:
        return
    for journal in journals:
        plan_topics_apply(journal=journal, author=author)


def _plan_topic(lesson_ref):
    """The topic the thematic plan wrote into the lesson (apps.plans), as a subquery; None without
    the plans app."""
    try:
        from apps.plans.models import PlanLink
    except ImportError:
        return Value(None, output_field=CharField())
    return Subquery(PlanLink.objects.filter(lesson=lesson_ref).values("topic")[:1])


def generation_horizon(*, school, year) -> dt.date | None:
    """How far ahead lessons were made from the timetable (None: not yet)."""
    return GenerationHorizon.objects.filter(school=school, year=year).values_list("until", flat=True).first()


def _extend_horizon(journals: list[Journal], ends: dt.date) -> None:
    for year in {j.year_id: j.year for j in journals}.values():
        until = min(ends, year.ends)
        horizon, created = GenerationHorizon.objects.get_or_create(
            school_id=year.school_id, year=year, defaults={"until": until}
        )
        if not created and horizon.until < until:
            horizon.until = until
            horizon.save(update_fields=["until"])


def lessons_regenerate(*, journals, author) -> GenerationResult:
    """After the timetable changed: bring the FUTURE lessons (after today in the school's zone, up
    to as far as lessons were made from the timetable) in line with it. A lesson the timetable no
    longer gives is deleted only if it came from the timetable and holds nothing (no marks,
    attendance, topic, homework, substitution); otherwise it is kept and listed as a conflict.
    Past lessons and lessons added by the teacher are never touched."""
    journals = _journals(journals)
    result = GenerationResult()
    if not journals:
        return result
    school = journals[0].school
    starts = school_today(school) + dt.timedelta(days=1)
    horizons = {}
    for j in journals:
        if j.year_id not in horizons:
            horizons[j.year_id] = generation_horizon(school=school, year=j.year)
    for year_id, horizon in horizons.items():
        if horizon is None or horizon < starts:
            continue
        part = [j for j in journals if j.year_id == year_id]
        result.add(_regenerate(part, starts, horizon, author))
    return result


def _regenerate(journals: list[Journal], starts: dt.date, ends: dt.date, author) -> GenerationResult:
    result = GenerationResult()
    wanted = _wanted(journals, starts, ends)
    lessons = (
        Lesson.objects.filter(journal__in=[j.pk for j in journals], date__gte=starts, date__lte=ends)
        .annotate(
            has_marks=Exists(Mark.objects.filter(lesson=OuterRef("pk"))),
            has_attendance=Exists(Attendance.objects.filter(lesson=OuterRef("pk"))),
            has_substitution=Exists(Substitution.objects.filter(lesson=OuterRef("pk"))),
            moved=Exists(LessonChange.objects.filter(lesson=OuterRef("pk"), kind=LessonChange.Kind.MOVED)),
            room_changed=Exists(LessonChange.objects.filter(lesson=OuterRef("pk"), kind=LessonChange.Kind.ROOM)),
            plan_topic=_plan_topic(OuterRef("pk")),
        )
        .order_by("date", "number")
    )
    by_id = {j.pk: j for j in journals}
    emptied: set[int] = set()
    with journal_write(by_id), audit.batch():  # the journals' locks before their lessons are read
        for lesson in lessons:
            lesson.journal = by_id[lesson.journal_id]
            entry = wanted.get((lesson.journal_id, lesson.date, lesson.number))
            if lesson.source != "timetable" or lesson.moved:
                continue  # the teacher's own lessons and deliberate one-off moves stay as they are
            if entry is not None:
                if lesson.room != entry.room and not lesson.room_changed:
                    journal_services.lesson_reschedule(lesson=lesson, author=author, room=entry.room)
                    result.rooms += 1
                continue
            from_plan = bool(lesson.topic) and lesson.topic == lesson.plan_topic
            holds = (
                lesson.has_marks
                or lesson.has_attendance
                or lesson.has_substitution
                or (lesson.topic and not from_plan)
                or lesson.homework
                or lesson.no_homework
            )
            if not holds:
                try:
                    with transaction.atomic():
                        journal_services.lesson_delete(lesson=lesson, author=author, topic_from_plan=from_plan)
                except ValidationError:
                    holds = True
                else:
                    result.removed += 1
                    emptied.add(lesson.journal_id)
                    continue
            result.conflicts.append(
                _(
                    "%(what)s: урок %(date)s (%(number)d-й) больше не стоит в расписании, но в нём уже есть "
                    "записи — он оставлен, проверьте его."
                )
                % {"what": journal_label(lesson.journal), "date": fmt(lesson.date), "number": lesson.number}
            )
    result.add(lessons_generate(journals=journals, starts=starts, ends=ends, author=author, apply_plans=False))
    # The plan's topics follow the lessons in order: new ones get theirs, later ones shift.
    _apply_plans([by_id[pk] for pk in sorted(result.journals | emptied)], author)
    return result


# ---------------------------------------------------------------------------------------------
# The weekly timetable


def _check_slot(weekday: int, number: int, room: str) -> str:
    if not 0 <= weekday <= MAX_WEEKDAY:
        raise ValidationError(_("День недели — с понедельника по субботу."))
    if not 1 <= number <= MAX_NUMBER:
        raise ValidationError(_("Номер урока должен быть от 1 до 12."))
    room = (room or "").strip()
    if len(room) > ROOM_MAX:
        raise ValidationError(_("Название кабинета длиннее %(n)d знаков.") % {"n": ROOM_MAX})
    return room


def entry_add(
    *, journal: Journal, weekday: int, number: int, room: str, valid_from: dt.date, author
) -> tuple[TimetableEntry, GenerationResult]:
    """Put a lesson of `journal` into the weekly timetable from `valid_from`; refused with every
    clash named. The future lessons made from the timetable follow (lessons_regenerate)."""
    room = _check_slot(weekday, number, room)
    year = journal.year
    if not year.starts <= valid_from <= year.ends:
        raise ValidationError(_("Дата %(date)s вне учебного года %(year)s.") % {"date": fmt(valid_from), "year": year})
    clashes = entry_clashes(journal=journal, weekday=weekday, number=number, room=room, valid_from=valid_from)
    if clashes:
        raise ValidationError(clashes)
    with transaction.atomic():
        entry = TimetableEntry.objects.create(
            school_id=journal.school_id,
            year_id=journal.year_id,
            journal=journal,
            weekday=weekday,
            number=number,
            room=room,
            valid_from=valid_from,
            created_by=author,
        )
        result = lessons_regenerate(journals=[journal], author=author)
    return entry, result


def entry_end(*, entry: TimetableEntry, on: dt.date, author) -> GenerationResult:
    """Take a lesson out of the timetable from `on` (it stays in force before that day; an entry
    that had not started yet is removed). The future lessons follow."""
    if entry.valid_to is not None and entry.valid_to < on:
        raise ValidationError(_("Этот урок уже убран из расписания раньше."))
    with transaction.atomic():
        if entry.valid_from >= on:
            entry.delete()
        else:
            entry.valid_to = on - dt.timedelta(days=1)
            entry.save(update_fields=["valid_to"])
        return lessons_regenerate(journals=[entry.journal], author=author)


# ---------------------------------------------------------------------------------------------
# One-off changes of a lesson (ORG-7)


def _has_records(lesson: Lesson) -> bool:
    return Mark.objects.filter(lesson=lesson).exists() or Attendance.objects.filter(lesson=lesson).exists()


def _change_note(date: dt.date, number: int, room: str, changes: list[LessonChange]) -> str:
    """What the diary shows of a lesson at (date, number, room) after these changes:
    «перенесён с 12.11, 3-й урок», «перенесён с 3-го урока», «замена кабинета: 214», or both."""
    parts = []
    moves = [c for c in changes if c.kind == LessonChange.Kind.MOVED]
    if moves:
        first = moves[0]  # the slot the timetable gave it
        if (first.old_date, first.old_number) != (date, number):
            if first.old_date == date:
                parts.append(_("перенесён с %(n)d-го урока") % {"n": first.old_number})
            else:
                parts.append(
                    _("перенесён с %(date)s, %(n)d-й урок")
                    % {"date": first.old_date.strftime("%d.%m"), "n": first.old_number}
                )
    if any(c.old_room != c.new_room for c in changes):
        parts.append(_("замена кабинета: %(room)s") % {"room": room} if room else _("кабинет не указан"))
    return "; ".join(parts)


def _record_change(*, lesson: Lesson, kind: str, date: dt.date, number: int, room: str, author) -> Lesson:
    change = LessonChange(
        school_id=lesson.school_id,
        lesson=lesson,
        kind=kind,
        old_date=lesson.date,
        old_number=lesson.number,
        old_room=lesson.room,
        new_date=date,
        new_number=number,
        new_room=room,
        author=author,
    )
    earlier = list(LessonChange.objects.filter(lesson=lesson).order_by("created_at", "pk"))
    change.note = _change_note(date, number, room, [*earlier, change])
    with transaction.atomic():
        journal_services.lesson_reschedule(
            lesson=lesson, author=author, date=date, number=number, room=room, change_note=change.note
        )
        change.save()
    return lesson


def lesson_move(*, lesson: Lesson, date: dt.date, number: int, author, room: str | None = None) -> Lesson:
    """Move a lesson to another date or lesson number (and room): refused for a lesson with marks
    or attendance, a cancelled one, or when the teacher, the room or the class is taken then."""
    if _has_records(lesson):
        raise ValidationError(_("В уроке уже есть отметки или пропуски: перенести его нельзя."))
    if lesson.status == Lesson.Status.CANCELLED:
        raise ValidationError(_("Урок отменён: сначала уберите отмену на странице замен."))
    new_room = lesson.room if room is None else _check_slot(0, 1, room)
    if (date, number) == (lesson.date, lesson.number):
        raise ValidationError(_("Урок уже стоит на это время."))
    if not lesson.journal.year.starts <= date <= lesson.journal.year.ends:
        raise ValidationError(
            _("Дата %(date)s вне учебного года %(year)s.") % {"date": fmt(date), "year": lesson.journal.year}
        )
    clashes = lesson_clashes(lesson=lesson, date=date, number=number, room=new_room)
    if clashes:
        raise ValidationError(clashes)
    return _record_change(
        lesson=lesson, kind=LessonChange.Kind.MOVED, date=date, number=number, room=new_room, author=author
    )


def lesson_room_change(*, lesson: Lesson, room: str, author) -> Lesson:
    """Give one lesson in another room («замена кабинета: 214»); refused when the room is taken."""
    room = _check_slot(0, 1, room)
    if room == lesson.room:
        raise ValidationError(_("Урок и так в этом кабинете."))
    clashes = lesson_clashes(lesson=lesson, date=lesson.date, number=lesson.number, room=room, kinds={ROOM})
    if clashes:
        raise ValidationError(clashes)
    return _record_change(
        lesson=lesson, kind=LessonChange.Kind.ROOM, date=lesson.date, number=lesson.number, room=room, author=author
    )


# ---------------------------------------------------------------------------------------------
# Substitutions (ORG-8)


def substitution_record(
    *, lesson: Lesson, substitute: Staff | None, reason: str, author, absent: Staff | None = None
) -> Substitution:
    """Teacher `substitute` gives `lesson` instead of its teacher: the lesson shows who gave it
    (Lesson.taught_by) and the substitute may write it from the day before to the day after.
    With no substitute the lesson is cancelled (it must hold no marks or attendance yet)."""
    absent = absent or lesson.taught_by or lesson.journal.teacher
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError(_("Причина длиннее %(n)d знаков.") % {"n": REASON_MAX})
    if absent.school_id != lesson.school_id:
        raise ValidationError(_("Такого сотрудника нет в этой школе."))
    if Substitution.objects.filter(lesson=lesson).exists():
        raise ValidationError(_("На этот урок замена уже записана: сначала уберите её."))
    if lesson.status == Lesson.Status.CANCELLED:
        raise ValidationError(_("Этот урок отменён."))
    if substitute is not None:
        if substitute.school_id != lesson.school_id:
            raise ValidationError(_("Такого сотрудника нет в этой школе."))
        if substitute.pk == absent.pk:
            raise ValidationError(_("Учитель не может заменять сам себя."))
        if substitute.left_on is not None and substitute.left_on < lesson.date:
            raise ValidationError(
                _("%(who)s уволен(а) %(date)s.") % {"who": substitute.short_name, "date": fmt(substitute.left_on)}
            )
        busy = lesson_clashes(
            lesson=lesson, date=lesson.date, number=lesson.number, room="", teacher=substitute, kinds={TEACHER}
        )
        if busy:
            raise ValidationError(busy)
    elif _has_records(lesson):
        raise ValidationError(
            _("В уроке уже есть отметки или пропуски: отменить его нельзя — назначьте заменяющего учителя.")
        )
    with transaction.atomic():
        substitution = Substitution.objects.create(
            school_id=lesson.school_id,
            lesson=lesson,
            absent=absent,
            substitute=substitute,
            reason=reason,
            created_by=author,
        )
        if substitute is not None:
            journal_services.lesson_reschedule(lesson=lesson, author=author, taught_by=substitute)
        else:
            journal_services.lesson_update(lesson=lesson, author=author, status=Lesson.Status.CANCELLED)
    return substitution


def substitution_remove(*, substitution: Substitution, author) -> None:
    """Take back a substitution recorded by mistake: the lesson is the regular teacher's again (or
    no longer cancelled). Refused once the substitute has written in the lesson."""
    lesson = substitution.lesson
    substitute = substitution.substitute
    if substitute is not None and substitute.user_id is not None:
        wrote = Entry.objects.filter(
            school_id=lesson.school_id, lesson_id=lesson.pk, author_id=substitute.user_id
        ).exists()
        if wrote:
            raise ValidationError(
                _("%(who)s уже вёл(а) записи в этом уроке: замену убрать нельзя.") % {"who": substitute.short_name}
            )
    with transaction.atomic():
        substitution.delete()
        if substitute is not None:
            journal_services.lesson_reschedule(lesson=lesson, author=author, taught_by=None)
        elif lesson.status == Lesson.Status.CANCELLED:
            journal_services.lesson_update(lesson=lesson, author=author, status=Lesson.Status.HELD)
