"""The Russian production calendar (производственный календарь) from the maintained `holidays`
library: non-working public holidays, days off moved by the government's decrees, and weekend
days made working by those decrees. No database here: the school's corrections (CalendarDay)
are laid over it in selectors.py.
"""

import datetime as dt
import functools

import holidays


@functools.lru_cache(maxsize=64)
def _calendar_year(year: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    ru = holidays.RU(years=year, language="ru")
    # weekend_workdays: Saturdays/Sundays worked because their day off was moved to another day
    # («перенос выходного дня»); the library keeps them apart from the holidays themselves.
    return dict(ru.items()), frozenset(ru.weekend_workdays)


def official_days(starts: dt.date, ends: dt.date) -> tuple[dict[dt.date, str], set[dt.date]]:
    """(days off that are not ordinary weekends → their name, weekend days that are working) within
    [starts, ends]. A day off may be moved across the New Year, so the neighbouring years are read too."""
    days_off: dict[dt.date, str] = {}
    workdays: set[dt.date] = set()
    for year in range(starts.year - 1, ends.year + 2):
        off, work = _calendar_year(year)
        days_off.update((d, name) for d, name in off.items() if starts <= d <= ends)
        workdays.update(d for d in work if starts <= d <= ends)
    return days_off, workdays


def is_official_working_day(day: dt.date) -> bool:
    """Working day of the five-day week by the production calendar alone."""
    off, work = official_days(day, day)
    if day.weekday() >= 5:
        return day in work
    return day not in off


def transferred_from(name: str) -> bool:
    """The library names a moved day off «Выходной (перенесено с 04.01.2026)»."""
    return "перенесено" in name


def official_working_days(starts: dt.date, ends: dt.date) -> set[dt.date]:
    """The working days of [starts, ends] by the production calendar (five-day week)."""
    days_off, workdays = official_days(starts, ends)
    out = set()
    day = starts
    while day <= ends:
        if (day in workdays) if day.weekday() >= 5 else (day not in days_off):
            out.add(day)
        day += dt.timedelta(days=1)
    return out
