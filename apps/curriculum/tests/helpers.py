"""Small builders shared by the curriculum tests."""

from decimal import Decimal

from apps.curriculum.models import CurriculumLine


def plan_line(year, grade, subject, hours, divided=False) -> CurriculumLine:
    return CurriculumLine.objects.create(
        school=year.school,
        year=year,
        grade=grade,
        subject=subject,
        hours_per_week=Decimal(str(hours)),
        divided_into_subgroups=divided,
    )
