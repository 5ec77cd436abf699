"""The production calendar and the days lessons happen on (ORG-2, ORG-7)."""

import datetime as dt

import pytest

from apps.schools.models import Holiday
from apps.schoolyear import selectors
from apps.schoolyear.models import CalendarDay, YearSettings

D = dt.date


@pytest.mark.parametrize(
    "day, working",
    [
        (D(2026, 11, 4), False),  # День народного единства, a Wednesday
        (D(2026, 11, 5), True),
        (D(2026, 12, 31), False),  # moved from Sunday 4 January 2026 by the decree
        (D(2027, 2, 20), True),  # a Saturday worked: its day off moved to Monday 22 February
        (D(2027, 2, 22), False),
        (D(2026, 11, 21), False),  # an ordinary Saturday
    ],
)
def test_working_day_follows_the_production_calendar(db, world, day, working):
    """ORG-2: public holidays and days moved by the government's decrees come from the maintained
    `holidays` library: 31 December 2026 is a day off, Saturday 20 February 2027 a working day."""
    assert selectors.is_working_day(school=world.school, day=day) is working


def test_the_schools_correction_wins(db, world):
    """ORG-2: the administrator corrects a day of the calendar and the correction wins both ways."""
    CalendarDay.objects.create(school=world.school, date=D(2026, 11, 5), is_working=False, note="региональный")
    CalendarDay.objects.create(school=world.school, date=D(2026, 11, 4), is_working=True, note="отработка")
    assert selectors.is_working_day(school=world.school, day=D(2026, 11, 5)) is False
    assert selectors.is_working_day(school=world.school, day=D(2026, 11, 4)) is True
    days = selectors.study_days(year=world.year, starts=D(2026, 11, 2), ends=D(2026, 11, 6))
    assert days == [D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 6)]


def test_study_days_skip_holidays_transferred_days_and_sundays(db, world, django_assert_num_queries):
    """ORG-2, ORG-7: lessons happen on working days only — not on 4 November, not on 31 December
    (moved day off), not in the year's каникулы — but on Saturday 20 February 2027 (a working
    Saturday); a five-day school does not learn on ordinary Saturdays; three queries for any range."""
    Holiday.objects.create(
        school=world.school, year=world.year, name="Осенние", starts=D(2026, 10, 26), ends=D(2026, 11, 3)
    )
    with django_assert_num_queries(3):
        autumn = selectors.study_days(year=world.year, starts=D(2026, 10, 22), ends=D(2026, 11, 8))
    assert autumn == [D(2026, 10, 22), D(2026, 10, 23), D(2026, 11, 5), D(2026, 11, 6)]
    winter = selectors.study_days(year=world.year, starts=D(2026, 12, 28), ends=D(2027, 1, 1))
    assert winter == [D(2026, 12, 28), D(2026, 12, 29), D(2026, 12, 30)]
    february = selectors.study_days(year=world.year, starts=D(2027, 2, 19), ends=D(2027, 2, 23))
    assert february == [D(2027, 2, 19), D(2027, 2, 20)]


def test_six_day_week_learns_on_saturdays_but_not_on_a_holiday(db, world):
    """ORG-2: in a six-day school week Saturdays are school days, except a public holiday
    (Saturday 1 May 2027) and never Sundays."""
    YearSettings.objects.create(school=world.school, year=world.year, week=YearSettings.Week.SIX)
    days = selectors.study_days(year=world.year, starts=D(2026, 11, 20), ends=D(2026, 11, 23))
    assert days == [D(2026, 11, 20), D(2026, 11, 21), D(2026, 11, 23)]
    may = selectors.study_days(year=world.year, starts=D(2027, 4, 30), ends=D(2027, 5, 4))
    assert may == [D(2027, 4, 30), D(2027, 5, 4)]  # 1 May Saturday, 3 May moved day off


def test_study_days_stay_inside_the_year(db, world):
    """ORG-2: no lesson day outside the academic year's dates."""
    days = selectors.study_days(year=world.year, starts=D(2026, 8, 25), ends=D(2026, 9, 2))
    assert days == [D(2026, 9, 1), D(2026, 9, 2)]
    assert selectors.study_days(year=world.year, starts=D(2027, 6, 1), ends=D(2027, 6, 30)) == []
