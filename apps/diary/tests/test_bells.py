"""ORG-7 in the diary: a shortened day rings by its own schedule, and the parent's week shows its
times on that day only — at once, although the week is kept in the cache (issue 5)."""

import datetime as dt
import re

from django.urls import reverse

from apps.timetable import services as timetable
from apps.timetable.models import BellScheduleDay
from tests import factories as f

from .helpers import day_texts

WEEK = "?date=2026-11-16"
SHORT = [(1, dt.time(8, 30), dt.time(9, 0)), (2, dt.time(9, 10), dt.time(9, 40)), (3, dt.time(9, 50), dt.time(10, 20))]


def times(client, world) -> list[list[str]]:
    """The lesson times shown on each day of Anna's week, Monday first."""
    response = client.get(reverse("diary:week", args=[world.anna.pk]) + WEEK)
    assert response.status_code == 200
    return [re.findall(r"\d\d:\d\d–\d\d:\d\d", text) for text in day_texts(response)]


def test_a_shortened_day_shows_its_own_times_and_the_other_days_the_ordinary_ones(world, client_for):
    """ORG-7, DIA-1: Thursday 19.11 is made a shortened day; Pat's week (read before, so kept)
    shows 09:10–09:40 for Thursday's 2nd lesson and the ordinary 09:25–10:10 for Wednesday's, and
    after the day is given back to the ordinary schedule, Thursday's ordinary time again."""
    for day in (dt.date(2026, 11, 18), dt.date(2026, 11, 19)):
        f.make_lesson(world.journal, day, 2)
    pat = client_for(world.pat)
    before = times(pat, world)
    assert before[2] == ["09:25–10:10"] and before[3] == ["09:25–10:10"]

    schedule = timetable.bell_schedule_create(school=world.school, name="Сокращённый день")
    timetable.bells_save(school=world.school, schedule=schedule, rows=SHORT)
    assert times(pat, world) == before  # a schedule no day rings by changes nothing
    timetable.bell_days_assign(schedule=schedule, starts=dt.date(2026, 11, 19))
    shortened = times(pat, world)
    assert shortened[2] == ["09:25–10:10"] and shortened[3] == ["09:10–09:40"]

    timetable.bell_day_remove(day=BellScheduleDay.objects.get(date=dt.date(2026, 11, 19)))
    assert times(pat, world) == before


def test_a_lesson_the_shortened_schedule_has_no_bell_for_shows_no_time(world, client_for):
    """ORG-7: on a shortened day of three lessons the 5th lesson shows no time rather than the
    ordinary day's, which would be wrong that day."""
    f.make_lesson(world.journal, dt.date(2026, 11, 19), 5)
    schedule = timetable.bell_schedule_create(school=world.school, name="Сокращённый день")
    timetable.bells_save(school=world.school, schedule=schedule, rows=SHORT)
    timetable.bell_days_assign(schedule=schedule, starts=dt.date(2026, 11, 19))
    thursday = times(client_for(world.pat), world)[3]
    assert thursday == []
