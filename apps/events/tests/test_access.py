"""Access to the events calendar, the exam choices (ACC-1, ORG-10, ORG-11) and the diary's exams
page (DIA-3): each role × URL × method gets exactly the answer of the matrix; a refused write
changes nothing, an allowed one really writes."""

import datetime as dt

import pytest

from apps.events import services
from apps.events.models import Event, ExamChoice
from tests.test_access_matrix import ANON, ROLES, SCHOOL_WIDE, Row, To, own_diary, run_case, scene  # noqa: F401

from .helpers import exam_classes

TODAY = dt.date(2026, 11, 20)
EVENT_WRITERS = ("carol", *SCHOOL_WIDE)  # 5А's events: its class teacher and the administration
EXAM_WRITERS = ("admin", "deputy")
INDEX = To("events:index")
EXAMS = To("events:exams")


@pytest.fixture
def events_scene(scene):  # noqa: F811
    """The access scene plus a school event, events of 5А and 5Б, 9А with Vera and her ОГЭ choice."""
    w = scene.world
    ex = exam_classes(w)

    def event(school_class, title):
        return services.event_create(
            school=w.school, school_class=school_class, date=dt.date(2026, 11, 24), title=title, author=w.deputy
        )

    scene.school_event = event(None, "Общешкольное собрание")
    scene.event_5a = event(w.class_5a, "Классный час 5А")
    scene.event_5b = event(w.class_5b, "Поход 5Б")
    scene.vera = ex.vera
    scene.physics = ex.physics
    scene.choice = services.exam_choice_add(
        school=w.school, student=ex.vera, exam="oge", subject=ex.physics, author=w.deputy, today=TODAY
    )
    return scene


def snapshot():
    return {
        "events": list(Event.objects.order_by("pk").values_list()),
        "exam_choices": list(ExamChoice.objects.order_by("pk").values_list()),
    }


def class_event_form(s):
    return {"school_class": s.class_5a.pk, "date": "2026-11-25", "title": "Экскурсия (матрица)"}


def class_event_added(s, response):
    assert Event.objects.filter(title="Экскурсия (матрица)", school_class=s.class_5a).count() == 1


def school_event_form(s):
    return {"school_class": "", "date": "2026-11-25", "title": "День открытых дверей (матрица)"}


def school_event_added(s, response):
    school = response.wsgi_request.school
    assert Event.objects.filter(title="День открытых дверей (матрица)", school=school, school_class=None).count() == 1


def edit_form(s):
    return {"school_class": s.class_5a.pk, "date": "2026-11-26", "title": "Классный час 5А: перенесён"}


def event_5a_edited(s, response):
    assert Event.objects.get(pk=s.event_5a.pk).title == "Классный час 5А: перенесён"


def school_edit_form(s):
    return {"school_class": "", "date": "2026-11-26", "title": "Собрание: перенесено"}


def school_event_edited(s, response):
    assert Event.objects.get(pk=s.school_event.pk).title == "Собрание: перенесено"


def event_5a_deleted(s, response):
    assert not Event.objects.filter(pk=s.event_5a.pk).exists()


def school_event_deleted(s, response):
    assert not Event.objects.filter(pk=s.school_event.pk).exists()


def exam_form(s):
    return {"student": s.vera.pk, "exam": "oge", "subject": s.world.math.pk, "level": "", "note": ""}


def exam_added(s, response):
    assert ExamChoice.objects.filter(student=s.vera, subject=s.world.math, exam="oge").count() == 1


def exam_removed(s, response):
    assert not ExamChoice.objects.filter(pk=s.choice.pk).exists()


OPEN_CALENDAR = {**ANON, **dict.fromkeys(EVENT_WRITERS, 200), "outsider": 200}  # the outsider: his own school's
ALL_EVENTS = {**ANON, **dict.fromkeys(SCHOOL_WIDE, 200)}
E5A, ESCHOOL, E5B, CHOICE = ("event_5a",), ("school_event",), ("event_5b",), ("choice",)

# fmt: off
ROWS = [
    # The calendar (ORG-10): the administration manages the school's and every class's events, the
    # class teacher her class's; a plain teacher and the families get 404; the other school's
    # administrator sees his own (empty) calendar and cannot reach this school's events.
    Row("events:index", expect=OPEN_CALENDAR),
    Row("events:index", method="POST", expect=ANON, default=405),
    Row("events:add", expect=OPEN_CALENDAR),
    Row("events:add", method="POST", label="5А", payload=class_event_form, writers=EVENT_WRITERS,
        done=class_event_added, expect={**ANON, **dict.fromkeys(EVENT_WRITERS, INDEX), "outsider": 200}),
    # (The outsider's school has no school year: his form says the date is outside every year.)
    Row("events:add", method="POST", label="школа", payload=school_event_form, writers=SCHOOL_WIDE,
        done=school_event_added, expect={**ANON, **dict.fromkeys(SCHOOL_WIDE, INDEX), "carol": 200, "outsider": 200}),
    Row("events:edit", E5A, label="5А", expect={**ANON, **dict.fromkeys(EVENT_WRITERS, 200)}),
    Row("events:edit", ESCHOOL, label="школа", expect=ALL_EVENTS),
    Row("events:edit", E5B, label="5Б", expect=ALL_EVENTS),
    Row("events:edit", E5A, "POST", label="5А", payload=edit_form, writers=EVENT_WRITERS, done=event_5a_edited,
        expect={**ANON, **dict.fromkeys(EVENT_WRITERS, INDEX)}),
    Row("events:edit", ESCHOOL, "POST", label="школа", payload=school_edit_form, writers=SCHOOL_WIDE,
        done=school_event_edited, expect={**ANON, **dict.fromkeys(SCHOOL_WIDE, INDEX)}),
    Row("events:delete", E5A, expect=ANON, default=405),
    Row("events:delete", E5A, "POST", label="5А", writers=EVENT_WRITERS, done=event_5a_deleted,
        expect={**ANON, **dict.fromkeys(EVENT_WRITERS, INDEX)}),
    Row("events:delete", ESCHOOL, "POST", label="школа", writers=SCHOOL_WIDE, done=school_event_deleted,
        expect={**ANON, **dict.fromkeys(SCHOOL_WIDE, INDEX)}),

    # Exam choices (ORG-11): the journal administrator and the deputy (the outsider: his school's
    # page, where this school's student is not found).
    Row("events:exams", expect={**ANON, **dict.fromkeys((*EXAM_WRITERS, "outsider"), 200)}),
    Row("events:exams", method="POST", expect=ANON, default=405),
    Row("events:exam_add", expect=ANON, default=405),
    Row("events:exam_add", method="POST", payload=exam_form, writers=EXAM_WRITERS, done=exam_added,
        expect={**ANON, **dict.fromkeys(EXAM_WRITERS, EXAMS), "outsider": 200}),
    Row("events:exam_remove", CHOICE, expect=ANON, default=405),
    Row("events:exam_remove", CHOICE, "POST", writers=EXAM_WRITERS, done=exam_removed,
        expect={**ANON, **dict.fromkeys(EXAM_WRITERS, EXAMS)}),

    # The diary's exams page (ORG-11, DIA-3): like the week, a parent reads only their own child, a
    # student only himself; Vera's page is nobody's here (her parent is not in the cast). Read-only.
    Row("diary:exams", ("anna",), expect=own_diary("pat", "sam"), label="anna"),
    Row("diary:exams", ("boris",), expect=own_diary("quinn"), label="boris"),
    Row("diary:exams", ("vera",), expect=ANON, label="vera"),
    Row("diary:exams", ("vera",), "POST", expect=ANON, default=405, label="vera"),
]
# fmt: on


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(events_scene, client_for, row, role):
    """ACC-1, ORG-10, ORG-11, DIA-3: each role gets exactly the answer of the matrix; a refused
    request changes no event and no exam choice, the writer's request really writes."""
    run_case(events_scene, client_for, row, role, extra_snapshot=snapshot)
