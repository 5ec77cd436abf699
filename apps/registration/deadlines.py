"""Dates of the rules: the school's today, working days, the age of majority."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

# Non-working public holidays (Трудовой кодекс РФ, ст. 112), month and day. Days off moved by the
# government's yearly decree are not known in advance and are not counted.
PUBLIC_HOLIDAYS = {(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)}


def school_today(school) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(school.timezone)).date()


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in PUBLIC_HOLIDAYS


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The last day of a term of `days` working days counted from the day after `start`
    (000 прил.3:2.10: «со дня, следующего за днем регистрации запроса»)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
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
