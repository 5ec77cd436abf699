"""Reads for the electronic diary (DIA-1, DIA-2). Each selector runs a fixed number of queries,
whatever the number of lessons, marks or subjects, and filters every query by the student's
school (the tenant).

The week also shows the timetable's changes of each lesson (room, a note such as «перенесён с
3-го урока», a substitute teacher, a cancellation: ORG-7, ORG-8) and the events of the school and
of the student's class (ORG-10, from apps.events).

Which lessons a student has: those of journals whose group he was a member of on the lesson's
date (people.GroupMembership, both ends inclusive), so a student moved to another class sees
the old class's lessons before the move and the new one's after it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import router
from django.db.models import Count, Exists, OuterRef, Q

from apps.events.models import Event
from apps.events.selectors import student_events
from apps.journal.grading import GradingSystem, pass_fail_summary, weighted_average
from apps.journal.models import Attendance, Journal, Lesson, Mark, PeriodMark
from apps.ops import prepared
from apps.people.models import Enrolment, GroupMembership, Student
from apps.schools.models import AcademicYear, BellSlot, Holiday, Period, SchoolClass, Subject
from apps.timetable.selectors import special_bells

WEEK_DAYS = 6  # the school week: Monday to Saturday


def week_monday(day: dt.date) -> dt.date:
    """Monday of the week that contains `day` (a Sunday belongs to the week before it)."""
    return day - dt.timedelta(days=day.weekday())


# ---------------------------------------------------------------------------------------------
# The week


@dataclass
class DiaryLesson:
    lesson: Lesson
    starts: dt.time | None
    ends: dt.time | None
    marks: list[Mark] = field(default_factory=list)
    attendance: Attendance | None = None

    @property
    def subject(self) -> Subject:
        return self.lesson.journal.subject

    @property
    def teacher_name(self) -> str:
        return self.lesson.journal.teacher.short_name

    @property
    def cancelled(self) -> bool:
        return self.lesson.status == Lesson.Status.CANCELLED

    @property
    def room(self) -> str:
        return self.lesson.room

    @property
    def change_note(self) -> str:
        return self.lesson.change_note

    @property
    def substitute_name(self) -> str:
        """The teacher who gave the lesson instead of the journal's teacher (ORG-8), or ''."""
        taught_by = self.lesson.taught_by
        if taught_by is None or taught_by.pk == self.lesson.journal.teacher_id:
            return ""
        return taught_by.short_name

    @property
    def changed(self) -> bool:
        return bool(self.cancelled or self.change_note or self.substitute_name)

    @property
    def absent(self) -> bool:
        return self.attendance is not None and self.attendance.kind == Attendance.Kind.ABSENT


@dataclass
class DiaryDay:
    date: dt.date
    lessons: list[DiaryLesson] = field(default_factory=list)
    holiday: Holiday | None = None
    events: list[Event] = field(default_factory=list)


@dataclass
class DiaryWeek:
    student: Student
    monday: dt.date
    days: list[DiaryDay]
    sunday_events: list[Event] = field(default_factory=list)  # no lessons on Sunday, but events may be

    @property
    def saturday(self) -> dt.date:
        return self.monday + dt.timedelta(days=WEEK_DAYS - 1)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def previous_monday(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next_monday(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)


def _member_on_lesson_date(student: Student, group_ref: str, date_ref: str) -> Exists:
    """EXISTS a membership of `student` in the lesson's group covering the lesson's date."""
    return Exists(
        GroupMembership.objects.filter(
            school_id=student.school_id,
            student_id=student.pk,
            group_id=OuterRef(group_ref),
            starts__lte=OuterRef(date_ref),
        ).filter(Q(ends__isnull=True) | Q(ends__gte=OuterRef(date_ref)))
    )


def diary_week(*, student: Student, monday: dt.date) -> DiaryWeek:
    """The student's school week from `monday` to Saturday: lessons with time, room, topic,
    homework, the teacher's comment, the timetable's changes (cancelled, moved, substitute), the
    student's marks (with work type) and absences; holidays; the events of the school and of the
    student's class. Seven queries, whatever the size of the class or the amount of data."""
    school_id = student.school_id
    saturday = monday + dt.timedelta(days=WEEK_DAYS - 1)

    # The journals of the student's groups that week first, then their lessons by the (journal,
    # date) index: asked as one join, PostgreSQL scanned the school's whole year of lessons and
    # hashed every journal of the district (docs/performance.md, round 6).
    journal_ids = list(
        GroupMembership.objects.filter(school_id=school_id, student_id=student.pk, starts__lte=saturday)
        .filter(Q(ends__isnull=True) | Q(ends__gte=monday))
        .values_list("group__journals__id", flat=True)
        .exclude(group__journals__id=None)
        .distinct()
    )
    lessons = list(
        Lesson.objects.filter(school_id=school_id, journal_id__in=journal_ids, date__range=(monday, saturday))
        .filter(_member_on_lesson_date(student, "journal__group_id", "date"))
        .select_related("journal__subject", "journal__teacher", "taught_by")
        .order_by("date", "number", "journal__subject__name", "pk")
    )
    # Marks and absences by date range, not by a list of lesson ids: the query runs (and is
    # counted) even in an empty week; rows for lessons not shown above are ignored. The lesson's
    # school is named too, so its (school, date) index bounds the join to this school's week —
    # without it PostgreSQL scanned every lesson of every school in that week (cost grew with the
    # district, docs/performance.md).
    marks: dict[int, list[Mark]] = defaultdict(list)
    for mark in (
        Mark.objects.filter(
            school_id=school_id,
            student_id=student.pk,
            lesson__school_id=school_id,
            lesson__date__range=(monday, saturday),
        )
        .select_related("work_type")
        .order_by("lesson_id", "position", "pk")
    ):
        marks[mark.lesson_id].append(mark)
    attendance = {
        a.lesson_id: a
        for a in Attendance.objects.filter(
            school_id=school_id,
            student_id=student.pk,
            lesson__school_id=school_id,
            lesson__date__range=(monday, saturday),
        )
    }
    bells = {slot.number: (slot.starts, slot.ends) for slot in BellSlot.objects.filter(school_id=school_id)}
    # ORG-7: a shortened day rings by its own schedule.
    special = special_bells(school_id=school_id, starts=monday, ends=saturday)
    holidays = list(Holiday.objects.filter(school_id=school_id, starts__lte=saturday, ends__gte=monday))
    sunday = monday + dt.timedelta(days=6)
    events = student_events(student=student, first=monday, last=sunday)

    days = []
    for offset in range(WEEK_DAYS):
        day = monday + dt.timedelta(days=offset)
        holiday = next((h for h in holidays if h.starts <= day <= h.ends), None)
        day_events = [e for e in events if e.date <= day <= e.last_day]
        days.append(DiaryDay(date=day, holiday=holiday, events=day_events))
    for lesson in lessons:
        starts, ends = special.get(lesson.date, bells).get(lesson.number, (None, None))
        days[(lesson.date - monday).days].lessons.append(
            DiaryLesson(
                lesson=lesson,
                starts=starts,
                ends=ends,
                marks=marks.get(lesson.pk, []),
                attendance=attendance.get(lesson.pk),
            )
        )
    return DiaryWeek(
        student=student,
        monday=monday,
        days=days,
        sunday_events=[e for e in events if e.date <= sunday <= e.last_day],
    )


# ---------------------------------------------------------------------------------------------
# Marks by subject for a period


@dataclass
class SubjectRow:
    subject: Subject
    marks: list[Mark] = field(default_factory=list)
    average: Decimal | None = None
    period_mark: str = ""
    absences: int = 0
    late: int = 0


def marks_by_subject(*, student: Student, period: Period) -> list[SubjectRow]:
    """One row per subject the student had in `period` (a journal whose group he was a member
    of on some day of it): every mark in date order, the weighted average, the period mark and
    the number of absences. Four queries, whatever the number of subjects or marks."""
    school_id = student.school_id
    span = (period.starts, period.ends)
    member_in_period = Exists(
        GroupMembership.objects.filter(
            school_id=school_id,
            student_id=student.pk,
            group_id=OuterRef("group_id"),
            starts__lte=period.ends,
        ).filter(Q(ends__isnull=True) | Q(ends__gte=period.starts))
    )
    journals = list(
        Journal.objects.filter(school_id=school_id, year_id=period.year_id)
        .filter(member_in_period)
        .select_related("subject")
    )
    rows: dict[int, SubjectRow] = {}
    subject_of: dict[int, int] = {}  # journal → subject: two journals of one subject make one row
    for journal in sorted(journals, key=lambda j: (j.subject.name, j.pk)):
        rows.setdefault(journal.subject_id, SubjectRow(subject=journal.subject))
        subject_of[journal.pk] = journal.subject_id

    for mark in (
        # By the journals found above (index on journal, date): joined to the whole school's
        # lessons of the quarter, PostgreSQL hashed thousands of them for the student's few hundred marks.
        Mark.objects.filter(
            school_id=school_id,
            student_id=student.pk,
            lesson__journal_id__in=list(subject_of),
            lesson__date__range=span,
        )
        .select_related("lesson", "work_type")
        .order_by("lesson__date", "lesson__number", "position", "pk")
    ):
        subject_id = subject_of.get(mark.lesson.journal_id)
        if subject_id is not None:
            rows[subject_id].marks.append(mark)

    for item in (
        Attendance.objects.filter(
            school_id=school_id, student_id=student.pk, lesson__school_id=school_id, lesson__date__range=span
        )
        .values("lesson__journal_id", "kind")
        .annotate(n=Count("pk"))
    ):
        subject_id = subject_of.get(item["lesson__journal_id"])
        if subject_id is None:
            continue
        if item["kind"] == Attendance.Kind.ABSENT:
            rows[subject_id].absences += item["n"]
        else:
            rows[subject_id].late += item["n"]

    # A student moved between groups may have a period mark in each journal of a subject:
    # the one set last is the one that stands.
    for pm in PeriodMark.objects.filter(school_id=school_id, student_id=student.pk, period_id=period.pk).order_by(
        "updated_at", "pk"
    ):
        subject_id = subject_of.get(pm.journal_id)
        if subject_id is not None:
            rows[subject_id].period_mark = pm.value

    for row in rows.values():
        row.average = weighted_average((GradingSystem.numeric(m.grading_system, m.value), m.weight) for m in row.marks)
        # JRN-4: a pass/fail subject is not averaged; its marks are counted instead.
        row.pass_fail = pass_fail_summary(m.value for m in row.marks)
    return list(rows.values())


# ---------------------------------------------------------------------------------------------
# Periods and classes for the page headers


@dataclass
class PeriodChoice:
    periods: list[Period]
    current: Period | None


def diary_periods(*, school, today: dt.date, period_id: int | None = None, grade: int | None = None) -> PeriodChoice:
    """The periods of one school year and the one to show: `period_id` if given (None as
    `current` when it is not a period of this school); otherwise the period containing today,
    else the last one before today, else the first. Only the periods of `grade` when given
    (ORG-2: periods per grade level). One query."""
    return choose_period(grade_periods(school=school, grade=grade), today=today, period_id=period_id)


def grade_periods(*, school, grade: int | None = None) -> list[Period]:
    """Every period of the school (of `grade` when given), with its year, in order. One query."""
    qs = Period.objects.filter(school_id=school.pk)
    if grade is not None:
        qs = qs.filter(grade_from__lte=grade, grade_to__gte=grade)
    return list(qs.select_related("year").order_by("starts", "pk"))


def choose_period(periods: list[Period], *, today: dt.date, period_id: int | None = None) -> PeriodChoice:
    """diary_periods' choice among `periods` (grade_periods)."""
    if period_id is not None:
        current = next((p for p in periods if p.pk == period_id), None)
        if current is None:
            return PeriodChoice(periods=[], current=None)
        return PeriodChoice(periods=[p for p in periods if p.year_id == current.year_id], current=current)
    if not periods:
        return PeriodChoice(periods=[], current=None)
    year = _year_of(periods, today)
    periods = [p for p in periods if p.year_id == year.pk]
    current = (
        next((p for p in periods if p.starts <= today <= p.ends), None)
        or next((p for p in reversed(periods) if p.ends < today), None)
        or periods[0]
    )
    return PeriodChoice(periods=periods, current=current)


def _year_of(periods: list[Period], today: dt.date) -> AcademicYear:
    years = {p.year_id: p.year for p in periods}.values()
    return (
        next((y for y in years if y.starts <= today <= y.ends), None)
        or max((y for y in years if y.starts <= today), key=lambda y: y.starts, default=None)
        or min(years, key=lambda y: y.starts)
    )


def _enrolments_on(*, school_id: int, day: dt.date, **students: int):
    return (
        Enrolment.objects.filter(school_id=school_id, student_id__in=list(students.values()), starts__lte=day)
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
        .order_by("starts", "pk")
    )


_CLASS_FIELDS = prepared.attnames(SchoolClass)
# One prepared statement per number of students asked about (a parent has one to a few children).
_CLASSES_OF: dict[int, prepared.Prepared] = {}


def _classes_of(n: int) -> prepared.Prepared:
    if n not in _CLASSES_OF:
        _CLASSES_OF[n] = prepared.Prepared(
            f"current-classes-{n}",
            build=_enrolments_on,
            ids=("school_id", *(f"s{i}" for i in range(n))),
            fields=("student_id", *(f"school_class__{f}" for f in _CLASS_FIELDS)),
        )
    return _CLASSES_OF[n]


def current_classes(*, school, student_ids, day: dt.date) -> dict[int, SchoolClass]:
    """The class each student is in on `day` (the latest enrolment up to that day). One query,
    compiled once per day for up to eight students (apps.ops.prepared)."""
    ids = sorted(set(student_ids))
    if not ids:
        return {}
    using = router.db_for_read(Enrolment)
    if len(ids) <= 8:
        rows = _classes_of(len(ids)).rows(
            using, shape={"day": day}, school_id=school.pk, **{f"s{i}": pk for i, pk in enumerate(ids)}
        )
        return {row[0]: SchoolClass.from_db(using, _CLASS_FIELDS, row[1:]) for row in rows}
    result: dict[int, SchoolClass] = {}
    for enrolment in _enrolments_on(
        school_id=school.pk, day=day, **{f"s{i}": pk for i, pk in enumerate(ids)}
    ).select_related("school_class"):
        result[enrolment.student_id] = enrolment.school_class
    return result
