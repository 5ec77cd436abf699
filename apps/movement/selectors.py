"""Reads of the movement book (ORG-9): the book, a student's history, the «Движение учащихся» and
«Наполняемость классов» reports. Each is a fixed number of queries, whatever the school's size.

Counting. A student is in a class on a day when one of his stays (people.Enrolment) covers it.
For a range of days «на начало» is the morning of the first day (before its moves), «на конец»
the evening of the last; «прибыло» and «выбыло» are the moves that take effect on a day of the
range. So на конец = на начало + прибыло − выбыло, always. Each arrival and departure is matched
to its entry of the book (same student, class and day); one without an entry (a stay made in the
admin or by an import) is counted as «без записи в книге», so the sums still hold.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.people.models import Enrolment, Student
from apps.schools.models import AcademicYear, SchoolClass

from .models import MovementEntry

Kind = MovementEntry.Kind
DAY = dt.timedelta(days=1)
OTHER = "other"


# --- Years and classes ----------------------------------------------------------------------------


def school_years(*, school) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(school=school).order_by("-starts"))


def year_on(years: list[AcademicYear], day: dt.date) -> AcademicYear | None:
    """The year running on `day`; else the last one begun before it; else the earliest."""
    for year in years:
        if year.starts <= day <= year.ends:
            return year
    begun = [y for y in years if y.starts <= day]
    if begun:
        return max(begun, key=lambda y: y.starts)
    return min(years, key=lambda y: y.starts) if years else None


def clamp(day: dt.date, year: AcademicYear) -> dt.date:
    return min(max(day, year.starts), year.ends)


def school_classes(*, school, year: AcademicYear | None = None) -> QuerySet[SchoolClass]:
    qs = SchoolClass.objects.filter(school=school).select_related("year", "class_teacher")
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year__starts", "grade", "letter")


def class_students_on(*, school_class: SchoolClass, day: dt.date) -> list[Student]:
    """The students in the class on `day`, by name."""
    # One filter() call: the conditions must hold for the same stay.
    return list(
        Student.objects.filter(
            Q(enrolments__ends__isnull=True) | Q(enrolments__ends__gte=day),
            school_id=school_class.school_id,
            enrolments__school_class=school_class,
            enrolments__starts__lte=day,
        )
        .distinct()
        .order_by("last_name", "first_name", "middle_name", "pk")
    )


def class_students_to_move(*, school_class: SchoolClass, day: dt.date) -> list[Student]:
    """The students in the class on `day` who are not yet recorded as moving on: no entry of the
    book takes them out of the class after `day` and no stay of theirs begins after it (a class
    promoted in two goes, a graduation done for some, a withdrawal recorded ahead)."""
    gone = set(
        MovementEntry.objects.filter(
            school_id=school_class.school_id, from_class=school_class, date__gt=day
        ).values_list("student_id", flat=True)
    )
    gone |= set(
        Enrolment.objects.filter(school_id=school_class.school_id, starts__gt=day)
        .filter(student__enrolments__school_class=school_class)
        .values_list("student_id", flat=True)
    )
    return [s for s in class_students_on(school_class=school_class, day=day) if s.pk not in gone]


def students_out_of_class(*, school, day: dt.date) -> QuerySet[Student]:
    """Students of the school in no class on `day` or later (who left, or were never enrolled):
    those who may be admitted again."""
    placed = Enrolment.objects.filter(school=school).filter(Q(ends__isnull=True) | Q(ends__gte=day))
    return (
        Student.objects.filter(school=school)
        .exclude(pk__in=placed.values("student_id"))
        .order_by("last_name", "first_name", "middle_name", "pk")
    )


# --- The book and a student's card -------------------------------------------------------------------


def book(
    *,
    school,
    year: AcademicYear | None = None,
    school_class: SchoolClass | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    late_only: bool = False,
) -> QuerySet[MovementEntry]:
    """The book's entries, newest first, with what a row shows (one query per page)."""
    qs = MovementEntry.objects.filter(school=school).select_related(
        "student", "from_class", "to_class", "author", "corrects", "corrected_by"
    )
    if year is not None:
        qs = qs.filter(Q(from_class__year=year) | Q(to_class__year=year))
    if school_class is not None:
        qs = qs.filter(Q(from_class=school_class) | Q(to_class=school_class))
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if late_only:
        qs = qs.filter(is_late=True)
    return qs.order_by("-number")


def entry_chain(*, entry: MovementEntry) -> list[MovementEntry]:
    """The entry with the ones it corrects and the ones correcting it, oldest first."""
    first = entry
    while first.corrects_id is not None:
        first = MovementEntry.objects.select_related("author").get(pk=first.corrects_id)
    chain = [first]
    while True:
        nxt = MovementEntry.objects.filter(corrects=chain[-1]).select_related("author").first()
        if nxt is None:
            return chain
        chain.append(nxt)


@dataclass
class StudentCard:
    student: Student
    enrolments: list[Enrolment]
    entries: list[MovementEntry]
    current: Enrolment | None


def student_card(*, student: Student, today: dt.date) -> StudentCard:
    enrolments = list(
        Enrolment.objects.filter(school_id=student.school_id, student=student)
        .select_related("school_class__year", "school_class__class_teacher")
        .order_by("starts", "pk")
    )
    entries = list(
        MovementEntry.objects.filter(school_id=student.school_id, student=student)
        .select_related("from_class", "to_class", "author", "corrected_by")
        .order_by("date", "number")
    )
    current = next((e for e in enrolments if e.starts <= today and (e.ends is None or e.ends >= today)), None)
    return StudentCard(student=student, enrolments=enrolments, entries=entries, current=current)


# --- «Движение учащихся» -----------------------------------------------------------------------------

ARRIVAL_COLUMNS = [
    (Kind.ADMISSION, _("зачислено")),
    (Kind.TRANSFER, _("из другого класса")),
    (Kind.PROMOTION, _("переведено из предыдущего класса")),
    (Kind.REPEAT, _("оставлено на повторное обучение")),
    (OTHER, _("без записи в книге")),
]
DEPARTURE_COLUMNS = [
    (Kind.WITHDRAWAL, _("выбыло")),
    (Kind.TRANSFER, _("в другой класс")),
    (Kind.PROMOTION, _("переведено в следующий класс")),
    (Kind.REPEAT, _("оставлено на повторное обучение")),
    (Kind.GRADUATION, _("выпуск")),
    (OTHER, _("без записи в книге")),
]
ALWAYS_SHOWN = {Kind.ADMISSION, Kind.WITHDRAWAL}


@dataclass
class MovementLine:
    label: str
    level: str  # "class", "grade" or "school"
    school_class: SchoolClass | None = None
    at_start: int = 0
    arrived: Counter = field(default_factory=Counter)
    left: Counter = field(default_factory=Counter)
    at_end: int = 0
    arrived_cells: list[int] = field(default_factory=list)
    left_cells: list[int] = field(default_factory=list)

    @property
    def arrived_total(self) -> int:
        return sum(self.arrived.values())

    @property
    def left_total(self) -> int:
        return sum(self.left.values())

    def add(self, other: MovementLine) -> None:
        self.at_start += other.at_start
        self.at_end += other.at_end
        self.arrived.update(other.arrived)
        self.left.update(other.left)


@dataclass
class MovementReport:
    year: AcademicYear
    starts: dt.date
    ends: dt.date
    lines: list[MovementLine]  # classes, each grade's total after its classes
    total: MovementLine
    arrival_columns: list[tuple[str, str]]
    departure_columns: list[tuple[str, str]]

    @property
    def width(self) -> int:
        """Columns of the table: class, на начало, the kinds and «всего» of each side, на конец."""
        return len(self.arrival_columns) + len(self.departure_columns) + 5


def _on(stay: dict, day: dt.date) -> bool:
    return stay["starts"] <= day and (stay["ends"] is None or stay["ends"] >= day)


def _shown(columns, total: Counter) -> list[tuple[str, str]]:
    return [(code, label) for code, label in columns if code in ALWAYS_SHOWN or total[code]]


def movement_report(*, school, year: AcademicYear, starts: dt.date, ends: dt.date) -> MovementReport:
    """Per class of the year: на начало, прибыло (by kind), выбыло (by kind), на конец; each grade's
    and the school's totals. Three queries."""
    classes = list(school_classes(school=school, year=year))
    eve = starts - DAY
    stays = list(
        Enrolment.objects.filter(school=school, school_class__year=year, starts__lte=ends)
        .filter(Q(ends__isnull=True) | Q(ends__gte=eve))
        .values("student_id", "school_class_id", "starts", "ends")
    )
    arrivals: dict[tuple, str] = {}
    departures: dict[tuple, str] = {}
    entries = (
        MovementEntry.objects.filter(school=school, date__gte=starts, date__lte=ends)
        .filter(Q(from_class__year=year) | Q(to_class__year=year))
        .values_list("student_id", "kind", "from_class_id", "to_class_id", "date")
    )
    for student_id, kind, from_id, to_id, date in entries:
        if to_id is not None:
            arrivals[(student_id, to_id, date)] = kind
        if from_id is not None:
            departures[(student_id, from_id, date)] = kind
    by_class = {c.pk: MovementLine(label=str(c), level="class", school_class=c) for c in classes}
    for stay in stays:
        line = by_class.get(stay["school_class_id"])
        if line is None:
            continue
        key = (stay["student_id"], stay["school_class_id"])
        if _on(stay, eve):
            line.at_start += 1
        if _on(stay, ends):
            line.at_end += 1
        if starts <= stay["starts"] <= ends:
            line.arrived[arrivals.get((*key, stay["starts"]), OTHER)] += 1
        if stay["ends"] is not None and eve <= stay["ends"] < ends:
            left_on = stay["ends"] + DAY
            line.left[departures.get((*key, left_on), OTHER)] += 1
    lines: list[MovementLine] = []
    total = MovementLine(label=str(_("Всего по школе")), level="school")
    for i, c in enumerate(classes):
        if i == 0 or classes[i - 1].grade != c.grade:
            grade_line = MovementLine(label=_grade_label(c.grade), level="grade")
        lines.append(by_class[c.pk])
        grade_line.add(by_class[c.pk])
        total.add(by_class[c.pk])
        if i == len(classes) - 1 or classes[i + 1].grade != c.grade:
            lines.append(grade_line)
    arrival_columns = _shown(ARRIVAL_COLUMNS, total.arrived)
    departure_columns = _shown(DEPARTURE_COLUMNS, total.left)
    for line in [*lines, total]:
        line.arrived_cells = [line.arrived[code] for code, _label in arrival_columns]
        line.left_cells = [line.left[code] for code, _label in departure_columns]
    return MovementReport(
        year=year,
        starts=starts,
        ends=ends,
        lines=lines,
        total=total,
        arrival_columns=arrival_columns,
        departure_columns=departure_columns,
    )


def _grade_label(grade: int) -> str:
    return str(_("Итого %(grade)s-е классы")) % {"grade": grade}


# --- «Наполняемость классов» -------------------------------------------------------------------------


@dataclass
class SizeLine:
    label: str
    level: str  # "class", "grade" or "school"
    students: int
    school_class: SchoolClass | None = None
    classes: int = 1

    @property
    def teacher(self) -> str:
        c = self.school_class
        return c.class_teacher.full_name if c is not None and c.class_teacher_id else ""


@dataclass
class ClassSizes:
    year: AcademicYear
    day: dt.date
    lines: list[SizeLine]
    total: SizeLine


def class_sizes(*, school, year: AcademicYear, day: dt.date) -> ClassSizes:
    """Students in each class of the year on `day`, with the class teacher; each grade's and the
    school's totals (classes and students). One query."""
    on_day = Q(enrolments__starts__lte=day) & (Q(enrolments__ends__isnull=True) | Q(enrolments__ends__gte=day))
    classes = list(
        school_classes(school=school, year=year).annotate(n=Count("enrolments", filter=on_day, distinct=True))
    )
    lines: list[SizeLine] = []
    total = SizeLine(label=str(_("Всего по школе")), level="school", students=0, classes=0)
    for i, c in enumerate(classes):
        if i == 0 or classes[i - 1].grade != c.grade:
            grade_line = SizeLine(label=_grade_label(c.grade), level="grade", students=0, classes=0)
        lines.append(SizeLine(label=str(c), level="class", students=c.n, school_class=c))
        grade_line.students += c.n
        grade_line.classes += 1
        total.students += c.n
        total.classes += 1
        if i == len(classes) - 1 or classes[i + 1].grade != c.grade:
            lines.append(grade_line)
    return ClassSizes(year=year, day=day, lines=lines, total=total)
