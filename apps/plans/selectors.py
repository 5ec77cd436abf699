"""Reads of the calendar-thematic plan (JRN-2): a journal's plan with the lessons that took each
item, and the program completion report (planned vs given hours). Each a bounded number of
queries, whatever the number of journals, items and lessons."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass, field

from django.db.models import F

from apps.journal.models import Journal, Lesson
from apps.schools.models import AcademicYear, Period

from .models import PlanItem, PlanLink

# ---------------------------------------------------------------------------------------------
# One journal's plan


@dataclass
class PlanRow:
    item: PlanItem
    lessons: list[Lesson] = field(default_factory=list)  # the lessons this item covers, in order
    own_topic: set[int] = field(default_factory=set)  # of those, the ones with the teacher's own topic


@dataclass
class JournalPlan:
    rows: list[PlanRow]
    lessons_total: int  # lessons of the journal that take a topic (not cancelled)
    lessons_beyond: int  # lessons after the plan's end (the plan is short of them)

    @property
    def hours(self) -> int:
        return sum(r.item.hours for r in self.rows)


def journal_plan(*, journal: Journal) -> JournalPlan:
    """The journal's plan items in order, each with the lessons it covers (three queries)."""
    items = list(PlanItem.objects.filter(journal=journal).order_by("order", "pk"))
    lessons = list(
        Lesson.objects.filter(journal=journal)
        .exclude(status=Lesson.Status.CANCELLED)
        .order_by("date", "number", "pk")
        .only("pk", "date", "number", "topic")
    )
    linked = dict(PlanLink.objects.filter(lesson__journal=journal).values_list("lesson_id", "topic"))
    rows = [PlanRow(item) for item in items]
    units = [row for row in rows for _hour in range(row.item.hours)]
    for lesson, row in zip(lessons, units, strict=False):
        row.lessons.append(lesson)
        from_plan = linked.get(lesson.pk) == lesson.topic or lesson.topic == row.item.topic
        if lesson.topic and not from_plan:
            row.own_topic.add(lesson.pk)
    return JournalPlan(rows=rows, lessons_total=len(lessons), lessons_beyond=max(0, len(lessons) - len(units)))


# ---------------------------------------------------------------------------------------------
# Program completion


@dataclass
class Completion:
    """Hours of one journal: planned in all (in the period), planned up to today, given."""

    journal: Journal
    planned_total: int = 0
    planned_to_date: int = 0
    given: int = 0
    has_plan: bool = False

    @property
    def lag(self) -> int:
        return max(0, self.planned_to_date - self.given)

    @property
    def percent(self) -> int | None:
        """Share of the planned hours given so far."""
        if not self.planned_total:
            return None
        return round(100 * min(self.given, self.planned_total) / self.planned_total)


@dataclass
class CompletionGroup:
    title: str
    rows: list[Completion]

    @property
    def planned_total(self) -> int:
        return sum(r.planned_total for r in self.rows)

    @property
    def planned_to_date(self) -> int:
        return sum(r.planned_to_date for r in self.rows)

    @property
    def given(self) -> int:
        return sum(r.given for r in self.rows)

    @property
    def lag(self) -> int:
        return sum(r.lag for r in self.rows)

    @property
    def lagging(self) -> int:
        return sum(1 for r in self.rows if r.lag)

    @property
    def without_plan(self) -> int:
        return sum(1 for r in self.rows if not r.has_plan)


def default_year(school, today: dt.date) -> AcademicYear | None:
    """The year running today, else the newest open one, else the newest."""
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts"))
    for year in years:
        if year.starts <= today <= year.ends and year.status != AcademicYear.Status.PLANNED:
            return year
    active = [y for y in years if y.status == AcademicYear.Status.ACTIVE]
    return (active or years or [None])[0]


def hour_dates(items, lessons: list[dt.date]) -> list[tuple[dt.date | None, bool]]:
    """When each hour of the plan is planned, from its items [(hours, planned_date)] in order and
    the dates of the journal's lessons in order (cancelled ones too: each was a planned hour).
    Gives (date, known) per hour:

    - an item with a date: its first hour on that date, its further hours on the journal's next
      lessons after it (a topic of 3 hours dated Monday, lessons on Mon, Wed, Fri: Mon, Wed, Fri);
    - an item without a date: each hour on the lesson of its place in the plan (the 7th hour of
      the plan on the 7th lesson);
    - known=False when there is no such lesson among `lessons` (the date is then the item's own,
      or None): the hour comes after every lesson read.
    """
    result: list[tuple[dt.date | None, bool]] = []
    for hours, day in items:
        first = bisect_left(lessons, day) if day is not None else None
        for hour in range(hours):
            if day is not None and hour == 0:
                result.append((day, True))
                continue
            index = first + hour if first is not None else len(result)
            result.append((lessons[index], True) if index < len(lessons) else (day, False))
    return result


def completion(
    *, school, year: AcademicYear, today: dt.date, period: Period | None = None, journals=None
) -> list[Completion]:
    """Completion of the program per journal of the year (or of the given journals).

    - planned_total: the plan's hours (with a period: those planned within it, see hour_dates);
    - planned_to_date: the hours planned up to today (within the period) — by the planned dates
      where given, else by the journal's lessons in order; a cancelled lesson was planned but not
      given, and that is a lag;
    - given: the lessons held (not cancelled) up to today (within the period);
    - lag: planned up to today minus given, when positive.
    Three queries whatever the size (journals, their lessons' dates, the plans' hours); the
    lessons are read only up to today (or the period's end).
    """
    if journals is None:
        journals = list(
            Journal.objects.filter(school=school, year=year)
            .select_related("subject", "group__school_class", "teacher")
            .order_by("pk")
        )
        if period is not None:
            journals = [j for j in journals if period.covers_grade(j.group.grade_level)]
    journals = list(journals)
    if not journals:
        return []
    starts = period.starts if period else None
    ends = period.ends if period else None
    until = min(today, ends) if ends else today
    horizon = max(until, ends) if ends else until
    few = len(journals) < 50  # else the whole year's, cheaper than a long IN list
    lessons = Lesson.objects.filter(school=school, journal__year=year, date__lte=horizon)
    items = PlanItem.objects.filter(school=school, journal__year=year)
    if few:
        lessons = lessons.filter(journal__in=[j.pk for j in journals])
        items = items.filter(journal__in=[j.pk for j in journals])
    slots: dict[int, list[dt.date]] = {}
    held: dict[int, int] = {}
    for journal_id, day, status in lessons.order_by("journal_id", "date", "number").values_list(
        "journal_id", "date", "status"
    ):
        slots.setdefault(journal_id, []).append(day)
        if status == Lesson.Status.HELD and day <= until and (starts is None or day >= starts):
            held[journal_id] = held.get(journal_id, 0) + 1
    plans: dict[int, list[tuple[int, dt.date | None]]] = {}
    for journal_id, hours, planned_date in items.order_by("journal_id", "order", "pk").values_list(
        "journal_id", "hours", "planned_date"
    ):
        plans.setdefault(journal_id, []).append((hours, planned_date))
    result = []
    for journal in journals:
        row = Completion(journal=journal, given=held.get(journal.pk, 0), has_plan=journal.pk in plans)
        for day, known in hour_dates(plans.get(journal.pk, ()), slots.get(journal.pk, [])):
            inside = day is not None and (starts is None or day >= starts) and (ends is None or day <= ends)
            if not known:
                # After the last lesson read (today's, or the period's last): not due yet. It counts
                # in the year, and in a period by its topic's date when it has one.
                row.planned_total += period is None or inside
                continue
            row.planned_total += inside
            row.planned_to_date += inside and day <= until
        result.append(row)
    return result


def _class_key(c: Completion):
    cls = c.journal.group.school_class
    return (0, cls.grade, cls.letter) if cls else (1, 0, c.journal.group.name)


def group_by_class(rows: list[Completion]) -> list[CompletionGroup]:
    groups: dict[tuple, CompletionGroup] = {}
    for row in sorted(rows, key=lambda r: (_class_key(r), r.journal.subject.name, r.journal.group.name)):
        cls = row.journal.group.school_class
        key = _class_key(row)
        if key not in groups:
            groups[key] = CompletionGroup(title=str(cls) if cls else row.journal.group.name, rows=[])
        groups[key].rows.append(row)
    return list(groups.values())


def group_by_teacher(rows: list[Completion]) -> list[CompletionGroup]:
    groups: dict[int, CompletionGroup] = {}
    for row in sorted(
        rows,
        key=lambda r: (
            (r.journal.teacher.last_name, r.journal.teacher.first_name, r.journal.teacher_id)
            + (_class_key(r), r.journal.subject.name)
        ),
    ):
        teacher = row.journal.teacher
        if teacher.pk not in groups:
            groups[teacher.pk] = CompletionGroup(title=teacher.short_name, rows=[])
        groups[teacher.pk].rows.append(row)
    return list(groups.values())


def lessons_with_plan_topic(*, lesson_ids) -> set[int]:
    """Of these lessons, those whose topic the plan gave and nobody edited since (for the timetable:
    such a topic is not a record of the lesson's own)."""
    return set(
        PlanLink.objects.filter(lesson_id__in=list(lesson_ids), lesson__topic=F("topic")).values_list(
            "lesson_id", flat=True
        )
    )
