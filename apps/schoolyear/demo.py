"""Demo data of the year's administration: the school week and a regional day off (the demo's
periods and holidays are the builder's own and stay as they are)."""

import datetime as dt

from dateutil.easter import EASTER_ORTHODOX, easter

from .models import CalendarDay, YearSettings


def seed(builder) -> None:
    year = builder.year
    YearSettings.objects.create(school=builder.school, year=year, week=YearSettings.Week.FIVE)
    # Радоница (the Tuesday of the second week after Orthodox Easter) is a day off by the law of
    # several regions: the school corrects the federal calendar. Only a day without demo lessons,
    # so the journal and the calendar agree.
    radonitsa = easter(year.ends.year, EASTER_ORTHODOX) + dt.timedelta(days=9)
    lesson_days = set(getattr(builder, "lesson_days", ()))
    if year.starts <= radonitsa <= year.ends and radonitsa not in lesson_days:
        CalendarDay.objects.create(
            school=builder.school,
            date=radonitsa,
            is_working=False,
            note="Радоница — региональный выходной (закон области)",
        )
