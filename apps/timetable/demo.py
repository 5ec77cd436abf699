"""The demo school's timetable (ORG-7, ORG-8): the builder's weekly timetable as entries with rooms,
the demo's lessons marked as made from it, a shortened bell schedule on the last day before the next
holidays, and in the current week one substitution (the «teacher» login replaces a colleague), one
moved lesson and one room change — all through the services, except the bulk inserts and updates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from apps.journal.models import Lesson
from apps.schools.models import Holiday

from . import services
from .models import GenerationHorizon, TimetableEntry

SHORT_BELLS = [  # lessons of 30 minutes
    (dt.time(8, 30), dt.time(9, 0)),
    (dt.time(9, 10), dt.time(9, 40)),
    (dt.time(9, 55), dt.time(10, 25)),
    (dt.time(10, 40), dt.time(11, 10)),
    (dt.time(11, 20), dt.time(11, 50)),
    (dt.time(12, 0), dt.time(12, 30)),
    (dt.time(12, 40), dt.time(13, 10)),
    (dt.time(13, 20), dt.time(13, 50)),
]


def _rooms(builder) -> dict[int, str]:
    """Journal id → room: each class its own room (1st floor for the primary grades, 2nd for 5–8,
    3rd for 9–11); a second subgroup next door."""
    rooms: dict[int, str] = {}
    per_floor: dict[int, int] = {}
    home: dict[int, str] = {}
    for c in builder.classes:
        floor = 1 if c.grade <= 4 else 2 if c.grade <= 8 else 3
        per_floor[floor] = per_floor.get(floor, 0) + 1
        home[id(c)] = f"{floor}{per_floor[floor]:02d}"
    for u in builder.units:
        for j in u.journals:
            room = home[id(u.cls)]
            if getattr(j, "demo_subgroup", 0) == 2:
                room = str(int(room) + 50)
            rooms[j.pk] = room
    return rooms


def seed(builder) -> None:
    school, year = builder.school, builder.year
    deputy = builder.admin_staff["zavuch"].user
    rooms = _rooms(builder)

    entries = []
    for c in builder.classes:
        for (weekday, number), unit in builder.timetable[id(c)].items():
            for j in unit.journals:
                entries.append(
                    TimetableEntry(
                        school=school,
                        year=year,
                        journal_id=j.pk,
                        weekday=weekday,
                        number=number,
                        room=rooms[j.pk],
                        valid_from=year.starts,
                        created_by=deputy,
                    )
                )
    TimetableEntry.objects.bulk_create(entries, batch_size=1000)

    # The demo's lessons follow that timetable: mark them so (room and source are not in the change log).
    by_room: dict[str, list[int]] = {}
    for journal_id, room in rooms.items():
        by_room.setdefault(room, []).append(journal_id)
    for room, ids in by_room.items():
        Lesson.objects.filter(school=school, journal_id__in=ids).update(source="timetable", room=room)
    if builder.lesson_days:
        GenerationHorizon.objects.create(school=school, year=year, until=builder.lesson_days[-1])

    _shortened_day(builder)
    _this_week(builder, deputy)


def _shortened_day(builder) -> None:
    short = services.bell_schedule_create(school=builder.school, name="Сокращённый день")
    services.bells_save(
        school=builder.school, schedule=short, rows=[(n, s, e) for n, (s, e) in enumerate(SHORT_BELLS, start=1)]
    )
    after = [d for d in builder.school_days if d >= builder.today]
    holiday = Holiday.objects.filter(year=builder.year, starts__gt=builder.today).order_by("starts").first()
    before = [d for d in after if holiday is None or d < holiday.starts]
    day = before[-1] if before else (builder.school_days[-1] if builder.school_days else None)
    if day is not None:
        services.bell_days_assign(schedule=short, starts=day)


def _this_week(builder, deputy) -> None:
    """A substitution today (or on the next school day), a moved lesson and a room change later in the week."""
    days = [d for d in builder.lesson_days if d >= builder.today]
    if not days:
        return
    day = days[0]
    lessons = list(
        Lesson.objects.filter(school=builder.school, date=day)
        .select_related("journal__year", "journal__teacher", "journal__group__school_class", "journal__subject")
        .order_by("number", "pk")
    )
    teacher = builder.demo_teacher.staff if builder.demo_teacher else None
    if teacher is not None:
        busy = {lesson.number for lesson in lessons if lesson.journal.teacher_id == teacher.pk}
        for lesson in lessons:
            if lesson.number in busy or lesson.journal.teacher_id == teacher.pk:
                continue
            try:
                services.substitution_record(lesson=lesson, substitute=teacher, reason="болезнь", author=deputy)
            except ValidationError:
                continue
            break

    later = [d for d in days[1:] if d.isocalendar()[1] == day.isocalendar()[1]] or days[1:]
    if not later:
        return
    future = list(
        Lesson.objects.filter(school=builder.school, date=later[0])
        .select_related("journal__year", "journal__teacher", "journal__group__school_class", "journal__subject")
        .order_by("-number", "pk")
    )
    moved = None
    for lesson in future:
        last = max(o.number for o in future if o.journal.group.school_class_id == lesson.journal.group.school_class_id)
        try:
            services.lesson_move(lesson=lesson, date=lesson.date, number=last + 1, author=deputy)
        except ValidationError:
            continue
        moved = lesson
        break
    for lesson in future:
        if lesson is moved:
            continue
        try:
            services.lesson_room_change(lesson=lesson, room="Библиотека", author=deputy)
        except ValidationError:
            continue
        break


def delete(school) -> None:
    """Remove the timetable's rows of a school (before the demo school itself is removed: they
    protect its lessons and journals)."""
    from .models import BellSchedule, BellScheduleDay, BellScheduleSlot, LessonChange, Substitution

    for model in (Substitution, LessonChange, TimetableEntry, GenerationHorizon, BellScheduleDay, BellScheduleSlot,
                  BellSchedule):  # fmt: skip
        model.objects.filter(school=school).delete()
