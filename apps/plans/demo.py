"""Demo calendar-thematic plans (JRN-2), built from the demo's topic lists (apps.demo.curriculum)
so the plan and completion pages are filled:

- the «teacher» login's journals: a plan of one row per lesson, as schools usually keep it — the
  section is the topic of the curriculum, the row the lesson's topic, with its planned date by the
  timetable. One of them runs a week ahead of its lessons (its dates a week early), so the report
  shows a lag.
- the other journals of the «klass» teacher's class: a plan by topics of several hours, without
  dates (lessons take them in order).

A couple of thousand rows in a few inserts, no lesson touched (the demo wrote their topics as the
teachers' own): well under a second.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from apps.demo import curriculum as cur
from apps.demo.builder import WEEKS_IN_YEAR

from .models import MAX_ITEM_HOURS, PlanItem

CHUNK = 6  # a long topic is planned in parts of at most this many hours


def _slots(builder, unit) -> list[dt.date]:
    """The dates of the unit's lessons over the whole year, by the timetable (a date repeats when the
    subject has two lessons that day)."""
    per_weekday: dict[int, int] = defaultdict(int)
    for (weekday, _number), u in builder.timetable[id(unit.cls)].items():
        if u is unit:
            per_weekday[weekday] += 1
    return [day for day in builder.school_days for _n in range(per_weekday.get(day.weekday(), 0))]


def _lesson_rows(builder, journal, unit, *, early: int) -> list[PlanItem]:
    """One row per lesson of the year, the lesson's topic as the demo gave it, dated by the timetable."""
    topics = cur.topics_for(unit.subject, unit.cls.grade)
    year_lessons = unit.hours * WEEKS_IN_YEAR
    slots = _slots(builder, unit)
    rows = []
    for i in range(year_lessons):
        topic, ti = cur.lesson_topic(topics, i, year_lessons)
        slot = max(0, i - early)
        rows.append(
            PlanItem(
                school_id=builder.school.pk,
                journal_id=journal.pk,
                order=i + 1,
                section=topics[ti],
                topic=topic,
                hours=1,
                planned_date=slots[slot] if slot < len(slots) else None,
            )
        )
    return rows


def _topic_rows(builder, journal, unit) -> list[PlanItem]:
    """One row per topic of the curriculum, its hours split in parts of at most CHUNK, no dates."""
    topics = cur.topics_for(unit.subject, unit.cls.grade)
    year_lessons = unit.hours * WEEKS_IN_YEAR
    per_topic = max(1, -(-year_lessons // len(topics)))
    rows, position = [], 0
    for i, topic in enumerate(topics):
        hours = min(per_topic, year_lessons - position)
        part = 0
        while hours > 0:
            size = min(hours, CHUNK, MAX_ITEM_HOURS)
            part += 1
            rows.append(
                PlanItem(
                    school_id=builder.school.pk,
                    journal_id=journal.pk,
                    order=len(rows) + 1,
                    section=f"{i + 1}. {topic}",
                    topic=topic if part == 1 else f"{topic} (продолжение)",
                    hours=size,
                    note="Входной контроль на первом уроке" if i == 0 and part == 1 else "",
                )
            )
            position += size
            hours -= size
    return rows


def seed(builder) -> None:
    unit_of = {id(j): u for u in builder.units for j in u.journals}
    mine = [j for j in builder.journals if j.demo_teacher.user.username == "teacher"]
    led = next((c for c in builder.classes if c.teacher is not None and c.teacher.user.username == "klass"), None)
    of_class = [j for j in builder.journals if led is not None and j.demo_cls is led and j not in mine]
    items: list[PlanItem] = []
    for n, journal in enumerate(mine):
        unit = unit_of.get(id(journal))
        if unit is not None:
            items += _lesson_rows(builder, journal, unit, early=unit.hours if n == 1 else 0)
    for journal in of_class:
        unit = unit_of.get(id(journal))
        if unit is not None:
            items += _topic_rows(builder, journal, unit)
    PlanItem.objects.bulk_create(items, batch_size=1000)
    builder.stats["plan_items"] = len(items)
