"""Writes of the curriculum, the workload, groups and staff (ORG-4, ORG-5, ORG-6).

Every function is keyword-only, validates, writes in one transaction and returns; a refusal is
a ValidationError with a Russian message for the user.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.schools.models import AcademicYear

from .models import CurriculumLine


@transaction.atomic
def curriculum_copy(*, from_year: AcademicYear, to_year: AcademicYear) -> int:
    """Copy the curriculum of one year into another of the same school (creating the next year,
    ORG-2/ORG-5). Lines the target year already has (same grade and subject) are kept as they are.
    Returns the number of lines created."""
    if from_year.school_id != to_year.school_id:
        raise ValidationError(_("Учебный план копируется только между годами одной школы."))
    if from_year.pk == to_year.pk:
        raise ValidationError(_("Выберите другой учебный год, чтобы скопировать в него учебный план."))
    existing = set(CurriculumLine.objects.filter(year=to_year).values_list("grade", "subject_id"))
    new = [
        CurriculumLine(
            school_id=to_year.school_id,
            year=to_year,
            grade=line.grade,
            subject_id=line.subject_id,
            hours_per_week=line.hours_per_week,
            divided_into_subgroups=line.divided_into_subgroups,
        )
        for line in CurriculumLine.objects.filter(year=from_year).order_by("grade", "subject_id")
        if (line.grade, line.subject_id) not in existing
    ]
    CurriculumLine.objects.bulk_create(new)
    return len(new)
