"""Access to the curriculum, workload, groups and staff pages (ACC-1; ORG-4, ORG-5, ORG-6):
the curriculum's managers (journal administrator, deputy) edit the plan, workload and groups;
the director reads the workload (school reports); the staff list belongs to the administrator and
the director. Everybody else gets 404, and another school's objects are 404 too."""

import datetime as dt

import pytest

from apps.curriculum import services
from apps.curriculum.models import CurriculumLine, GroupSubject, JournalHours, StaffAttestation, TeacherChange
from apps.journal.models import Journal
from apps.people.models import GroupMembership
from apps.people.services import class_group
from apps.schools.models import Group, Subject
from tests.test_access_matrix import ANON, ROLES, Row, run_case, scene  # noqa: F401 (fixture)

MANAGERS = {**ANON, "admin": 200, "deputy": 200}
READERS = {**MANAGERS, "director": 200}
STAFF = {**ANON, "admin": 200, "director": 200}


@pytest.fixture
def cur_scene(scene):  # noqa: F811
    """The scene plus a curriculum for grade 5, 5А split into two subgroups for Russian, an
    elective and an attestation record."""
    w = scene.world
    for subject, hours, divided in ((w.math, 5, False), (w.russian, 4, True), (w.history, 2, False)):
        CurriculumLine.objects.create(
            school=w.school, year=w.year, grade=5, subject=subject, hours_per_week=hours, divided_into_subgroups=divided
        )
    first, second = services.subgroups_create(school_class=w.class_5a, subject=w.russian)
    choices = {s.pk: first.pk for s in w.students_5a}
    services.subgroup_assign(school_class=w.class_5a, subject=w.russian, choices=choices, on=dt.date(2026, 9, 1))
    scene.cur_year = w.year
    scene.cur_russian = w.russian
    scene.cur_second = second
    scene.cur_elective = services.group_create(year=w.year, kind=Group.Kind.ELECTIVE, name="Шахматы")
    scene.cur_attestation = services.attestation_save(
        staff=w.alice_staff, date=dt.date(2022, 3, 1), category="first", order_number="7"
    )
    return scene


def snapshot():
    models = (
        CurriculumLine,
        GroupSubject,
        JournalHours,
        TeacherChange,
        StaffAttestation,
        Journal,
        Group,
        GroupMembership,
    )
    return {m.__name__: list(m.objects.order_by("pk").values_list()) for m in models}


# --- Payloads that succeed for the writers, and what they must find written -------------------------


def plan_form(s):
    return {"year": s.cur_year.pk, f"h-{s.world.math.pk}-5": "6"}


def plan_saved(s, response):
    assert CurriculumLine.objects.get(year=s.cur_year, grade=5, subject=s.world.math).hours_per_week == 6


def subject_form(s):
    return {"year": s.cur_year.pk, "name": "Астрономия"}


def subject_added(s, response):
    assert Subject.objects.filter(name="Астрономия").exists()


def workload_form(s):
    key = f"{class_group(s.world.class_5a).pk}-{s.world.history.pk}"
    return {f"t-{key}": s.world.bob_staff.pk, f"h-{key}": "2"}


def workload_saved(s, response):
    journal = Journal.objects.get(group=class_group(s.world.class_5a), subject=s.world.history)
    assert journal.teacher == s.world.bob_staff


def group_form(s):
    return {"action": "cross", "year": s.cur_year.pk, "cross-kind": "club", "cross-name": "Робототехника"}


def group_created(s, response):
    assert Group.objects.filter(name="Робототехника", kind=Group.Kind.CLUB).exists()


def split_form(s):
    w = s.world
    return {
        "action": "assign",
        "class": w.class_5a.pk,
        "subject": w.russian.pk,
        "on": "2026-11-20",
        f"s-{w.anna.pk}": s.cur_second.pk,
    }


def split_saved(s, response):
    assert GroupMembership.objects.filter(group=s.cur_second, student=s.world.anna, starts=dt.date(2026, 11, 20))


def group_subject_form(s):
    return {"action": "subject_add", "subject": s.world.history.pk, "hours": "1"}


def group_subject_added(s, response):
    assert GroupSubject.objects.filter(group=s.cur_elective, subject=s.world.history).exists()


def staff_form(s):
    pk = s.world.alice_staff.pk
    return {f"p-{pk}": "заместитель директора", f"h-{pk}": "", f"l-{pk}": ""}


def staff_saved(s, response):
    s.world.alice_staff.refresh_from_db()
    assert s.world.alice_staff.position == "заместитель директора"


def attestation_form(s):
    return {"staff": s.world.bob_staff.pk, "date": "2026-03-15", "category": "highest", "order_number": "45"}


def attestation_added(s, response):
    assert StaffAttestation.objects.filter(staff=s.world.bob_staff, category="highest").exists()


def attestation_edit(s):
    return {**attestation_form(s), "staff": s.world.alice_staff.pk}


def attestation_edited(s, response):
    s.cur_attestation.refresh_from_db()
    assert (s.cur_attestation.order_number, s.cur_attestation.category) == ("45", "highest")


YEAR = {"year": "cur_year"}
W = ("admin", "deputy")

# fmt: off
ROWS = [
    Row("curriculum:plan", query=YEAR, expect=MANAGERS),
    Row("curriculum:plan", method="POST", query=YEAR, payload=plan_form, expect={**ANON, "admin": 302, "deputy": 302},
        writers=W, done=plan_saved),
    Row("curriculum:subject_add", expect=ANON, default=405),
    Row("curriculum:subject_add", method="POST", payload=subject_form,
        expect={**ANON, "admin": 302, "deputy": 302, "outsider": 302},
        writers=(*W, "outsider"), done=subject_added),  # the outsider adds a subject to his own school
    Row("curriculum:workload", query=YEAR, expect=READERS),
    Row("curriculum:workload", query={**YEAR, "class": "class_5a"}, expect=READERS, label="edit"),
    Row("curriculum:workload", method="POST", query={**YEAR, "class": "class_5a"}, payload=workload_form,
        expect={**ANON, "admin": 302, "deputy": 302}, writers=W, done=workload_saved),
    Row("curriculum:workload_print", query=YEAR, expect=READERS),
    Row("curriculum:workload_xlsx", query=YEAR, expect=READERS),
    Row("curriculum:groups", query=YEAR, expect=MANAGERS),
    Row("curriculum:groups", method="POST", payload=group_form, expect={**ANON, "admin": 302, "deputy": 302},
        writers=W, done=group_created),
    Row("curriculum:split", query={"class": "class_5a", "subject": "cur_russian"}, expect=MANAGERS),
    Row("curriculum:split", method="POST", payload=split_form, expect={**ANON, "admin": 302, "deputy": 302},
        writers=W, done=split_saved),
    Row("curriculum:group", args=("cur_elective",), expect=MANAGERS),
    Row("curriculum:group", args=("cur_elective",), method="POST", payload=group_subject_form,
        expect={**ANON, "admin": 302, "deputy": 302}, writers=W, done=group_subject_added),
    # The outsider's own staff list (none of this school's people: his post changes nothing here).
    Row("curriculum:staff", expect={**STAFF, "outsider": 200}),
    Row("curriculum:staff", method="POST", payload=staff_form,
        expect={**ANON, "admin": 302, "director": 302, "outsider": 302},
        writers=("admin", "director"), done=staff_saved),
    Row("curriculum:attestation_new", expect={**STAFF, "outsider": 200}),
    Row("curriculum:attestation_new", method="POST", payload=attestation_form,
        expect={**ANON, "admin": 302, "director": 302, "outsider": 200},  # this school's teacher is not his to choose
        writers=("admin", "director"), done=attestation_added),
    Row("curriculum:attestation", args=("cur_attestation",), expect=STAFF),
    Row("curriculum:attestation", args=("cur_attestation",), method="POST", payload=attestation_edit,
        expect={**ANON, "admin": 302, "director": 302}, writers=("admin", "director"), done=attestation_edited),
]
# fmt: on


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(cur_scene, client_for, row, role):
    """ACC-1, ORG-4, ORG-5, ORG-6: each role gets exactly the answer of the matrix; a refused write
    changes nothing (the curriculum's tables too), a writer's really writes."""
    run_case(cur_scene, client_for, row, role, extra_snapshot=snapshot)
