"""Reads of the timetable pages (ORG-7, ORG-8). Each function runs a fixed number of queries,
whatever the number of classes, entries or lessons (the timetable page has a query-budget test)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.journal.models import Journal, Lesson
from apps.people.models import Staff
from apps.schools.models import AcademicYear, BellSlot, Group, Holiday, Period, SchoolClass

from .models import WEEKDAYS, WEEKDAYS_SHORT, BellSchedule, BellScheduleDay, LessonChange, Substitution, TimetableEntry

WORK_WEEK = 5  # Monday–Friday; Saturday shows when the timetable has lessons on it
MIN_NUMBERS = 6  # rows shown even when the bell schedule is shorter


def fmt(day: dt.date) -> str:
    return date_format(day, "d.m.Y")


# ---------------------------------------------------------------------------------------------
# The year, its study days


def current_year(school) -> AcademicYear | None:
    """The school's running year (the latest active one), else its latest."""
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts"))
    return next((y for y in years if y.status == AcademicYear.Status.ACTIVE), years[0] if years else None)


def study_days(*, year: AcademicYear, starts: dt.date | None = None, ends: dt.date | None = None) -> list[dt.date]:
    """The days lessons are given between starts and ends (within the year).

    The school year's calendar (apps.schoolyear.selectors.study_days: the production calendar,
    the school's corrections) decides when it exists; until then, Monday to Friday minus the
    year's holidays."""
    try:
        from apps.schoolyear.selectors import study_days as calendar_study_days
    except ImportError:
        calendar_study_days = None
    if calendar_study_days is not None:
        return list(calendar_study_days(year=year, starts=starts, ends=ends))
    starts = max(starts or year.starts, year.starts)
    ends = min(ends or year.ends, year.ends)
    off = list(Holiday.objects.filter(year=year, school_id=year.school_id).values_list("starts", "ends"))
    days = []
    day = starts
    while day <= ends:
        if day.weekday() < WORK_WEEK and not any(a <= day <= b for a, b in off):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# ---------------------------------------------------------------------------------------------
# Labels


def group_label(group: Group) -> str:
    """«5А» for a whole class, «5А (Английский язык, 1 группа)» for a subgroup, the name otherwise."""
    if group.school_class_id is None:
        return group.name
    if group.kind == Group.Kind.CLASS:
        return str(group.school_class)
    return f"{group.school_class} ({group.name})"


def journal_label(journal: Journal) -> str:
    return f"{group_label(journal.group)}, {journal.subject}"


# ---------------------------------------------------------------------------------------------
# Bells


@dataclass
class BellTable:
    schedule: BellSchedule | None  # None: the ordinary schedule (schools.BellSlot)
    name: str
    slots: list  # BellSlot or BellScheduleSlot, by number
    days: list[BellScheduleDay] = field(default_factory=list)

    @property
    def key(self) -> str:
        return "" if self.schedule is None else str(self.schedule.pk)


def bell_tables(*, school) -> list[BellTable]:
    """The ordinary schedule first, then the others with their slots and dates. Three queries."""
    tables = [BellTable(None, _("Обычное расписание"), list(BellSlot.objects.filter(school=school).order_by("number")))]
    schedules = list(BellSchedule.objects.filter(school=school).prefetch_related("slots").order_by("name"))
    days: dict[int, list[BellScheduleDay]] = defaultdict(list)
    for d in BellScheduleDay.objects.filter(school=school).order_by("date"):
        days[d.schedule_id].append(d)
    for s in schedules:
        tables.append(BellTable(s, s.name, sorted(s.slots.all(), key=lambda x: x.number), days[s.pk]))
    return tables


def bells_on(*, school, day: dt.date) -> tuple[str, dict[int, tuple[dt.time, dt.time]]]:
    """The bell schedule the school rings by on `day`: (its name, number → (start, end))."""
    special = BellScheduleDay.objects.filter(school=school, date=day).select_related("schedule").first()
    if special is not None:
        slots = special.schedule.slots.all()
        return special.schedule.name, {s.number: (s.starts, s.ends) for s in slots}
    return _("Обычное расписание"), {s.number: (s.starts, s.ends) for s in BellSlot.objects.filter(school=school)}


BellTimes = dict[int, tuple[dt.time, dt.time]]  # lesson number → (start, end)


def special_bells(*, school_id: int, starts: dt.date, ends: dt.date) -> dict[dt.date, BellTimes]:
    """The dates of [starts, ends] on which the school rings by another schedule than the ordinary
    one (a shortened day), each with that schedule's times by lesson number — empty when the
    schedule has none. The other dates ring by schools.BellSlot. One query."""
    days: dict[dt.date, BellTimes] = {}
    rows = BellScheduleDay.objects.filter(school_id=school_id, date__range=(starts, ends)).values_list(
        "date", "schedule__slots__number", "schedule__slots__starts", "schedule__slots__ends"
    )
    for day, number, begins, finishes in rows:
        times = days.setdefault(day, {})
        if number is not None:
            times[number] = (begins, finishes)
    return days


# ---------------------------------------------------------------------------------------------
# The weekly timetable of a class or a group


@dataclass
class EntryView:
    entry: TimetableEntry
    upcoming: bool  # not yet in force on the day shown

    @property
    def journal(self) -> Journal:
        return self.entry.journal

    @property
    def group(self) -> str:
        g = self.entry.journal.group
        return "" if g.kind == Group.Kind.CLASS else g.name


@dataclass
class WeekRow:
    number: int
    bell: BellSlot | None
    cells: list[list[EntryView]]


@dataclass
class WeekGrid:
    on: dt.date
    weekdays: list[tuple[int, str]]
    rows: list[WeekRow]
    entry_count: int


@dataclass
class TimetablePage:
    year: AcademicYear
    classes: list[SchoolClass]
    other_groups: list[Group]
    school_class: SchoolClass | None
    group: Group | None
    journals: list[Journal]
    grid: WeekGrid | None
    periods: list[Period]
    numbers: list[int]
    day: dt.date | None
    day_lessons: list[Lesson]

    @property
    def title(self) -> str:
        if self.school_class is not None:
            return str(self.school_class)
        return group_label(self.group) if self.group is not None else ""


def timetable_page(
    *,
    school,
    year: AcademicYear,
    on: dt.date,
    school_class: SchoolClass | None = None,
    group: Group | None = None,
    day: dt.date | None = None,
) -> TimetablePage:
    """What the timetable page shows: the classes and cross-class groups to choose from, the
    chosen one's weekly timetable in force on `on` (with the entries that start later), its
    journals (for the add form), the year's periods and the lessons of `day`. At most 7 queries."""
    classes = list(SchoolClass.objects.filter(school=school, year=year).order_by("grade", "letter"))
    other_groups = list(Group.objects.filter(school=school, year=year, school_class__isnull=True).order_by("name"))
    periods = list(Period.objects.filter(school=school, year=year).order_by("grade_from", "order"))
    bells = list(BellSlot.objects.filter(school=school).order_by("number"))
    journals: list[Journal] = []
    grid = None
    day_lessons: list[Lesson] = []
    if school_class is not None or group is not None:
        scope = Q(group__school_class=school_class) if school_class is not None else Q(group=group)
        journals = list(
            Journal.objects.filter(scope, school=school, year=year)
            .select_related("subject", "teacher", "group__school_class")
            .order_by("group__kind", "group__name", "subject__name")
        )
        entries = list(
            TimetableEntry.objects.filter(school=school, year=year, journal__in=[j.pk for j in journals])
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            .select_related("journal__subject", "journal__teacher", "journal__group__school_class")
            .order_by("weekday", "number", "journal__group__name", "valid_from")
        )
        grid = _week_grid(entries, bells, on)
        if day is not None:
            day_lessons = list(
                Lesson.objects.filter(school=school, date=day, journal__in=[j.pk for j in journals])
                .select_related("journal__subject", "journal__teacher", "journal__group__school_class", "taught_by")
                .order_by("number", "journal__group__name")
            )
    top = max([MIN_NUMBERS, len(bells)] + ([r.number for r in grid.rows] if grid else []))
    return TimetablePage(
        year=year,
        classes=classes,
        other_groups=other_groups,
        school_class=school_class,
        group=group,
        journals=journals,
        grid=grid,
        periods=periods,
        numbers=list(range(1, max(top, 8) + 1)),
        day=day,
        day_lessons=day_lessons,
    )


def _week_grid(entries: list[TimetableEntry], bells: list[BellSlot], on: dt.date) -> WeekGrid:
    days = WORK_WEEK + (1 if any(e.weekday >= WORK_WEEK for e in entries) else 0)
    weekdays = [(i, str(WEEKDAYS_SHORT[i])) for i in range(days)]
    top = max([MIN_NUMBERS, len(bells)] + [e.number for e in entries])
    by_number = {b.number: b for b in bells}
    cells: dict[tuple[int, int], list[EntryView]] = defaultdict(list)
    for e in entries:
        cells[(e.weekday, e.number)].append(EntryView(e, upcoming=e.valid_from > on))
    rows = [WeekRow(n, by_number.get(n), [cells.get((d, n), []) for d, _label in weekdays]) for n in range(1, top + 1)]
    return WeekGrid(on=on, weekdays=weekdays, rows=rows, entry_count=len(entries))


def weekday_name(weekday: int) -> str:
    return str(dict(WEEKDAYS)[weekday])


# ---------------------------------------------------------------------------------------------
# Substitutions


def school_staff(*, school, on: dt.date) -> list[Staff]:
    """Staff working on `on` (not yet left), by name."""
    return list(
        Staff.objects.filter(school=school)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=on))
        .order_by("last_name", "first_name", "middle_name")
    )


def teacher_day(*, school, teacher: Staff, day: dt.date) -> list[Lesson]:
    """The lessons of `teacher`'s journals on `day`, each with `has_records` (marks or attendance)
    and its substitution (`substitution_list`). Two queries."""
    from apps.journal.models import Attendance, Mark

    return list(
        Lesson.objects.filter(school=school, date=day, journal__teacher=teacher)
        .select_related("journal__subject", "journal__group__school_class", "taught_by")
        .annotate(
            has_records=Exists(Mark.objects.filter(lesson=OuterRef("pk")))
            | Exists(Attendance.objects.filter(lesson=OuterRef("pk")))
        )
        .prefetch_related(
            Prefetch(
                "substitutions", queryset=Substitution.objects.select_related("substitute"), to_attr="substitution_list"
            )
        )
        .order_by("number")
    )


def busy_teachers(*, school, day: dt.date) -> dict[int, set[int]]:
    """Lesson number → ids of the staff giving a (not cancelled) lesson then on `day`. One query."""
    busy: dict[int, set[int]] = defaultdict(set)
    rows = (
        Lesson.objects.filter(school=school, date=day)
        .exclude(status=Lesson.Status.CANCELLED)
        .values_list("number", "journal__teacher_id", "taught_by_id")
    )
    for number, teacher_id, taught_by_id in rows:
        busy[number].add(taught_by_id or teacher_id)
    return busy


def substitutions_between(*, school, starts: dt.date, ends: dt.date, teacher: Staff | None = None) -> QuerySet:
    qs = Substitution.objects.filter(school=school, lesson__date__gte=starts, lesson__date__lte=ends)
    if teacher is not None:
        qs = qs.filter(Q(absent=teacher) | Q(substitute=teacher))
    return qs.select_related(
        "lesson__journal__subject", "lesson__journal__group__school_class", "absent", "substitute", "created_by"
    ).order_by("lesson__date", "lesson__number", "pk")


@dataclass
class TeacherHours:
    teacher: Staff
    replaced: int = 0  # her lessons given by somebody else
    cancelled: int = 0  # her lessons cancelled for want of a substitute
    given: int = 0  # lessons she gave instead of a colleague


@dataclass
class SubstitutionReport:
    starts: dt.date
    ends: dt.date
    teacher: Staff | None
    rows: list[Substitution]
    teachers: list[TeacherHours]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def cancelled(self) -> int:
        return sum(1 for r in self.rows if r.substitute_id is None)


def substitution_report(*, school, starts: dt.date, ends: dt.date, teacher: Staff | None = None) -> SubstitutionReport:
    """Substitutions between two dates (of one teacher, replaced or replacing, if given) and the
    hours per teacher: replaced, cancelled, given as a substitute. One query."""
    rows = list(substitutions_between(school=school, starts=starts, ends=ends, teacher=teacher))
    hours: dict[int, TeacherHours] = {}

    def of(staff):
        return hours.setdefault(staff.pk, TeacherHours(staff))

    for r in rows:
        if r.substitute_id is None:
            of(r.absent).cancelled += 1
        else:
            of(r.absent).replaced += 1
            of(r.substitute).given += 1
    teachers = sorted(hours.values(), key=lambda h: (h.teacher.last_name, h.teacher.first_name, h.teacher.pk))
    if teacher is not None:
        teachers = [h for h in teachers if h.teacher.pk == teacher.pk] or [TeacherHours(teacher)]
    return SubstitutionReport(starts=starts, ends=ends, teacher=teacher, rows=rows, teachers=teachers)


# ---------------------------------------------------------------------------------------------
# One lesson and its one-off changes


def lesson_changes(*, lesson: Lesson) -> list[LessonChange]:
    return list(LessonChange.objects.filter(school_id=lesson.school_id, lesson=lesson).select_related("author"))


def timetable_lesson_counts(*, school, year: AcademicYear) -> dict[str, int]:
    """How many lessons of the year came from the timetable and how many were added by hand."""
    counts = dict(
        Lesson.objects.filter(school=school, journal__year=year)
        .values_list("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    return {"timetable": counts.get("timetable", 0), "manual": counts.get("manual", 0)}
