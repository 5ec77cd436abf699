"""Dates of the rules: the school's today, working days, the age of majority."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.schoolyear import production

ONE_DAY = dt.timedelta(days=1)


def school_today(school) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(school.timezone)).date()


def is_working_day(day: dt.date) -> bool:
    """A working day by the production calendar (производственный календарь): public holidays
    (ТК РФ, ст. 112) and the days off moved by the government's yearly decrees, from the
    maintained `holidays` library (apps.schoolyear.production)."""
    return production.is_official_working_day(day)


def _working_days(starts: dt.date, ends: dt.date, school) -> set[dt.date]:
    if school is None:
        return production.official_working_days(starts, ends)
    from apps.schoolyear.selectors import calendar_days  # the school's corrections of the calendar

    return {d for d, info in calendar_days(school=school, starts=starts, ends=ends).items() if info.is_working}


def add_working_days(start: dt.date, days: int, school=None) -> dt.date:
    """The last day of a term of `days` working days counted from the day after `start`
    (000 прил.3:2.10: «со дня, следующего за днем регистрации запроса»). Given the school, its
    corrections of the production calendar count as well."""
    day, counted = start, 0
    while counted < days:
        window_ends = day + dt.timedelta(days=2 * days + 31)  # longer than any run of days off
        working = _working_days(day + ONE_DAY, window_ends, school)
        while counted < days and day < window_ends:
            day += ONE_DAY
            counted += day in working
    return day


def adulthood_cutoff(today: dt.date) -> dt.date:
    """Whoever was born on or before this day is 18 or older today."""
    try:
        return today.replace(year=today.year - 18)
    except ValueError:  # 29 February: the birthday of a 29 February child falls on 1 March
        return dt.date(today.year - 18, 2, 28)


def is_adult(birth_date: dt.date | None, today: dt.date) -> bool:
    return birth_date is not None and birth_date <= adulthood_cutoff(today)


def age(birth_date: dt.date | None, today: dt.date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def eighteenth_birthday(birth_date: dt.date) -> dt.date:
    try:
        return birth_date.replace(year=birth_date.year + 18)
    except ValueError:  # born on 29 February
        return dt.date(birth_date.year + 18, 3, 1)
