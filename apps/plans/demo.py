"""Demo calendar-thematic plans (JRN-2): the journals of the «teacher» login and of the «klass»
teacher's class get a plan built from the demo's topic lists (apps.demo.curriculum), one row per
topic with its hours and the planned date of its first lesson by the timetable, so the plan and
the completion pages are filled. One journal's plan runs a week ahead of its lessons (its dates a
week early), so the report shows a lag. A few hundred rows in one insert: well under a second."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from apps.demo import curriculum as cur
from apps.demo.builder import WEEKS_IN_YEAR

from .models import MAX_ITEM_HOURS, PlanItem

CHUNK = 6  # a long topic is planned in parts of at most this many hours
MAX_JOURNALS = 16


def _journals(builder) -> list:
    mine = [j for j in builder.journals if j.demo_teacher.user.username == "teacher"]
    led = next((c for c in builder.classes if c.teacher is not None and c.teacher.user.username == "klass"), None)
    of_class = [j for j in builder.journals if led is not None and j.demo_cls is led]
    chosen, seen = [], set()
    for j in mine + of_class:
        if j.pk not in seen:
            seen.add(j.pk)
            chosen.append(j)
    return chosen[:MAX_JOURNALS]


def _slots(builder, unit) -> list[dt.date]:
    """The dates of the unit's lessons over the whole year, by the timetable (a date repeats when the
    subject has two lessons that day)."""
    per_weekday: dict[int, int] = defaultdict(int)
    for (weekday, _number), u in builder.timetable[id(unit.cls)].items():
        if u is unit:
            per_weekday[weekday] += 1
    return [day for day in builder.school_days for _n in range(per_weekday.get(day.weekday(), 0))]


def _period_name(builder, day: dt.date | None) -> str:
    for period in builder.periods:
        if day is not None and period.starts <= day <= period.ends:
            return period.name
    return ""


def seed(builder) -> None:
    unit_of = {id(j): u for u in builder.units for j in u.journals}
    items = []
    chosen = _journals(builder)
    ahead = chosen[1].pk if len(chosen) > 1 else None  # its plan runs a week ahead
    for j in chosen:
        unit = unit_of.get(id(j))
        if unit is None:
            continue
        topics = cur.topics_for(unit.subject, unit.cls.grade)
        year_lessons = unit.hours * WEEKS_IN_YEAR
        slots = _slots(builder, unit)
        shift = unit.hours if j.pk == ahead else 0
        per_topic = max(1, -(-year_lessons // len(topics)))
        position, order = 0, 0
        for i, topic in enumerate(topics):
            hours = min(per_topic, year_lessons - position)
            if hours <= 0:
                break
            part = 0
            while hours > 0:
                size = min(hours, CHUNK, MAX_ITEM_HOURS)
                part += 1
                slot = max(0, position - shift)
                planned = slots[min(slot, len(slots) - 1)] if slots else None
                order += 1
                items.append(
                    PlanItem(
                        school_id=builder.school.pk,
                        journal_id=j.pk,
                        order=order,
                        section=_period_name(builder, planned),
                        topic=topic if part == 1 else f"{topic} (продолжение)",
                        hours=size,
                        planned_date=planned,
                        note="" if i else "Входной контроль на первом уроке",
                    )
                )
                position += size
                hours -= size
    PlanItem.objects.bulk_create(items, batch_size=500)
    builder.stats["plan_items"] = len(items)
