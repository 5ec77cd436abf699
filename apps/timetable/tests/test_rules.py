"""The timetable's rules (ORG-7): clashes, making the journals' lessons from the timetable on study
days only, regenerating future empty lessons and never touching past or filled ones, one-off
changes shown as notes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import Entry
from apps.audit.verify import verify_school
from apps.journal import services as js
from apps.journal.models import Lesson
from apps.schools.models import Holiday
from apps.timetable import services
from apps.timetable.models import LessonChange, TimetableEntry
from tests import factories as f

from .helpers import FRI, MON, THU, TUE, WED, add_entry, english, group_journal, journal_for, subgroup

Q2 = (dt.date(2026, 11, 5), dt.date(2026, 12, 27))


def clash_messages(call) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.messages


# --- Clashes ------------------------------------------------------------------------------------


def test_a_teacher_cannot_be_in_two_classes_at_once(world):
    """ORG-7: alice gives 5А mathematics on Monday, 1st lesson; her 5Б mathematics cannot go there too."""
    add_entry(world, world.journal, MON, 1, room="101")
    other = journal_for(world, world.class_5b, world.math, world.alice_staff)
    messages = clash_messages(lambda: add_entry(world, other, MON, 1, room="102"))
    assert messages == ["Учитель Алексеева А. И. в это время ведёт другой урок: 5А, Математика."]
    assert TimetableEntry.objects.count() == 1
    add_entry(world, other, MON, 2, room="101")  # another lesson number is free


def test_a_room_cannot_hold_two_lessons_at_once(world):
    """ORG-7: room 214 is taken by 5А on Monday, 1st lesson; 5Б's Russian is refused there, not elsewhere."""
    add_entry(world, world.journal, MON, 1, room="214")
    messages = clash_messages(lambda: add_entry(world, world.journal_5b, MON, 1, room="214"))
    assert messages == ["Кабинет 214 в это время занят: 5А, Математика."]
    add_entry(world, world.journal_5b, MON, 1, room="215")


def test_a_class_cannot_have_two_lessons_in_one_slot(world):
    """ORG-7: 5А has mathematics on Monday, 1st lesson; its Russian (another teacher, another room)
    cannot be put there too."""
    add_entry(world, world.journal, MON, 1, room="101")
    russian_5a = journal_for(world, world.class_5a, world.russian, world.bob_staff)
    messages = clash_messages(lambda: add_entry(world, russian_5a, MON, 1, room="102"))
    assert messages == ["У 5А в это время уже есть урок: 5А, Математика."]


def test_subgroups_of_a_class_split_a_slot_but_not_with_the_whole_class(world):
    """ORG-4, ORG-7: two English subgroups of 5А (different students, teachers, rooms) share Tuesday's
    2nd lesson; the whole class cannot have a lesson then, nor a subgroup sharing a student."""
    first, second = world.students_5a[:2], world.students_5a[2:]
    eng = english(world)
    g1 = subgroup(world, world.class_5a, "Английский язык, 1 группа", first)
    g2 = subgroup(world, world.class_5a, "Английский язык, 2 группа", second)
    add_entry(world, group_journal(world, g1, eng, world.bob_staff), TUE, 2, room="301")
    add_entry(world, group_journal(world, g2, eng, world.carol_staff), TUE, 2, room="302")
    messages = clash_messages(lambda: add_entry(world, world.journal, TUE, 2, room="101"))
    assert messages == [
        "У 5А в это время уже есть урок: 5А (Английский язык, 1 группа), Английский язык.",
        "У 5А в это время уже есть урок: 5А (Английский язык, 2 группа), Английский язык.",
    ]
    informatics = f.SubjectFactory(school=world.school, name="Информатика")
    overlapping = subgroup(world, world.class_5a, "Информатика, 1 группа", [first[0]])
    inf = group_journal(world, overlapping, informatics, world.alice_staff)
    messages = clash_messages(lambda: add_entry(world, inf, TUE, 2, room="303"))
    assert messages == [
        "У 5А (Информатика, 1 группа) в это время уже есть урок: 5А (Английский язык, 1 группа), Английский язык."
    ]


def test_entries_that_do_not_overlap_in_time_do_not_clash(world):
    """ORG-7: a lesson taken out of the timetable from 23.11 frees its slot for a lesson from that day."""
    entry = add_entry(world, world.journal, MON, 1, room="101")
    services.entry_end(entry=entry, on=dt.date(2026, 11, 23), author=world.deputy)
    entry.refresh_from_db()
    assert entry.valid_to == dt.date(2026, 11, 22)
    add_entry(world, world.journal_5b, MON, 1, room="101", valid_from=dt.date(2026, 11, 23))
    # …but before 23.11 room 101 is still 5А's on Mondays, 1st lesson.
    messages = clash_messages(
        lambda: add_entry(world, world.journal_history_5b, MON, 1, room="101", valid_from=dt.date(2026, 11, 16))
    )
    assert "Кабинет 101 в это время занят: 5А, Математика." in messages


# --- Generating lessons -------------------------------------------------------------------------


def test_lessons_are_made_on_study_days_skipping_holidays(world):
    """ORG-7: Monday and Wednesday mathematics of 5А for the 2nd quarter: a lesson each Monday and
    Wednesday from 5.11 to 27.12 with the timetable's room, none in the school's holidays (30.11–1.12)
    nor on a public holiday; made again, nothing is doubled."""
    Holiday.objects.create(
        school=world.school, year=world.year, name="Дополнительные каникулы",
        starts=dt.date(2026, 11, 30), ends=dt.date(2026, 12, 1),
    )  # fmt: skip
    add_entry(world, world.journal, MON, 1, room="101")
    add_entry(world, world.journal, WED, 3, room="205")
    result = services.lessons_generate(journals=[world.journal], starts=Q2[0], ends=Q2[1], author=world.deputy)
    lessons = list(Lesson.objects.filter(journal=world.journal).order_by("date"))
    dates = [lesson.date for lesson in lessons]
    assert dt.date(2026, 11, 30) not in dates  # Monday in the holidays
    assert dates[0] == dt.date(2026, 11, 9) and dates[-1] == dt.date(2026, 12, 23)
    assert all(d.weekday() in (MON, WED) for d in dates)
    assert len(dates) == 13  # 7 Mondays + 7 Wednesdays − 30.11
    assert result.created == 13
    assert {(lesson.weekday, lesson.number, lesson.room) for lesson in _with_weekday(lessons)} == {
        (MON, 1, "101"),
        (WED, 3, "205"),
    }
    assert {lesson.source for lesson in lessons} == {"timetable"}
    # Every lesson made is in the change log (ARC-1), authored by the deputy.
    assert Entry.objects.filter(object_type="lesson", action="create", author=world.deputy).count() == 13
    again = services.lessons_generate(journals=[world.journal], starts=Q2[0], ends=Q2[1], author=world.deputy)
    assert (again.created, again.existing) == (0, 13)


def _with_weekday(lessons):
    for lesson in lessons:
        lesson.weekday = lesson.date.weekday()
    return lessons


def test_a_lesson_the_teacher_added_is_kept_and_not_doubled(world):
    """ORG-7: alice already added Monday 23.11, 1st lesson by hand; generating keeps hers."""
    mine = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 23), number=1, author=world.alice)
    add_entry(world, world.journal, MON, 1, room="101")
    result = services.lessons_generate(
        journals=[world.journal], starts=dt.date(2026, 11, 23), ends=dt.date(2026, 11, 30), author=world.deputy
    )
    assert (result.created, result.existing) == (1, 1)
    mine.refresh_from_db()
    assert (mine.source, mine.room) == ("manual", "")


# --- Regenerating after a change ----------------------------------------------------------------


def test_editing_the_timetable_regenerates_only_future_empty_lessons(world):
    """ORG-7: mathematics moves from Wednesday to Thursday from tomorrow. Future empty Wednesday
    lessons go and Thursday ones come; the past Wednesday (18.11, with a mark) stays; the future
    Wednesday 25.11 whose topic alice already wrote stays and is listed to the deputy; every
    deletion is in the change log and the chain verifies."""
    wed = add_entry(world, world.journal, WED, 1, room="101")
    add_entry(world, world.journal, MON, 1, room="101")
    services.lessons_generate(journals=[world.journal], starts=Q2[0], ends=Q2[1], author=world.deputy)
    past = Lesson.objects.get(journal=world.journal, date=dt.date(2026, 11, 18))
    assert js.journal_save(
        journal=world.journal, author=world.alice, cells=[{"lesson": past.pk, "student": world.anna.pk, "value": "5"}]
    ).ok
    filled = Lesson.objects.get(journal=world.journal, date=dt.date(2026, 11, 25))
    js.lesson_update(lesson=filled, author=world.alice, topic="Контрольная работа")
    empty_past = Lesson.objects.get(journal=world.journal, date=dt.date(2026, 11, 11))

    result = services.entry_end(entry=wed, on=dt.date(2026, 11, 21), author=world.deputy)
    assert result.removed == 4  # 2, 9, 16, 23 December
    assert result.conflicts == [
        "5А, Математика: урок 25.11.2026 (1-й) больше не стоит в расписании, но в нём уже есть записи — "
        "он оставлен, проверьте его."
    ]
    _entry, added = services.entry_add(
        journal=world.journal, weekday=THU, number=1, room="101", valid_from=dt.date(2026, 11, 21), author=world.deputy
    )
    assert added.created == 5  # 26.11, 3, 10, 17, 24.12

    dates = set(Lesson.objects.filter(journal=world.journal).values_list("date", flat=True))
    assert {dt.date(2026, 11, 18), dt.date(2026, 11, 11), dt.date(2026, 11, 25)} <= dates  # past and filled stay
    assert dt.date(2026, 12, 2) not in dates and dt.date(2026, 11, 26) in dates
    assert Lesson.objects.filter(pk=empty_past.pk).exists()  # the past is never regenerated, even empty
    assert Entry.objects.filter(object_type="lesson", action="delete", author=world.deputy).count() == 4
    check = verify_school(world.school)
    assert check.ok, check.data_problems


def test_a_room_change_in_the_timetable_follows_into_future_lessons(world):
    """ORG-7: the timetable's lesson moves to another room from tomorrow: the future lessons made
    from it get the new room, the past ones keep the old."""
    entry = add_entry(world, world.journal, MON, 1, room="101")
    services.lessons_generate(journals=[world.journal], starts=Q2[0], ends=Q2[1], author=world.deputy)
    services.entry_end(entry=entry, on=dt.date(2026, 11, 21), author=world.deputy)
    add_entry(world, world.journal, MON, 1, room="214", valid_from=dt.date(2026, 11, 21))
    rooms = dict(Lesson.objects.filter(journal=world.journal).values_list("date", "room"))
    assert rooms[dt.date(2026, 11, 16)] == "101"
    assert rooms[dt.date(2026, 11, 23)] == "214"


# --- One-off changes ----------------------------------------------------------------------------


def test_a_moved_lesson_carries_a_note_and_is_not_made_again(world):
    """ORG-7: Monday 23.11, 1st lesson moves to Tuesday 24.11, 3rd lesson in room 214: the diary's
    note says where it came from; generating again does not put a lesson back on 23.11."""
    add_entry(world, world.journal, MON, 1, room="101")
    services.lessons_generate(
        journals=[world.journal], starts=dt.date(2026, 11, 23), ends=dt.date(2026, 11, 29), author=world.deputy
    )
    lesson = Lesson.objects.get(journal=world.journal, date=dt.date(2026, 11, 23))
    services.lesson_move(lesson=lesson, date=dt.date(2026, 11, 24), number=3, room="214", author=world.deputy)
    lesson.refresh_from_db()
    assert (lesson.date, lesson.number, lesson.room) == (dt.date(2026, 11, 24), 3, "214")
    assert lesson.change_note == "перенесён с 23.11, 1-й урок; замена кабинета: 214"
    change = LessonChange.objects.get(lesson=lesson)
    assert (change.old_date, change.old_number, change.note) == (dt.date(2026, 11, 23), 1, lesson.change_note)
    # The change log has the move (date and number are part of the lesson's record).
    entry = Entry.objects.filter(object_type="lesson", action="update", object_id=lesson.pk).get()
    assert (entry.old["date"], entry.new["date"], entry.new["number"]) == ("2026-11-23", "2026-11-24", 3)
    result = services.lessons_generate(
        journals=[world.journal], starts=dt.date(2026, 11, 23), ends=dt.date(2026, 11, 29), author=world.deputy
    )
    assert result.created == 0
    assert not Lesson.objects.filter(journal=world.journal, date=dt.date(2026, 11, 23)).exists()


def test_a_move_is_refused_where_the_teacher_is_busy_or_the_lesson_has_marks(world):
    """ORG-7: a lesson cannot move into a slot where its teacher gives another lesson, nor once it
    holds marks."""
    theirs = js.lesson_create(journal=world.journal_5b, date=dt.date(2026, 11, 24), number=2, author=world.bob)
    other = journal_for(world, world.class_5b, world.math, world.alice_staff)
    js.lesson_create(journal=other, date=dt.date(2026, 11, 24), number=3, author=world.alice)
    lesson = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 23), number=1, author=world.alice)
    messages = clash_messages(
        lambda: services.lesson_move(lesson=lesson, date=dt.date(2026, 11, 24), number=3, author=world.deputy)
    )
    assert messages == ["Учитель Алексеева А. И. в это время ведёт другой урок: 5Б, Математика."]
    past = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 19), number=1, author=world.alice)
    assert js.journal_save(
        journal=world.journal, author=world.alice, cells=[{"lesson": past.pk, "student": world.anna.pk, "value": "4"}]
    ).ok
    messages = clash_messages(
        lambda: services.lesson_move(lesson=past, date=dt.date(2026, 11, 26), number=1, author=world.deputy)
    )
    assert messages == ["В уроке уже есть отметки или пропуски: перенести его нельзя."]
    assert theirs.pk


def test_a_room_change_for_one_lesson_is_noted(world):
    """ORG-7: 5А's mathematics on 23.11 is given in room 305 once: «замена кабинета: 305»; a room
    another class has then is refused."""
    lesson = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 23), number=1, author=world.alice)
    js.lesson_create(journal=world.journal_5b, date=dt.date(2026, 11, 23), number=1, author=world.bob, room="214")
    services.lesson_room_change(lesson=lesson, room="305", author=world.deputy)
    lesson.refresh_from_db()
    assert (lesson.room, lesson.change_note) == ("305", "замена кабинета: 305")
    messages = clash_messages(lambda: services.lesson_room_change(lesson=lesson, room="214", author=world.deputy))
    assert messages == ["Кабинет 214 в это время занят: 5Б, Русский язык."]


# --- Bells --------------------------------------------------------------------------------------


def test_a_shortened_schedule_rings_on_its_days(world):
    """ORG-7: a «Сокращённый» schedule copied from the ordinary one, made shorter, rings on 30.12;
    other days ring by the ordinary one. Overlapping lessons are refused."""
    from apps.timetable import selectors

    short = services.bell_schedule_create(school=world.school, name="Сокращённый")
    services.bells_save(
        school=world.school,
        schedule=short,
        rows=[(1, dt.time(8, 30), dt.time(9, 0)), (2, dt.time(9, 10), dt.time(9, 40))],
    )
    services.bell_days_assign(schedule=short, starts=dt.date(2026, 12, 30))
    name, bells = selectors.bells_on(school=world.school, day=dt.date(2026, 12, 30))
    assert (name, bells[2]) == ("Сокращённый", (dt.time(9, 10), dt.time(9, 40)))
    name, bells = selectors.bells_on(school=world.school, day=dt.date(2026, 12, 29))
    assert (name, bells[1]) == ("Обычное расписание", (dt.time(8, 30), dt.time(9, 15)))
    messages = clash_messages(
        lambda: services.bells_save(
            school=world.school, rows=[(1, dt.time(8, 30), dt.time(9, 15)), (2, dt.time(9, 0), dt.time(9, 45))]
        )
    )
    assert messages == ["Урок 2 начинается раньше, чем заканчивается урок 1."]


def test_friday_has_no_generated_lessons_without_an_entry(world):
    """ORG-7: only the weekdays of the timetable get lessons."""
    add_entry(world, world.journal, FRI, 2)
    services.lessons_generate(
        journals=[world.journal], starts=dt.date(2026, 11, 23), ends=dt.date(2026, 11, 29), author=world.deputy
    )
    assert list(Lesson.objects.filter(journal=world.journal).values_list("date", "number")) == [
        (dt.date(2026, 11, 27), 2)
    ]
