"""Reading the rights page (ACC-2) and the classes page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.people.models import Enrolment
from apps.schools.models import AcademicYear, SchoolClass

from . import registry
from .models import RightChange


@dataclass
class Cell:
    role: str
    code: str
    applies: bool
    locked: bool
    default: bool
    enabled: bool

    @property
    def name(self) -> str:
        return f"{self.role}:{self.code}"

    @property
    def changed(self) -> bool:
        return self.applies and not self.locked and self.enabled != self.default


@dataclass
class RoleRow:
    role: str
    label: str
    cells: list[Cell]

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.cells)


@dataclass
class Column:
    code: str
    label: str
    group: str


@dataclass
class RightsTable:
    groups: list[tuple[str, int]]  # (group label, number of columns)
    columns: list[Column]
    rows: list[RoleRow]
    changed: int = 0


def rights_table(*, overrides: dict) -> RightsTable:
    """Roles × functions: what each role has in the school, and what it has by default."""
    columns = [Column(code, str(fn.label), str(fn.group)) for code, fn in registry.FUNCTIONS.items()]
    groups: list[tuple[str, int]] = []
    for col in columns:
        if groups and groups[-1][0] == col.group:
            groups[-1] = (col.group, groups[-1][1] + 1)
        else:
            groups.append((col.group, 1))
    rows = []
    for role in registry.ROLE_ORDER:
        cells = []
        for code, fn in registry.FUNCTIONS.items():
            cells.append(
                Cell(
                    role=role,
                    code=code,
                    applies=registry.applies(code, role),
                    locked=role in fn.locked,
                    default=role in fn.defaults or role in fn.locked,
                    enabled=registry.enabled(code, role, overrides),
                )
            )
        rows.append(RoleRow(role, str(Role(role).label), cells))
    return RightsTable(groups, columns, rows, sum(r.changed for r in rows))


@dataclass
class ChangeRow:
    at: dt.datetime
    author: str
    role: str
    function: str
    enabled: bool
    is_default: bool

    @property
    def at_text(self) -> str:
        return self.at.strftime("%d.%m.%Y %H:%M")  # already in the school's zone


def rights_history(*, school, limit: int = 50) -> list[ChangeRow]:
    zone = ZoneInfo(school.timezone)
    rows = RightChange.objects.filter(school=school).select_related("author").order_by("-at", "-pk")[:limit]
    return [
        ChangeRow(
            at=timezone.localtime(r.at, zone),
            author=r.author.display_name,
            role=str(Role(r.role).label) if r.role in Role.values else r.role,
            function=str(registry.FUNCTIONS[r.function].label) if r.function in registry.FUNCTIONS else r.function,
            enabled=r.enabled,
            is_default=r.is_default,
        )
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------
# The classes page


@dataclass
class ClassRow:
    school_class: SchoolClass
    students: int
    teacher: str


def school_classes(*, classes, today: dt.date) -> list[ClassRow]:
    """The classes of the school's current year(s), with today's number of students. One query."""
    current = Q(enrolments__starts__lte=today) & (Q(enrolments__ends__isnull=True) | Q(enrolments__ends__gte=today))
    rows = (
        classes.filter(year__status=AcademicYear.Status.ACTIVE)
        .select_related("class_teacher")
        .annotate(n=Count("enrolments", filter=current))
        .order_by("grade", "letter")
    )
    return [ClassRow(c, c.n, c.class_teacher.short_name if c.class_teacher else "") for c in rows]


@dataclass
class ClassList:
    school_class: SchoolClass
    day: dt.date
    enrolments: list[Enrolment] = field(default_factory=list)


def class_list(*, school_class: SchoolClass, day: dt.date) -> ClassList:
    """The students of the class on `day`, alphabetically. One query."""
    enrolments = list(
        Enrolment.objects.filter(school_id=school_class.school_id, school_class=school_class, starts__lte=day)
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__middle_name", "student_id")
    )
    return ClassList(school_class, day, enrolments)


def no_functions_note() -> str:
    return _("Для вашей роли в этой школе не включено ни одной функции. Обратитесь к администратору журнала.")
