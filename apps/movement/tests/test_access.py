"""Access to the movement book and its reports (ACC-1, ORG-9): the book, its moves, entries and
students' cards need «Вести книгу движения учащихся» (the journal administrator and the secretary
by default); the two reports need «Видеть отчёты школы» (the journal administrator, the director
and the deputy). Another school's entries and students are a 404; a refused write changes no entry,
no stay in a class and no group membership; the keeper's writes happen."""

import datetime as dt

import pytest

from apps.movement import services
from apps.movement.models import MovementEntry
from apps.people.models import Enrolment, GroupMembership
from tests import factories as f
from tests.test_access_matrix import ANON, ROLES, Row, To, run_case, scene  # noqa: F401 (fixture)

KEEP = {**ANON, "admin": 200, "outsider": 200}  # the outsider: his own school's (empty) book and forms
KEEP_OBJECT = {**ANON, "admin": 200}
REPORTS = {**ANON, "admin": 200, "director": 200, "deputy": 200, "outsider": 200}
GET_ONLY = {**ANON, **dict.fromkeys(set(ROLES) - {"anonymous"}, 405)}
# The keeper's write lands in the book; the outsider's form names classes of another school: refused
# on the page (200), nothing written.
WRITE = {**ANON, "admin": To("movement:index"), "outsider": 200}
WRITERS = ("admin",)
ORDER = {"order_number": "77-у", "order_date": "2026-11-20", "note": ""}


def _entry(**kw):
    return MovementEntry.objects.filter(**kw).exists()


def admit_form(s):
    return {"last_name": "Зачисленный", "first_name": "Захар", "school_class": s.class_5b.pk, "date": "2026-11-19",
            **ORDER}  # fmt: skip


def admitted(s, response):
    assert _entry(kind="admission", student__last_name="Зачисленный", to_class=s.class_5b)


def transfer_form(s):
    return {"from_class": s.class_5a.pk, "student": s.boris.pk, "to_class": s.class_5b.pk, "date": "2026-11-19",
            **ORDER}  # fmt: skip


def transferred(s, response):
    assert Enrolment.objects.get(student=s.boris, ends__isnull=True).school_class == s.class_5b


def withdraw_form(s):
    return {"from_class": s.class_5b.pk, "student": s.leaver_5b.pk, "where": "г. Тверь", "date": "2026-11-19", **ORDER}


def withdrawn(s, response):
    assert not Enrolment.objects.filter(student=s.leaver_5b, ends__isnull=True).exists()


def promote_form(s):
    return {"from_class": s.class_5a.pk, "students": [st.pk for st in s.world.students_5a], "to_class": s.class_6a.pk,
            "date": "2027-09-01", **ORDER}  # fmt: skip


def promoted(s, response):
    assert MovementEntry.objects.filter(kind="promotion", to_class=s.class_6a).count() == len(s.world.students_5a)


def repeat_form(s):
    return {"from_class": s.class_5a.pk, "student": s.boris.pk, "to_class": s.class_5a_next.pk, "date": "2027-09-01",
            **ORDER}  # fmt: skip


def repeated(s, response):
    assert _entry(kind="repeat", student=s.boris, to_class=s.class_5a_next)


def graduate_form(s):
    return {"from_class": s.class_9a.pk, "students": [st.pk for st in s.nines], "date": "2027-06-25", **ORDER}


def graduated(s, response):
    assert MovementEntry.objects.filter(kind="graduation", from_class=s.class_9a).count() == len(s.nines)


def correct_form(s):
    return {"order_number": "12-у", "order_date": "2026-11-16", "where": "", "note": "", "reason": "опечатка"}


def corrected(s, response):
    assert MovementEntry.objects.get(corrects=s.movement_entry).order_number == "12-у"


# fmt: off
ROWS = [
    Row("movement:index", expect=KEEP),
    Row("movement:index", method="POST", expect=GET_ONLY),
    Row("movement:entry", ("movement_entry",), expect=KEEP_OBJECT),
    Row("movement:entry", ("movement_entry",), method="POST", payload=correct_form,
        expect={**ANON, "admin": To("movement:index")}, writers=WRITERS, done=corrected),
    Row("movement:student", ("anna",), expect=KEEP_OBJECT),
    Row("movement:student", ("anna",), method="POST", expect=GET_ONLY),
    Row("movement:admit", expect=KEEP),
    Row("movement:admit", method="POST", payload=admit_form, expect=WRITE, writers=WRITERS, done=admitted),
    Row("movement:transfer", expect=KEEP),
    Row("movement:transfer", method="POST", payload=transfer_form, expect=WRITE, writers=WRITERS, done=transferred),
    Row("movement:withdraw", expect=KEEP),
    Row("movement:withdraw", method="POST", payload=withdraw_form, expect=WRITE, writers=WRITERS, done=withdrawn),
    Row("movement:promote", expect=KEEP),
    Row("movement:promote", method="POST", payload=promote_form, expect=WRITE, writers=WRITERS, done=promoted),
    Row("movement:repeat", expect=KEEP),
    Row("movement:repeat", method="POST", payload=repeat_form, expect=WRITE, writers=WRITERS, done=repeated),
    Row("movement:graduate", expect=KEEP),
    Row("movement:graduate", method="POST", payload=graduate_form, expect=WRITE, writers=WRITERS, done=graduated),
    Row("movement:report", expect=REPORTS),
    Row("movement:report", method="POST", expect=GET_ONLY),
    Row("movement:class_sizes", expect=REPORTS),
    Row("movement:class_sizes", method="POST", expect=GET_ONLY),
]
# fmt: on


@pytest.fixture
def movement_scene(scene):  # noqa: F811
    """An admission in the book (a newcomer in 5Б on 16 November); next year's 6А and 5А; a 9А of
    two students who may graduate."""
    world = scene.world
    scene.movement_entry = services.student_admit(
        school=world.school, school_class=world.class_5b, date=dt.date(2026, 11, 16), author=world.admin,
        last_name="Новенький", first_name="Нил", order_number="11-у", order_date=dt.date(2026, 11, 16),
    )  # fmt: skip
    scene.class_5b = world.class_5b
    scene.leaver_5b = world.students_5b[0]
    next_year = f.YearFactory(school=world.school, name="2027/2028", starts=dt.date(2027, 9, 1),
                              ends=dt.date(2028, 5, 31), status="planned")  # fmt: skip
    scene.class_6a = f.make_class(next_year, 6, "А")
    scene.class_5a_next = f.make_class(next_year, 5, "А")
    scene.class_9a = f.make_class(world.year, 9, "А")
    scene.nines = [f.enrol(f.StudentFactory(school=world.school), scene.class_9a) for _ in range(2)]
    return scene


def movement_snapshot() -> dict:
    return {
        "entries": list(MovementEntry.objects.order_by("pk").values_list()),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list()),
        "memberships": list(GroupMembership.objects.order_by("pk").values_list()),
    }


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(movement_scene, client_for, row, role):
    """ACC-1, ORG-9: each role gets exactly the answer of the matrix for the movement book's pages;
    a refused request writes nothing, the keeper's moves are written."""
    run_case(movement_scene, client_for, row, role, extra_snapshot=movement_snapshot)
