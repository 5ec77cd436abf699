"""Access to the calendar-thematic plan's pages (ACC-1, JRN-10, JRN-11): a journal's plan is read
by whoever reads the journal and written only by its teacher (alice); the other readers get 403 on
every write, everybody else 404. The completion report follows «Видеть отчёты школы»."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.journal.models import Lesson
from apps.plans import importing
from apps.plans.models import PlanItem, PlanLink
from tests import factories as f
from tests.test_access_matrix import (  # noqa: F401 (fixture)
    ANON,
    JOURNAL_READ,
    READ_ONLY,
    ROLES,
    SCHOOL_WIDE,
    Row,
    To,
    journal_write,
    run_case,
    scene,
)

from .helpers import xlsx

J = ("journal",)
WRITE_PAGE = {**ANON, "alice": 200, **dict.fromkeys(READ_ONLY, 403)}  # the import form: for the writer only


def plan_form(s):
    return {
        "rows": "2",
        "r0-id": s.plan_item.pk,
        "r0-order": "1",
        "r0-topic": "Натуральные числа",
        "r0-hours": "2",
        "r1-id": "",
        "r1-topic": "Сравнение чисел",
        "r1-hours": "1",
    }


def plan_saved(s, response):
    assert list(PlanItem.objects.filter(journal=s.journal).order_by("order").values_list("topic", flat=True)) == [
        "Натуральные числа",
        "Сравнение чисел",
    ]


def topics_applied(s, response):
    assert Lesson.objects.get(pk=s.empty_lesson.pk).topic == "Натуральные числа"
    assert PlanLink.objects.filter(lesson=s.empty_lesson).exists()


def upload(s):
    return "multipart", {"file": SimpleUploadedFile("ktp.xlsx", s.plan_file)}


def confirm_form(s):
    return {"token": s.import_token, "mode": "replace"}


def imported(s, response):
    assert list(PlanItem.objects.filter(journal=s.journal).values_list("topic", flat=True)) == ["Из файла"]


# fmt: off
ROWS = [
    Row("plans:completion", expect={**ANON, **dict.fromkeys(SCHOOL_WIDE, 200), "outsider": 200}),
    Row("plans:completion", expect={**ANON, **dict.fromkeys(SCHOOL_WIDE, 200), "outsider": 200},
        query={"format": "xlsx_format"}, label="xlsx"),
    Row("plans:completion", method="POST", expect=ANON, default=405),
    Row("plans:plan", J, expect=JOURNAL_READ),
    Row("plans:plan", J, "POST", journal_write(To("plans:plan", J)), payload=plan_form, writers=("alice",),
        done=plan_saved),
    Row("plans:apply", J, expect=ANON, default=405),
    Row("plans:apply", J, "POST", journal_write(To("plans:plan", J)), writers=("alice",), done=topics_applied),
    Row("plans:import", J, expect=WRITE_PAGE),
    # The preview is a dry run: even the writer's upload changes nothing.
    Row("plans:import", J, "POST", WRITE_PAGE, payload=upload),
    Row("plans:import_confirm", J, expect=ANON, default=405),
    Row("plans:import_confirm", J, "POST", journal_write(To("plans:plan", J)), payload=confirm_form,
        writers=("alice",), done=imported),
    Row("plans:template", J, expect=JOURNAL_READ),
    Row("plans:template", J, "POST", expect=ANON, default=405),
    Row("plans:export", J, expect=JOURNAL_READ),
    Row("plans:export", J, "POST", expect=ANON, default=405),
]
# fmt: on


@pytest.fixture
def plans_scene(scene):  # noqa: F811
    """alice's journal has a plan item of 2 hours and, after the lesson of 18 Nov (its topic written
    by alice), a lesson of 19 Nov without a topic; a checked file of one row waits for confirmation."""
    world = scene.world
    scene.plan_item = PlanItem.objects.create(
        school=world.school, journal=world.journal, order=1, topic="Натуральные числа", hours=2
    )
    scene.empty_lesson = f.make_lesson(world.journal, dt.date(2026, 11, 19))
    scene.plan_file = xlsx([(1, "Раздел", "Из файла", 1, "")])
    parsed = importing.read_plan_file(name="ktp.xlsx", data=scene.plan_file, year=world.year)
    scene.import_token = importing.preview_token(world.journal, parsed)
    scene.xlsx_format = type("Value", (), {"pk": "xlsx"})()
    return scene


def plans_tables() -> dict:
    return {
        "plan_items": list(PlanItem.objects.order_by("pk").values_list()),
        "plan_links": list(PlanLink.objects.order_by("pk").values_list()),
    }


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(plans_scene, client_for, row, role):
    """ACC-1, JRN-10, JRN-11: each role gets exactly the answer of the matrix for the plan's pages;
    a refused request (and the import's dry run) changes nothing, the teacher's write really writes."""
    run_case(plans_scene, client_for, row, role, extra_snapshot=plans_tables)
