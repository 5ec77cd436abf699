"""Reads of the year's calendar (ORG-2, ORG-7): working days by the production calendar with the
school's corrections, the days lessons happen on. Each function makes a fixed number of queries,
whatever the length of the range."""

import datetime as dt
from dataclasses import dataclass

from apps.schools.models import AcademicYear, Holiday

from . import production
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
