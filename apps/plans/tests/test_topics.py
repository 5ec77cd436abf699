"""Lessons take their topics from the plan in order (JRN-2)."""

import datetime as dt

import pytest

from apps.audit.models import Entry
from apps.journal.models import Lesson
from apps.journal.services import lesson_update
from apps.plans.models import PlanItem, PlanLink
from apps.plans.services import plan_save, plan_topics_apply
from tests import factories as f

pytestmark = pytest.mark.django_db


def lessons_of(world, n, start=dt.date(2026, 11, 16)):
    """n lessons of alice's journal, one a day from `start` (Mondays to Fridays)."""
    result, day = [], start
    while len(result) < n:
        if day.weekday() < 5:
            result.append(f.make_lesson(world.journal, day))
        day += dt.timedelta(days=1)
    return result


def plan(world, *rows):
    for order, (topic, hours) in enumerate(rows, start=1):
        PlanItem.objects.create(school=world.school, journal=world.journal, order=order, topic=topic, hours=hours)


def topics(world):
    return list(Lesson.objects.filter(journal=world.journal).order_by("date", "number").values_list("topic", flat=True))


def test_topics_follow_the_plan_in_order_with_hours(world):
    """JRN-2: an item of 2 hours gives its topic to two lessons in a row; cancelled lessons take no
    topic; the lessons beyond the plan stay empty; every change is in the change log (ARC-1)."""
    lessons = lessons_of(world, 6)
    Lesson.objects.filter(pk=lessons[2].pk).update(status=Lesson.Status.CANCELLED)
    plan(world, ("Дроби", 2), ("Сложение дробей", 1), ("Вычитание дробей", 1))
    before = Entry.objects.count()

    changed = plan_topics_apply(journal=world.journal, author=world.alice)

    assert changed == 4
    assert topics(world) == ["Дроби", "Дроби", "", "Сложение дробей", "Вычитание дробей", ""]
    assert Entry.objects.count() == before + 4
    assert Entry.objects.filter(lesson_id=lessons[3].pk, object_type="lesson").last().new["topic"] == "Сложение дробей"
    assert plan_topics_apply(journal=world.journal, author=world.alice) == 0  # nothing more to do


def test_teacher_written_topic_is_never_overwritten(world):
    """JRN-2: the teacher may override: her own topic stays, before and after the plan changes."""
    lessons = lessons_of(world, 3)
    lesson_update(lesson=lessons[1], author=world.alice, topic="Устный счёт")
    plan(world, ("Дроби", 1), ("Сложение дробей", 1), ("Вычитание дробей", 1))
    plan_topics_apply(journal=world.journal, author=world.alice)
    assert topics(world) == ["Дроби", "Устный счёт", "Вычитание дробей"]

    # The teacher edits a topic that came from the plan: from now on it is hers too.
    lesson_update(lesson=Lesson.objects.get(pk=lessons[0].pk), author=world.alice, topic="Дроби: введение")
    PlanItem.objects.filter(journal=world.journal).update(topic="Другая тема")
    plan_topics_apply(journal=world.journal, author=world.alice)
    assert topics(world) == ["Дроби: введение", "Устный счёт", "Другая тема"]
    assert not PlanLink.objects.filter(lesson=lessons[0]).exists()


def test_plan_change_is_followed_by_unedited_topics(world):
    """JRN-2: when the teacher reorders, shortens or lengthens the plan, the topics that came from
    it and were not edited follow it; a lesson the plan no longer reaches gets its topic cleared."""
    lessons_of(world, 4)
    plan(world, ("Дроби", 1), ("Сложение дробей", 1), ("Вычитание дробей", 2))
    plan_topics_apply(journal=world.journal, author=world.alice)
    assert topics(world) == ["Дроби", "Сложение дробей", "Вычитание дробей", "Вычитание дробей"]

    items = list(PlanItem.objects.filter(journal=world.journal).order_by("order"))
    rows = [
        {"id": items[1].pk, "order": "1", "topic": "Сложение дробей", "hours": "1"},
        {"id": items[0].pk, "order": "2", "topic": "Дроби", "hours": "2"},
        {"id": items[2].pk, "order": "3", "topic": "Вычитание дробей", "hours": "1", "delete": "on"},
    ]
    result = plan_save(journal=world.journal, author=world.alice, rows=rows)

    assert result.ok and result.deleted == 1
    assert topics(world) == ["Сложение дробей", "Дроби", "Дроби", ""]


def test_cancelled_lesson_passes_its_plan_topic_on(world):
    """JRN-2: a lesson cancelled after it took its topic from the plan gives the topic up, and the
    following lessons take the plan from there (nothing of the plan is skipped)."""
    lessons = lessons_of(world, 3)
    plan(world, ("Дроби", 1), ("Сложение дробей", 1), ("Вычитание дробей", 1))
    plan_topics_apply(journal=world.journal, author=world.alice)
    lesson_update(lesson=Lesson.objects.get(pk=lessons[0].pk), author=world.deputy, status=Lesson.Status.CANCELLED)

    plan_topics_apply(journal=world.journal, author=world.deputy)

    assert topics(world) == ["", "Дроби", "Сложение дробей"]


def test_closed_year_is_left_as_it_is(world):
    """JRN-2: the journal of a closed year is frozen: applying the plan changes nothing."""
    from apps.schools.models import AcademicYear

    lessons_of(world, 2)
    plan(world, ("Дроби", 2))
    AcademicYear.objects.filter(pk=world.year.pk).update(status=AcademicYear.Status.CLOSED)
    world.journal.year.refresh_from_db()
    assert plan_topics_apply(journal=world.journal, author=world.alice) == 0
    assert topics(world) == ["", ""]
