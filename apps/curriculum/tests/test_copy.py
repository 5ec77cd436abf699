"""Copying the curriculum into the next year (ORG-5, ORG-2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.curriculum.models import CurriculumLine
from apps.curriculum.services import curriculum_copy
from apps.schools.models import AcademicYear
from tests import factories as f


def line(year, grade, subject, hours, divided=False):
    return CurriculumLine.objects.create(
        school=year.school,
        year=year,
        grade=grade,
        subject=subject,
        hours_per_week=hours,
        divided_into_subgroups=divided,
    )


@pytest.fixture
def next_year(world):
    return AcademicYear.objects.create(
        school=world.school,
        name="2027/2028",
        starts=dt.date(2027, 9, 1),
        ends=dt.date(2028, 5, 31),
        status=AcademicYear.Status.PLANNED,
    )


def test_copy_brings_every_line_and_keeps_what_the_new_year_has(world, next_year):
    """ORG-5: creating the next year copies the curriculum — hours (0,5 too) and the division into
    subgroups — and a line already set in the new year is not overwritten."""
    line(world.year, 5, world.math, 5)
    line(world.year, 5, world.russian, Decimal("0.5"), divided=True)
    line(world.year, 6, world.history, 2)
    line(next_year, 6, world.history, 3)

    assert curriculum_copy(from_year=world.year, to_year=next_year) == 2

    copied = {
        (x.grade, x.subject.name): (x.hours_per_week, x.divided_into_subgroups)
        for x in next_year.curriculum_lines.all()
    }
    assert copied == {
        (5, "Математика"): (Decimal("5"), False),
        (5, "Русский язык"): (Decimal("0.5"), True),
        (6, "История"): (Decimal("3"), False),
    }
    assert curriculum_copy(from_year=world.year, to_year=next_year) == 0


def test_copy_refuses_another_school(world, next_year):
    """ORG-5: the curriculum of one school never lands in another's year."""
    other = f.YearFactory(school=f.SchoolFactory())
    with pytest.raises(ValidationError, match="одной школы"):
        curriculum_copy(from_year=world.year, to_year=other)
