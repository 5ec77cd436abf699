"""Reads of the year's calendar (ORG-2, ORG-7): working days by the production calendar with the
school's corrections, the days lessons happen on. Each function makes a fixed number of queries,
whatever the length of the range."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext

from apps.accounts.models import Membership, Role
from apps.people.models import Staff
from apps.schools.models import AcademicYear, Holiday, Period, SchoolClass

from . import production, rules
from .models import CalendarDay, YearSettings

ONE_DAY = dt.timedelta(days=1)


@dataclass
class Day:
    date: dt.date
    is_working: bool  # five-day week, production calendar with the school's correction
    official_working: bool  # the production calendar alone
    name: str = ""  # the library's name of a day off / «рабочий день (перенос)»
    correction: CalendarDay | None = None
    school_holiday: str = ""  # каникулы of the year covering the day
    is_study: bool = False

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def is_transferred_workday(self) -> bool:
        return self.is_weekend and self.official_working


def _days(*, school, starts: dt.date, ends: dt.date) -> dict[dt.date, Day]:
    """Every day of [starts, ends] with its working status — one query (the corrections)."""
    days_off, workdays = production.official_days(starts, ends)
    corrections = {c.date: c for c in CalendarDay.objects.filter(school=school, date__range=(starts, ends))}
    out = {}
    day = starts
    while day <= ends:
        official = day in workdays if day.weekday() >= 5 else day not in days_off
        name = days_off.get(day, "")
        correction = corrections.get(day)
        out[day] = Day(
            date=day,
            is_working=correction.is_working if correction else official,
            official_working=official,
            name=name,
            correction=correction,
        )
        day += ONE_DAY
    return out


def calendar_days(*, school, starts: dt.date, ends: dt.date) -> dict[dt.date, Day]:
    """The production calendar of [starts, ends] with the school's corrections (one query)."""
    return _days(school=school, starts=starts, ends=ends)


def is_working_day(*, school, day: dt.date) -> bool:
    """A working day of the five-day week: the production calendar, the school's correction wins."""
    correction = CalendarDay.objects.filter(school=school, date=day).values_list("is_working", flat=True).first()
    if correction is not None:
        return correction
    return production.is_official_working_day(day)


def school_week(*, year: AcademicYear) -> int:
    """5 or 6: the length of the year's school week (no settings row = 5)."""
    week = YearSettings.objects.filter(year=year).values_list("week", flat=True).first()
    return week or YearSettings.Week.FIVE


def year_days(*, year: AcademicYear, starts: dt.date | None = None, ends: dt.date | None = None) -> dict[dt.date, Day]:
    """Every day of [starts, ends] ∩ the year with its working and study status (three queries)."""
    starts = max(starts or year.starts, year.starts)
    ends = min(ends or year.ends, year.ends)
    if starts > ends:
        return {}
    six_days = school_week(year=year) == YearSettings.Week.SIX
    holidays = list(
        Holiday.objects.filter(year=year, starts__lte=ends, ends__gte=starts).values_list("name", "starts", "ends")
    )
    days = _days(school=year.school_id, starts=starts, ends=ends)
    for day in days.values():
        for name, h_starts, h_ends in holidays:
            if h_starts <= day.date <= h_ends:
                day.school_holiday = name
                break
        day.is_study = _is_study(day, six_days)
    return days


def _is_study(day: Day, six_days: bool) -> bool:
    weekday = day.date.weekday()
    if day.school_holiday or weekday == 6:  # никогда в каникулы и в воскресенье
        return False
    if weekday == 5:
        if day.is_working:  # a Saturday worked by decree or by the school's correction
            return True
        # A six-day school learns on Saturdays, except the public holidays and the days off the
        # school set itself.
        return six_days and not day.name and not (day.correction and not day.correction.is_working)
    return day.is_working


def study_days(*, year: AcademicYear, starts: dt.date | None = None, ends: dt.date | None = None) -> list[dt.date]:
    """The days of [starts, ends] ∩ the year on which lessons happen (ORG-2, ORG-7): working days of
    the production calendar with the school's corrections; Saturdays only in a six-day week (unless
    a holiday) or when the calendar makes them working; never Sundays; never in the year's
    каникулы. Three queries, whatever the range."""
    return [d for d, info in year_days(year=year, starts=starts, ends=ends).items() if info.is_study]


# --- The pages ---------------------------------------------------------------------------------------


def school_years(*, school) -> list[AcademicYear]:
    """The school's years, newest first, with their classes (and class teachers), periods and
    holidays — four queries."""
    return list(
        AcademicYear.objects.filter(school=school)
        .order_by("-starts")
        .prefetch_related(
            Prefetch(
                "classes", queryset=SchoolClass.objects.select_related("class_teacher").order_by("grade", "letter")
            ),
            Prefetch("periods", queryset=Period.objects.order_by("grade_from", "order")),
            Prefetch("holidays", queryset=Holiday.objects.order_by("starts")),
        )
    )


def get_year(*, school, pk) -> AcademicYear:
    """A year of this school, or 404."""
    try:
        return AcademicYear.objects.select_related("school").get(school=school, pk=pk)
    except (AcademicYear.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def current_year(*, school) -> AcademicYear | None:
    """The active year, else the newest planned, else the newest."""
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts"))
    for status in (AcademicYear.Status.ACTIVE, AcademicYear.Status.PLANNED):
        found = [y for y in years if y.status == status]
        if found:
            return found[-1] if status == AcademicYear.Status.PLANNED else found[0]
    return years[0] if years else None


@dataclass
class YearWarning:
    year_pk: int
    text: str
    urgent: bool


def year_warnings(*, years: list[AcademicYear], today: dt.date) -> list[YearWarning]:
    """ORG-2: the next year is created by 1 July, the old one closed by 30 August."""
    out = []
    for year in years:
        if year.status != AcademicYear.Status.ACTIVE:
            continue
        last_year = year.starts.year + 1
        create_by = dt.date(last_year, 7, 1)
        # A reminder from 1 May, a warning from 1 July.
        if today >= dt.date(last_year, 5, 1) and not any(y.starts > year.starts for y in years):
            out.append(
                YearWarning(
                    year.pk,
                    gettext(
                        "Следующий учебный год после %(year)s не создан: новый учебный год создаётся до 1 июля (%(d)s)."
                    )
                    % {"year": year.name, "d": date_format(create_by, "d.m.Y")},
                    urgent=today >= create_by,
                )
            )
        close_by = dt.date(last_year, 8, 30)
        if today > close_by:
            out.append(
                YearWarning(
                    year.pk,
                    gettext("Учебный год %(year)s не закрыт: старый учебный год закрывается до 30 августа (%(d)s).")
                    % {"year": year.name, "d": date_format(close_by, "d.m.Y")},
                    urgent=True,
                )
            )
    return out


@dataclass
class PeriodScheme:
    grade_from: int
    grade_to: int
    periods: list

    @property
    def label(self) -> str:
        return rules.grades_label(self.grade_from, self.grade_to)

    @property
    def kind_label(self) -> str:
        kinds = {p.get_kind_display() for p in self.periods}
        return ", ".join(sorted(str(k) for k in kinds))


def period_schemes(periods) -> list[PeriodScheme]:
    """The year's periods grouped by grade range, lower grades first."""
    grouped: dict[tuple[int, int], list] = {}
    for p in sorted(periods, key=lambda p: (p.grade_from, p.grade_to, p.order)):
        grouped.setdefault((p.grade_from, p.grade_to), []).append(p)
    return [PeriodScheme(a, b, items) for (a, b), items in grouped.items()]


def class_teachers_without_role(*, school, classes) -> set[int]:
    """Ids of the class teachers (Staff) among these classes whose account lacks the role «классный
    руководитель» in the school (their class's journals stay closed to them) — one query."""
    users = {
        c.class_teacher.user_id: c.class_teacher.pk for c in classes if c.class_teacher and c.class_teacher.user_id
    }
    with_role = set(
        Membership.objects.filter(school=school, role=Role.CLASS_TEACHER, user_id__in=users).values_list(
            "user_id", flat=True
        )
    )
    return {staff_pk for user_id, staff_pk in users.items() if user_id not in with_role}


def staff_choices(*, school, year: AcademicYear):
    """Who may lead a class of the year: the school's staff not gone before the year starts."""
    return Staff.objects.filter(school=school).exclude(left_on__lt=year.starts).order_by("last_name", "first_name")


@dataclass
class Month:
    first: dt.date
    weeks: list  # of 7 cells: Day or None

    @property
    def title(self) -> str:
        return date_format(self.first, "F Y")


def calendar_months(*, year: AcademicYear) -> tuple[list[Month], dict[dt.date, Day]]:
    """The year's months (its first to its last) week by week, each day with its status in the
    production calendar, the school's correction, the holidays and whether lessons happen — three
    queries, whatever the year's length."""
    starts = year.starts.replace(day=1)
    last = year.ends
    ends = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - ONE_DAY
    days = _days(school=year.school_id, starts=starts, ends=ends)
    inside = year_days(year=year)
    for day, info in inside.items():
        days[day] = info
    months = []
    first = starts
    while first <= ends:
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        cells = [None] * first.weekday() + [days[first + dt.timedelta(days=i)] for i in range((following - first).days)]
        cells += [None] * (-len(cells) % 7)
        months.append(Month(first, [cells[i : i + 7] for i in range(0, len(cells), 7)]))
        first = following
    return months, days
