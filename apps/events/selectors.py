"""Reads of the events calendar (ORG-10) and of the exam choices (ORG-11). Each runs a fixed
number of queries, filtered by the school (the tenant)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from apps.people.models import Enrolment, Student
from apps.schools.models import AcademicYear, SchoolClass

from .models import Event, ExamChoice
from .services import EXAM_GRADE_LEVELS


def _overlapping(first: dt.date, last: dt.date) -> Q:
    """Events that take place on some day from `first` to `last` (both inclusive)."""
    return Q(date__lte=last) & (Q(ends__isnull=True, date__gte=first) | Q(ends__gte=first))


def current_year(*, school, today: dt.date) -> AcademicYear | None:
    """The school year running today, else the latest active one. One query."""
    years = list(AcademicYear.objects.filter(school_id=school.pk).exclude(status=AcademicYear.Status.CLOSED))
    running = [y for y in years if y.starts <= today <= y.ends]
    if running:
        return min(running, key=lambda y: (y.status != AcademicYear.Status.ACTIVE, y.starts))
    active = [y for y in years if y.status == AcademicYear.Status.ACTIVE]
    return max(active, key=lambda y: y.starts, default=None)


# ---------------------------------------------------------------------------------------------
# The month


@dataclass
class CalendarDay:
    date: dt.date
    in_month: bool
    events: list[Event] = field(default_factory=list)


@dataclass
class Month:
    first: dt.date
    weeks: list[list[CalendarDay]]
    events: list[Event]

    @property
    def last(self) -> dt.date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return self.last + dt.timedelta(days=1)


def month_events(*, school, first: dt.date, class_ids: set[int] | None) -> Month:
    """The calendar of the month beginning `first` (weeks from Monday to Sunday): the school's
    events and those of the classes `class_ids` (None: of every class). One query."""
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    grid_first = first - dt.timedelta(days=first.weekday())
    grid_last = last + dt.timedelta(days=6 - last.weekday())
    qs = Event.objects.filter(school_id=school.pk).filter(_overlapping(grid_first, grid_last))
    if class_ids is not None:
        qs = qs.filter(Q(school_class__isnull=True) | Q(school_class_id__in=list(class_ids)))
    events = list(qs.select_related("school_class").order_by("date", "time", "title", "pk"))
    by_day: dict[dt.date, list[Event]] = defaultdict(list)
    for event in events:
        day = max(event.date, grid_first)
        while day <= min(event.last_day, grid_last):
            by_day[day].append(event)
            day += dt.timedelta(days=1)
    weeks, day = [], grid_first
    while day <= grid_last:
        weeks.append(
            [
                CalendarDay(date=d, in_month=d.month == first.month, events=by_day.get(d, []))
                for d in (day + dt.timedelta(days=i) for i in range(7))
            ]
        )
        day += dt.timedelta(days=7)
    in_month = [e for e in events if e.date <= last and e.last_day >= first]
    return Month(first=first, weeks=weeks, events=in_month)


def student_events(*, student: Student, first: dt.date, last: dt.date) -> list[Event]:
    """The events a student's diary shows from `first` to `last` (ORG-10, DIA-2): the whole
    school's, and those of a class he was enrolled in during those days — never another class's.
    One query."""
    in_class = Exists(
        Enrolment.objects.filter(
            school_id=student.school_id,
            student_id=student.pk,
            school_class_id=OuterRef("school_class_id"),
            starts__lte=last,
        ).filter(Q(ends__isnull=True) | Q(ends__gte=first))
    )
    return list(
        Event.objects.filter(school_id=student.school_id)
        .filter(_overlapping(first, last))
        .filter(Q(school_class__isnull=True) | in_class)
        .select_related("school_class")
        .order_by("date", "time", "title", "pk")
    )


# ---------------------------------------------------------------------------------------------
# Exam choices


def exam_classes(*, school, year: AcademicYear | None) -> list[SchoolClass]:
    """The classes of the year whose students choose exams (grades 9 and 11). One query."""
    if year is None:
        return []
    return list(
        SchoolClass.objects.filter(school_id=school.pk, year_id=year.pk, grade__in=EXAM_GRADE_LEVELS).order_by(
            "grade", "letter"
        )
    )


@dataclass
class ExamRow:
    student: Student
    choices: list[ExamChoice] = field(default_factory=list)


def exam_roster(*, school_class: SchoolClass, today: dt.date) -> list[ExamRow]:
    """The students of the class today, each with the exams chosen for the class's year. Two queries."""
    students = list(
        Student.objects.filter(
            school_id=school_class.school_id,
            enrolments__school_class_id=school_class.pk,
            enrolments__starts__lte=today,
        )
        .filter(Q(enrolments__ends__isnull=True) | Q(enrolments__ends__gte=today))
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    rows = {s.pk: ExamRow(student=s) for s in students}
    for choice in (
        ExamChoice.objects.filter(
            school_id=school_class.school_id, year_id=school_class.year_id, student_id__in=list(rows)
        )
        .select_related("subject")
        .order_by("exam", "subject__name", "pk")
    ):
        rows[choice.student_id].choices.append(choice)
    return list(rows.values())


def student_exam_choices(*, student: Student) -> list[ExamChoice]:
    """The student's own exam choices, the latest year first (ORG-11, DIA-3). One query."""
    return list(
        ExamChoice.objects.filter(school_id=student.school_id, student_id=student.pk)
        .select_related("subject", "year")
        .order_by("-year__starts", "exam", "subject__name", "pk")
    )
