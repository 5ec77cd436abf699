"""Access to the timetable pages (ACC-1, ORG-7, ORG-8): the timetable and bells for «вести
расписание», substitutions for «назначать замены», the report for «отчёты школы»; and the
substitute's way into one lesson of another teacher's journal (ORG-8)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from apps.journal import services as js
from apps.journal.models import Lesson, Mark
from apps.schools.models import BellSlot
from apps.timetable import services
from apps.timetable.models import (
    BellSchedule,
    BellScheduleDay,
    BellScheduleSlot,
    GenerationHorizon,
    LessonChange,
    Substitution,
    TimetableEntry,
)
from tests.test_access_matrix import (  # noqa: F401 (fixture)
    ANON,
    JOURNAL_READ,
    ROLES,
    SCHOOL_WIDE,
    Row,
    To,
    journal_write,
    run_case,
    scene,
)

MANAGERS = {**ANON, "admin": 200, "deputy": 200}  # «вести расписание», «назначать замены» by default
OWN_SCHOOL = {**MANAGERS, "outsider": 200}  # the other school's administrator sees his own school's page
REPORTS = {**ANON, **dict.fromkeys(SCHOOL_WIDE, 200), "outsider": 200}
POST_ONLY = {**ANON}  # a GET of a POST-only address: 405 for everybody signed in
WRITERS = ("admin", "deputy")
INDEX = To("timetable:index")
SUBS = To("timetable:substitutions")
MONDAY = dt.date(2026, 11, 23)


def managers_to(target) -> dict:
    return {**ANON, "admin": target, "deputy": target}


# --- Payloads and what the writers must find written ------------------------------------------


def bells_payload(s):
    return {"action": "save", "schedule": s.short.pk, "n-1": "1", "s-1": "08:30", "e-1": "09:00"}


def bells_saved(s, response):
    assert list(BellScheduleSlot.objects.filter(schedule=s.short).values_list("number", "starts", "ends")) == [
        (1, dt.time(8, 30), dt.time(9, 0))
    ]


def entry_payload(s):
    return {"class": s.class_5a.pk, "journal": s.journal.pk, "weekday": "1", "number": "2", "room": "101",
            "valid_from": "2026-11-23"}  # fmt: skip


def entry_added(s, response):
    assert TimetableEntry.objects.filter(journal=s.journal, weekday=1, number=2, room="101").exists()


def end_payload(s):
    return {"on": "2026-11-23"}


def entry_ended(s, response):
    assert TimetableEntry.objects.get(pk=s.entry.pk).valid_to == dt.date(2026, 11, 22)


def generate_payload(s):
    return {"class": s.class_5a.pk, "starts": "2026-11-23", "ends": "2026-11-27", "scope": "class"}


def generated(s, response):
    lesson = Lesson.objects.get(journal=s.journal, date=MONDAY, number=1)
    assert (lesson.source, lesson.room) == ("timetable", "101")


def room_payload(s):
    return {"action": "room", "room": "305"}


def room_changed(s, response):
    lesson = Lesson.objects.get(pk=s.lesson.pk)
    assert (lesson.room, lesson.change_note) == ("305", "замена кабинета: 305")


def substitution_payload(s):
    return {"lesson": s.future_5b.pk, "substitute": s.world.alice_staff.pk, "reason": "болезнь"}


def substitution_recorded(s, response):
    assert Substitution.objects.get(lesson=s.future_5b).substitute == s.world.alice_staff
    assert Lesson.objects.get(pk=s.future_5b.pk).taught_by == s.world.alice_staff


def substitution_removed(s, response):
    assert not Substitution.objects.filter(pk=s.carol_substitution.pk).exists()
    assert Lesson.objects.get(pk=s.carol_substitution.lesson_id).taught_by is None


def sub_save(s):
    return "json", {"cells": [{"lesson": s.given.pk, "student": s.anna.pk, "value": "4"}]}


def sub_saved(s, response):
    assert response.json()["ok"] is True
    mark = Mark.objects.get(lesson=s.given, student=s.anna)
    assert (mark.value, mark.author) == ("4", response.wsgi_request.user)


def other_lesson_save(s):
    """A mark in alice's own lesson of 18.11: hers to write, refused to bob (the substitute)."""
    return "json", {"cells": [{"lesson": s.lesson.pk, "student": s.third.pk, "value": "3"}]}


def other_lesson_saved(s, response):
    assert list(Mark.objects.filter(lesson=s.lesson, student=s.third).values_list("value", flat=True)) == ["3"]


def sub_lesson_payload(s):
    return {"topic": "Деление дробей", "homework": "№ 7", "work_type": ""}


def sub_lesson_saved(s, response):
    assert Lesson.objects.get(pk=s.given.pk).topic == "Деление дробей"


def other_lesson_page_saved(s, response):
    assert Lesson.objects.get(pk=s.lesson.pk).topic == "Деление дробей"


# fmt: off
ROWS = [
    # ORG-7: the timetable's pages for «вести расписание» (the journal administrator and the deputy).
    Row("timetable:index", expect=OWN_SCHOOL),
    Row("timetable:bells", expect=OWN_SCHOOL),
    Row("timetable:bells", method="POST", payload=bells_payload, writers=WRITERS, done=bells_saved,
        expect=managers_to(To("timetable:bells"))),
    Row("timetable:entry_add", expect=POST_ONLY, default=405),
    Row("timetable:entry_add", method="POST", payload=entry_payload, writers=WRITERS, done=entry_added,
        expect=managers_to(INDEX)),
    Row("timetable:entry_end", ("entry",), expect=POST_ONLY, default=405),
    Row("timetable:entry_end", ("entry",), "POST", payload=end_payload, writers=WRITERS, done=entry_ended,
        expect=managers_to(INDEX)),
    Row("timetable:generate", expect=POST_ONLY, default=405),
    Row("timetable:generate", method="POST", payload=generate_payload, writers=WRITERS, done=generated,
        expect=managers_to(INDEX)),
    Row("timetable:lesson_change", ("lesson",), expect=MANAGERS),
    Row("timetable:lesson_change", ("lesson",), "POST", payload=room_payload, writers=WRITERS, done=room_changed,
        expect=managers_to(INDEX)),
    # ORG-8: substitutions for «назначать замены»; the report for «отчёты школы» (the director too).
    Row("timetable:substitutions", expect=OWN_SCHOOL),
    Row("timetable:substitutions", method="POST", payload=substitution_payload, writers=WRITERS,
        done=substitution_recorded, expect=managers_to(SUBS)),
    Row("timetable:substitution_remove", ("carol_substitution",), expect=POST_ONLY, default=405),
    Row("timetable:substitution_remove", ("carol_substitution",), "POST", writers=WRITERS,
        done=substitution_removed, expect=managers_to(SUBS)),
    Row("timetable:substitution_report", expect=REPORTS),
    Row("timetable:substitution_report", expect=REPORTS, query={"format": "fmt_print"}, label="print"),
    Row("timetable:substitution_report", expect=REPORTS, query={"format": "fmt_xlsx"}, label="xlsx"),
    # ORG-8: bob substitutes alice at today's 3rd lesson: he reads her journal and writes that lesson
    # only (a cell of her other lesson is refused within a 200 answer and changes nothing).
    Row("journal:grid", ("journal",), expect={**JOURNAL_READ, "bob": 200}, label="substitute"),
    Row("journal:save", ("journal",), "POST", {**journal_write(200), "bob": 200}, label="substitute",
        payload=sub_save, writers=("alice", "bob"), done=sub_saved),
    Row("journal:save", ("journal",), "POST", {**journal_write(200), "bob": 200}, label="substitute-other-lesson",
        payload=other_lesson_save, writers=("alice",), done=other_lesson_saved),
    Row("journal:lesson", ("journal", "given"), "POST", {**journal_write(To("journal:grid", ("journal",))),
        "bob": To("journal:grid", ("journal",))}, label="substitute", payload=sub_lesson_payload,
        writers=("alice", "bob"), done=sub_lesson_saved),
    Row("journal:lesson", ("journal", "lesson"), "POST", {**journal_write(To("journal:grid", ("journal",))),
        "bob": 403}, label="substitute-other-lesson", payload=sub_lesson_payload, writers=("alice",),
        done=other_lesson_page_saved),
]
# fmt: on


@pytest.fixture
def tt_scene(scene):  # noqa: F811
    """The matrix's scene plus: 5А mathematics on Mondays, 1st lesson in room 101; a «Сокращённый»
    bell schedule; bob substituting alice today (3rd lesson); carol substituting bob in 5Б on
    Monday; a future 5Б lesson without a substitute yet."""
    w = scene.world
    scene.entry, _result = services.entry_add(
        journal=w.journal, weekday=0, number=1, room="101", valid_from=dt.date(2026, 9, 1), author=w.deputy
    )
    scene.short = services.bell_schedule_create(school=w.school, name="Сокращённый")
    scene.given = js.lesson_create(journal=w.journal, date=dt.date(2026, 11, 20), number=3, author=w.alice)
    services.substitution_record(lesson=scene.given, substitute=w.bob_staff, reason="болезнь", author=w.deputy)
    monday_5b = js.lesson_create(journal=w.journal_5b, date=MONDAY, number=2, author=w.bob)
    scene.carol_substitution = services.substitution_record(
        lesson=monday_5b, substitute=w.carol_staff, reason="курсы", author=w.deputy
    )
    scene.future_5b = js.lesson_create(journal=w.journal_5b, date=MONDAY, number=3, author=w.bob)
    scene.fmt_print = SimpleNamespace(pk="print")
    scene.fmt_xlsx = SimpleNamespace(pk="xlsx")
    return scene


def tables() -> dict:
    models = (TimetableEntry, BellSchedule, BellScheduleSlot, BellScheduleDay, BellSlot, GenerationHorizon,
              LessonChange, Substitution)  # fmt: skip
    return {m.__name__: list(m.objects.order_by("pk").values_list()) for m in models}


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(tt_scene, client_for, row, role):
    """ACC-1, ORG-7, ORG-8: each role gets exactly the answer of the matrix, a refused write changes
    none of the timetable's tables nor the journal, and an allowed one really writes."""
    run_case(tt_scene, client_for, row, role, extra_snapshot=tables)
