"""Demo data of the curriculum (ORG-4, ORG-5, ORG-6): the curriculum of every grade the demo
school teaches, read from its timetable units (the hours its journals were built with, English
divided into subgroups), the subject of the subgroups it already has, a home-schooling group for
one student, hiring dates and a few attestation records — one of them expired and one running
out soon, so the staff page shows its warnings. A handful of bulk inserts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.people.models import GroupMembership, Staff
from apps.schools.models import Group

from .models import CurriculumLine, GroupSubject, StaffAttestation
from .services import attestation_default_end


def seed(builder) -> None:
    school, year = builder.school, builder.year
    lines: dict[tuple[int, int], CurriculumLine] = {}
    for unit in builder.units:
        grade = unit.cls.obj.grade
        subject = builder.subjects[unit.subject]
        key = (grade, subject.pk)
        if key not in lines:
            lines[key] = CurriculumLine(
                school=school,
                year=year,
                grade=grade,
                subject=subject,
                hours_per_week=Decimal(unit.hours),
                divided_into_subgroups=len(unit.journals) > 1,
            )
    CurriculumLine.objects.bulk_create(lines.values())

    # The demo's subgroups are English subgroups: say so, so the workload check finds their line.
    planned = []
    for unit in builder.units:
        for journal in unit.journals:
            if journal.group.kind == Group.Kind.SUBGROUP:
                planned.append(GroupSubject(school=school, group=journal.group, subject=journal.subject))
    GroupSubject.objects.bulk_create(planned)

    _home_schooling(builder)
    _staff(builder)


def _home_schooling(builder) -> None:
    """One student of a middle-grade class learns at home (an empty group with the plan of her
    grade's two main subjects: the workload check lists them until teachers are given)."""
    rec = next((c for c in builder.classes if c.grade >= 5 and c.students), None)
    if rec is None:
        return
    student = rec.students[-1]
    starts = max(builder.year.starts, min(student.starts, builder.year.ends))
    group = Group.objects.create(
        school=builder.school,
        year=builder.year,
        school_class=rec.obj,
        kind=Group.Kind.HOME,
        name=f"{rec.label} — надомное обучение: {student.obj.short_name}",
    )
    GroupMembership.objects.create(school=builder.school, group=group, student=student.obj, starts=starts)
    hours = {u.subject: u.hours for u in builder.units if u.cls is rec}
    GroupSubject.objects.bulk_create(
        GroupSubject(school=builder.school, group=group, subject=builder.subjects[name], hours_per_week=Decimal(h))
        for name, h in hours.items()
        if name in ("Русский язык", "Математика", "Алгебра")
    )


def _staff(builder) -> None:
    today = builder.today
    teachers = [t.staff for t in builder.teachers]
    for i, staff in enumerate(teachers):
        staff.hired_on = dt.date(2004 + (i * 3) % 20, 8, 25 + i % 5)
    Staff.objects.bulk_update(teachers, ["hired_on"])
    records = []
    categories = [
        StaffAttestation.Category.HIGHEST,
        StaffAttestation.Category.FIRST,
        StaffAttestation.Category.CONFORMITY,
    ]
    for i, staff in enumerate(teachers[:8]):
        if i == 0:  # expired two weeks ago
            valid_until = today - dt.timedelta(days=14)
            date = valid_until.replace(year=valid_until.year - 5) + dt.timedelta(days=1)
        elif i == 1:  # runs out in about two months
            valid_until = today + dt.timedelta(days=60)
            date = valid_until.replace(year=valid_until.year - 5) + dt.timedelta(days=1)
        else:
            date = today.replace(year=today.year - 1 - i % 4, day=1) - dt.timedelta(days=30 * i)
            valid_until = attestation_default_end(date)
        records.append(
            StaffAttestation(
                school=builder.school,
                staff=staff,
                date=date,
                category=categories[i % 3],
                order_number=f"{10 + i}-к",
                valid_until=valid_until,
            )
        )
    StaffAttestation.objects.bulk_create(records)
