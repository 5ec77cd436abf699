"""Every spreadsheet the product hands out, downloaded over HTTP: text somebody typed — a plan's
topic, a substitution's reason, a subject, a position, a name — is a text cell holding exactly
what was typed, never a formula (a topic `=HYPERLINK("http://evil","x")` would be a live link in
the teacher's Excel). The files are written by apps.ops.xlsx."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.journal import services as journal_services
from apps.plans.models import PlanItem
from apps.timetable import services as timetable_services

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "@SUM(A1)", "-2+3"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, url, params=None) -> bytes:
    response = client.get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return response.content


def formulas(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            found
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
            for found in re.findall(r"<f[ >/]", archive.read(name).decode())
        ]


def assert_text_cell(content: bytes, expected: str) -> None:
    """The file holds `expected` as a text cell, exactly, and no formula anywhere."""
    book = load_workbook(io.BytesIO(content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == expected]
    assert cells, f"{expected!r} is not in the file"
    assert all(c.data_type == "s" for c in cells)
    assert formulas(content) == []


def test_a_plan_topic_stays_text_in_the_plan_export(world, client_for):
    """JRN-2: the КТП exported for editing keeps each topic, section and note as typed text."""
    alice = client_for(world.alice)
    url = reverse("plans:export", args=[world.journal.pk])
    for order, value in enumerate(HOSTILE, start=1):
        PlanItem.objects.create(
            school=world.school, journal=world.journal, order=order, section=value, topic=value, hours=1, note=value
        )
    content = download(alice, url)
    for value in HOSTILE:
        assert_text_cell(content, value)
    rows = list(load_workbook(io.BytesIO(content))["КТП"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:4] == (1, HOSTILE[0], HOSTILE[0], 1)  # the numbers are numbers


def test_the_plan_template_has_no_formula(world, client_for):
    """The empty template carries no user text; it is written by the same writer all the same."""
    content = download(client_for(world.alice), reverse("plans:template", args=[world.journal.pk]))
    assert formulas(content) == []
    assert load_workbook(io.BytesIO(content))["КТП"].freeze_panes == "A2"


def test_a_subject_name_stays_text_in_the_completion_report(world, client_for):
    director = client_for(world.director)
    for value in HOSTILE:
        world.math.name = value
        world.math.save(update_fields=["name"])
        assert_text_cell(download(director, reverse("plans:completion"), {"format": "xlsx"}), value)


def test_a_substitution_reason_stays_text_in_the_substitution_report(world, client_for):
    director = client_for(world.director)
    url = reverse("timetable:substitution_report")
    day = dt.date(2026, 11, 20)
    for number, value in enumerate(HOSTILE, start=1):
        lesson = journal_services.lesson_create(journal=world.journal, date=day, number=number, author=world.alice)
        timetable_services.substitution_record(
            lesson=lesson, substitute=world.bob_staff, reason=value, author=world.deputy
        )
    content = download(director, url, {"starts": "2026-11-01", "ends": "2026-11-30", "format": "xlsx"})
    for value in HOSTILE:
        assert_text_cell(content, value)
    rows = list(load_workbook(io.BytesIO(content))["Замены"].iter_rows(values_only=True))
    first = next(r for r in rows if r[5] == HOSTILE[0])
    assert first[:2] == (dt.datetime(2026, 11, 20), 1)  # a date and a number, not text


def test_a_position_and_a_subject_stay_text_in_the_workload(world, client_for):
    admin = client_for(world.admin)
    for value in HOSTILE:
        world.alice_staff.position = value
        world.alice_staff.save(update_fields=["position"])
        world.math.name = value + " "  # a second field of the same sheet
        world.math.save(update_fields=["name"])
        content = download(admin, reverse("curriculum:workload_xlsx"))
        assert_text_cell(content, value)
        assert_text_cell(content, value + " ")


def test_the_school_name_stays_text_in_the_movement_report(world, client_for):
    director = client_for(world.director)
    for value in HOSTILE:
        world.school.name = value
        world.school.save(update_fields=["name"])
        params = {"starts": "2026-11-01", "ends": "2026-11-30", "format": "xlsx"}
        assert_text_cell(download(director, reverse("movement:report"), params), value)


def test_a_class_teachers_name_stays_text_in_the_class_sizes(world, client_for):
    director = client_for(world.director)
    carol = world.carol_staff
    carol.first_name = carol.middle_name = ""
    for value in HOSTILE:
        carol.last_name = value
        carol.save(update_fields=["last_name", "first_name", "middle_name"])
        content = download(director, reverse("movement:class_sizes"), {"day": "2026-11-20", "format": "xlsx"})
        assert_text_cell(content, value)


@pytest.mark.parametrize("kind", ["classes", "students", "guardians", "staff"])
def test_the_import_templates_keep_their_examples_as_text(world, client_for, kind):
    """The examples (a phone «+7 900 …») are text cells, the dates dates; no formula."""
    content = download(client_for(world.admin), reverse("imports:template", args=[kind]))
    assert formulas(content) == []
    if kind == "guardians":
        assert_text_cell(content, "+7 900 123-45-67")
