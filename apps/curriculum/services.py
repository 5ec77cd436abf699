"""Writes of the curriculum, the workload, groups and staff (ORG-4, ORG-5, ORG-6).

Every function is keyword-only, validates, writes in one transaction and returns; a refusal is
a ValidationError with a Russian message for the user. Functions that save a whole form
(`curriculum_save`, `workload_save`, `staff_save`) apply each line in its own savepoint and
report each refused line, keeping the others.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.journal.grading import GradingSystem
from apps.journal.models import Journal, Lesson, PeriodMark
from apps.people.models import Enrolment, GroupMembership, Staff, Student
from apps.people.services import class_group
from apps.registration.deadlines import school_today
from apps.schools.models import AcademicYear, Group, SchoolClass, Subject

from .models import CurriculumLine, GroupSubject, JournalHours, StaffAttestation, TeacherChange

MAX_HOURS = Decimal(40)
ATTESTATION_YEARS = 5  # a category or the conformity holds five years


def _fmt(day: dt.date) -> str:
    return date_format(day, "d.m.Y")


def message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _open_year(year: AcademicYear) -> None:
    if year.status == AcademicYear.Status.CLOSED:
        raise ValidationError(_("Учебный год %(year)s закрыт: его план и нагрузку не меняют.") % {"year": year})


# ---------------------------------------------------------------------------------------------
# Hours


def parse_hours(text) -> Decimal | None:
    """«2» → 2, «0,5» → 0.5, «» or «0» → None (no hours). Anything else: ValidationError."""
    raw = str(text if text is not None else "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValidationError(
            _("«%(value)s» — не число часов: введите, например, 2 или 0,5.") % {"value": raw}
        ) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("«%(value)s» — часов не может быть меньше нуля.") % {"value": raw})
    if value == 0:
        return None
    if value > MAX_HOURS:
        raise ValidationError(_("«%(value)s» — больше 40 часов в неделю не бывает.") % {"value": raw})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("«%(value)s» — часы указываются с точностью до сотых.") % {"value": raw})
    return value.quantize(Decimal("0.01"))


def _hours(value) -> Decimal:
    """Hours given to a service as a number or text: positive, at most 40."""
    hours = parse_hours(value)
    if hours is None:
        raise ValidationError(_("Укажите число часов в неделю больше нуля."))
    return hours


# ---------------------------------------------------------------------------------------------
# The curriculum (ORG-5)


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


@dataclass
class PlanCell:
    """One cell of the curriculum form as typed: hours text and the subgroups box."""

    subject_id: int
    grade: int
    hours: str
    divided: bool = False


@dataclass
class SaveResult:
    changed: int = 0
    errors: dict = field(default_factory=dict)  # cell key → Russian message

    @property
    def ok(self) -> bool:
        return not self.errors


def curriculum_save(*, year: AcademicYear, cells: list[PlanCell]) -> SaveResult:
    """Apply the curriculum grid: a cell with hours makes or changes its line, an empty (or 0)
    cell removes it. A bad cell is reported with the subject and the grade; every good cell is
    saved."""
    _open_year(year)
    result = SaveResult()
    subjects = {s.pk: s for s in Subject.objects.filter(school_id=year.school_id)}
    lines = {(x.subject_id, x.grade): x for x in CurriculumLine.objects.filter(year=year)}
    with transaction.atomic():
        for cell in cells:
            key = (cell.subject_id, cell.grade)
            subject = subjects.get(cell.subject_id)
            try:
                if subject is None:
                    raise ValidationError(_("Предмет не найден в этой школе."))
                if not 1 <= cell.grade <= 11:
                    raise ValidationError(_("Параллель — от 1 до 11."))
                try:
                    hours = parse_hours(cell.hours)
                except ValidationError as exc:
                    raise ValidationError(
                        _("%(subject)s, %(grade)d класс: %(error)s")
                        % {"subject": subject, "grade": cell.grade, "error": message(exc)}
                    ) from None
                line = lines.get(key)
                if hours is None:
                    if line is not None:
                        line.delete()
                        result.changed += 1
                    continue
                if line is None:
                    CurriculumLine.objects.create(
                        school_id=year.school_id,
                        year=year,
                        grade=cell.grade,
                        subject=subject,
                        hours_per_week=hours,
                        divided_into_subgroups=cell.divided,
                    )
                    result.changed += 1
                elif line.hours_per_week != hours or line.divided_into_subgroups != cell.divided:
                    line.hours_per_week, line.divided_into_subgroups = hours, cell.divided
                    line.save(update_fields=["hours_per_week", "divided_into_subgroups"])
                    result.changed += 1
            except ValidationError as exc:
                result.errors[key] = message(exc)
    return result


def subject_create(*, school, name: str, short_name: str = "") -> Subject:
    """A new subject of the school (the curriculum's rows, an elective's subject)."""
    name, short_name = (name or "").strip(), (short_name or "").strip()
    if not name:
        raise ValidationError(_("Введите название предмета."))
    if len(name) > 200 or len(short_name) > 50:
        raise ValidationError(_("Название предмета слишком длинное."))
    # Compared in Python: SQLite folds the case of Latin letters only.
    if name.casefold() in {n.casefold() for n in Subject.objects.filter(school=school).values_list("name", flat=True)}:
        raise ValidationError(_("Предмет «%(name)s» уже есть.") % {"name": name})
    return Subject.objects.create(school=school, name=name, short_name=short_name)


# ---------------------------------------------------------------------------------------------
# The workload (ORG-5): who teaches a subject to a group — the journal


def grading_system_for(*, school, subject: Subject, grade: int | None) -> str:
    """The grading system a new journal takes (JRN-4): the school's setting from apps.grading,
    the 5-point system while that app has no answer."""
    try:
        from apps.grading.selectors import system_for
    except ImportError:
        return GradingSystem.FIVE
    return system_for(school=school, subject=subject, grade=grade)


def _set_exact_hours(journal: Journal, hours: Decimal) -> None:
    """Journal.hours_per_week holds whole hours (rounded up); a fractional value is kept exactly
    beside it."""
    if hours == hours.to_integral_value():
        JournalHours.objects.filter(journal=journal).delete()
    else:
        JournalHours.objects.update_or_create(
            journal=journal, defaults={"school_id": journal.school_id, "hours_per_week": hours}
        )


def journal_hours(journal: Journal) -> Decimal:
    """The weekly hours of a journal: the exact fractional value when it is kept and still
    agrees with the whole hours (the admin may have changed those since), else the whole hours."""
    try:
        exact = journal.exact_hours
    except JournalHours.DoesNotExist:
        exact = None
    if exact is not None and math.ceil(exact.hours_per_week) == journal.hours_per_week:
        return exact.hours_per_week
    return Decimal(journal.hours_per_week)


@transaction.atomic
def workload_assign(*, group: Group, subject: Subject, teacher: Staff, hours_per_week, author) -> Journal:
    """Give a group's subject to a teacher for so many hours a week: the journal of that group
    and subject is created (with the grading system of the subject and grade), or — if it exists —
    keeps its lessons, marks and history and changes its teacher and hours."""
    hours = _hours(hours_per_week)
    if not (group.school_id == subject.school_id == teacher.school_id):
        raise ValidationError(_("Группа, предмет и учитель должны быть из одной школы."))
    year = group.year
    _open_year(year)
    today = school_today(group.school)
    if teacher.left_on is not None and teacher.left_on < today:
        raise ValidationError(
            _("%(teacher)s уволен(а) %(date)s: выберите работающего учителя.")
            % {"teacher": teacher.short_name, "date": _fmt(teacher.left_on)}
        )
    whole = math.ceil(hours)
    journal = Journal.objects.select_for_update().filter(year=year, subject=subject, group=group).first()
    if journal is None:
        journal = Journal.objects.create(
            school_id=group.school_id,
            year=year,
            subject=subject,
            group=group,
            teacher=teacher,
            hours_per_week=whole,
            grading_system=grading_system_for(school=group.school, subject=subject, grade=group.grade_level),
        )
    else:
        fields = []
        if journal.teacher_id != teacher.pk:
            TeacherChange.objects.create(
                school_id=journal.school_id,
                journal=journal,
                old_teacher_id=journal.teacher_id,
                new_teacher=teacher,
                changed_on=today,
                author=author,
            )
            journal.teacher = teacher
            fields.append("teacher")
        if journal.hours_per_week != whole:
            journal.hours_per_week = whole
            fields.append("hours_per_week")
        if fields:
            journal.save(update_fields=fields)
    _set_exact_hours(journal, hours)
    return journal


@transaction.atomic
def workload_unassign(*, journal: Journal, author) -> None:
    """Take a subject off a group: only a journal with nothing in it may go (a journal with
    lessons keeps its records and is handed to another teacher instead)."""
    _open_year(journal.year)
    if Lesson.objects.filter(journal=journal).exists() or PeriodMark.objects.filter(journal=journal).exists():
        raise ValidationError(
            _("В журнале «%(journal)s» уже есть уроки: его нельзя убрать, можно передать другому учителю.")
            % {"journal": journal}
        )
    journal.delete()


@dataclass
class WorkloadInput:
    """One line of the workload form: the teacher chosen (None: nobody) and the hours typed."""

    group: Group | None  # None: the whole class of `school_class`, whose group is made when needed
    subject: Subject
    teacher_id: int | None
    hours: str
    school_class: SchoolClass | None = None
    key: object = ""  # how a refusal is reported back to the form line


def workload_save(*, year: AcademicYear, rows: list[WorkloadInput], author) -> SaveResult:
    """Apply the workload form of a class: each line whose teacher or hours changed is assigned
    (or taken off); a refused line is reported with its group and subject, the others kept."""
    _open_year(year)
    result = SaveResult()
    staff = {s.pk: s for s in Staff.objects.filter(school_id=year.school_id)}
    journals = {
        (j.group_id, j.subject_id): j
        for j in Journal.objects.filter(
            year=year, group__in=[r.group for r in rows if r.group is not None]
        ).select_related("exact_hours")
    }
    with transaction.atomic():
        for row in rows:
            key = row.key or (row.group.pk if row.group else None, row.subject.pk)
            journal = journals.get((row.group.pk, row.subject.pk)) if row.group is not None else None
            try:
                with transaction.atomic():
                    if row.teacher_id is None:
                        if journal is not None:
                            workload_unassign(journal=journal, author=author)
                            result.changed += 1
                        continue
                    teacher = staff.get(row.teacher_id)
                    if teacher is None:
                        raise ValidationError(_("Учитель не найден в этой школе."))
                    hours = _hours(row.hours)
                    if journal is not None and journal.teacher_id == teacher.pk and journal_hours(journal) == hours:
                        continue
                    group = row.group if row.group is not None else class_group(row.school_class)
                    workload_assign(
                        group=group, subject=row.subject, teacher=teacher, hours_per_week=hours, author=author
                    )
                    result.changed += 1
            except ValidationError as exc:
                result.errors[key] = _("%(group)s, %(subject)s: %(error)s") % {
                    "group": row.group or row.school_class,
                    "subject": row.subject,
                    "error": message(exc),
                }
    return result


# ---------------------------------------------------------------------------------------------
# Groups (ORG-4)


def subgroups_of(*, school_class: SchoolClass, subject: Subject) -> list[Group]:
    """The subgroups a class is split into for a subject: those planned for it, and those that
    have a journal of it."""
    return list(
        Group.objects.filter(school_class=school_class, kind=Group.Kind.SUBGROUP)
        .filter(Q(planned_subjects__subject=subject) | Q(journals__subject=subject))
        .distinct()
        .order_by("name", "pk")
    )


def subgroup_name(school_class: SchoolClass, subject: Subject, number: int) -> str:
    """«5А — англ. яз., 1 гр.»"""
    short = subject.short_name or subject.name
    return _("%(cls)s — %(subject)s, %(n)d гр.") % {"cls": school_class, "subject": short.lower(), "n": number}


@transaction.atomic
def subgroups_create(*, school_class: SchoolClass, subject: Subject, count: int = 2) -> list[Group]:
    """Split a class into `count` subgroups for a subject («5А — англ. яз., 1 гр.», «2 гр.»);
    students are put into them by `subgroup_assign`, teachers by `workload_assign`."""
    _open_year(school_class.year)
    if subject.school_id != school_class.school_id:
        raise ValidationError(_("Предмет не найден в этой школе."))
    if not 2 <= count <= 4:
        raise ValidationError(_("Класс делится на 2, 3 или 4 подгруппы."))
    existing = subgroups_of(school_class=school_class, subject=subject)
    if existing:
        raise ValidationError(
            _("%(cls)s уже разделён на подгруппы по предмету «%(subject)s».")
            % {"cls": school_class, "subject": subject}
        )
    groups = []
    for n in range(1, count + 1):
        group = Group.objects.create(
            school_id=school_class.school_id,
            year_id=school_class.year_id,
            school_class=school_class,
            kind=Group.Kind.SUBGROUP,
            name=subgroup_name(school_class, subject, n),
        )
        GroupSubject.objects.create(school_id=group.school_id, group=group, subject=subject)
        groups.append(group)
    return groups


def _in_year(group: Group, day: dt.date) -> None:
    year = group.year
    if not year.starts <= day <= year.ends:
        raise ValidationError(_("Дата %(date)s вне учебного года %(year)s.") % {"date": _fmt(day), "year": year})


def _membership_on(group_ids, student: Student, day: dt.date) -> GroupMembership | None:
    return (
        GroupMembership.objects.filter(group_id__in=group_ids, student=student, starts__lte=day)
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
        .order_by("-starts")
        .first()
    )


def _end_membership(membership: GroupMembership, last_day: dt.date) -> None:
    """End a membership on its last day; one that would not have lasted a day is removed (it
    was never in force, so no lesson of it can hold a mark)."""
    if last_day < membership.starts:
        membership.delete()
    else:
        membership.ends = last_day
        membership.save(update_fields=["ends"])


@transaction.atomic
def group_member_add(*, group: Group, student: Student, starts: dt.date) -> GroupMembership:
    """A student joins a group from a day. A subgroup takes only students of its class; a
    home-schooling or individual-plan group only its one student."""
    _open_year(group.year)
    if student.school_id != group.school_id:
        raise ValidationError(_("Учащийся не найден в этой школе."))
    _in_year(group, starts)
    if group.kind == Group.Kind.CLASS:
        raise ValidationError(_("Состав класса меняют зачислением и выбытием (книга движения)."))
    enrolments = Enrolment.objects.filter(student=student, starts__lte=starts).filter(
        Q(ends__isnull=True) | Q(ends__gte=starts)
    )
    if group.school_class_id:
        # A subgroup, a home-schooling or individual-plan group: students of its class.
        if not enrolments.filter(school_class_id=group.school_class_id).exists():
            raise ValidationError(
                _("%(student)s не учится в %(cls)s на %(date)s.")
                % {"student": student.short_name, "cls": group.school_class, "date": _fmt(starts)}
            )
    elif not enrolments.filter(school_class__year_id=group.year_id).exists():
        raise ValidationError(
            _("%(student)s не учится ни в одном классе %(year)s на %(date)s.")
            % {"student": student.short_name, "year": group.year, "date": _fmt(starts)}
        )
    current = GroupMembership.objects.filter(group=group).filter(Q(ends__isnull=True) | Q(ends__gte=starts))
    if current.filter(student=student).exists():
        raise ValidationError(
            _("%(student)s уже в группе «%(group)s».") % {"student": student.short_name, "group": group}
        )
    if group.kind in Group.ONE_STUDENT and current.exclude(student=student).exists():
        raise ValidationError(_("«%(group)s» — группа одного учащегося.") % {"group": group})
    later = GroupMembership.objects.filter(group=group, student=student, starts__gt=starts).order_by("starts").first()
    if later is not None:
        raise ValidationError(
            _("%(student)s уже будет в группе с %(date)s.")
            % {"student": student.short_name, "date": _fmt(later.starts)}
        )
    return GroupMembership.objects.create(school_id=group.school_id, group=group, student=student, starts=starts)


@transaction.atomic
def group_member_end(*, membership: GroupMembership, last_day: dt.date) -> None:
    """A student leaves a group after `last_day` (inclusive); marks of the days before stay in
    the group's journals."""
    _open_year(membership.group.year)
    if membership.ends is not None and membership.ends <= last_day:
        raise ValidationError(_("Учащийся уже выбыл из группы %(date)s.") % {"date": _fmt(membership.ends)})
    _end_membership(membership, last_day)


@transaction.atomic
def subgroup_assign(*, school_class: SchoolClass, subject: Subject, choices: dict[int, int | None], on: dt.date) -> int:
    """Put the students of a class into the subgroups of a subject from the day `on`:
    `choices` maps a student to a subgroup (None: none). A student moved from one subgroup to
    another has the old membership ended the day before and a new one started, so the marks of
    the old subgroup stay in its journal. Returns how many students changed subgroup."""
    _open_year(school_class.year)
    groups = {g.pk: g for g in subgroups_of(school_class=school_class, subject=subject)}
    if not groups:
        raise ValidationError(
            _("%(cls)s не разделён на подгруппы по предмету «%(subject)s».") % {"cls": school_class, "subject": subject}
        )
    some_group = next(iter(groups.values()))
    _in_year(some_group, on)
    students = {s.pk: s for s in Student.objects.filter(school_id=school_class.school_id, pk__in=list(choices))}
    changed = 0
    for student_id, target_id in choices.items():
        student = students.get(student_id)
        if student is None:
            raise ValidationError(_("Учащийся не найден в этой школе."))
        if target_id is not None and target_id not in groups:
            raise ValidationError(_("Подгруппа не найдена."))
        current = _membership_on(list(groups), student, on)
        if current is None:
            # Not in any subgroup on that day: maybe already placed from a later day.
            upcoming = (
                GroupMembership.objects.filter(group_id__in=list(groups), student=student, starts__gt=on)
                .order_by("starts")
                .first()
            )
            if upcoming is not None:
                if upcoming.group_id == target_id:
                    continue
                upcoming.delete()  # never in force yet: replaced by the choice made now
        elif current.group_id == target_id:
            continue
        else:
            _end_membership(current, on - dt.timedelta(days=1))
        if target_id is not None:
            group_member_add(group=groups[target_id], student=student, starts=on)
        changed += 1
    return changed


@transaction.atomic
def group_create(
    *,
    year: AcademicYear,
    kind: str,
    name: str = "",
    grade: int | None = None,
    student: Student | None = None,
    starts: dt.date | None = None,
) -> Group:
    """A group across classes (elective, course, club, extended-day group) or a group of one
    student (home schooling, individual study plan). The one student joins it from `starts` and
    the group belongs to the student's class, so the class teacher sees its journals."""
    _open_year(year)
    name = (name or "").strip()
    if kind in Group.CROSS_CLASS:
        if not name:
            raise ValidationError(_("Введите название группы."))
        if grade is not None and not 1 <= grade <= 11:
            raise ValidationError(_("Параллель — от 1 до 11."))
        school_class = None
    elif kind in Group.ONE_STUDENT:
        if student is None or student.school_id != year.school_id:
            raise ValidationError(_("Выберите учащегося."))
        starts = starts or max(year.starts, min(school_today(year.school), year.ends))
        enrolment = (
            Enrolment.objects.filter(student=student, school_class__year=year, starts__lte=starts)
            .filter(Q(ends__isnull=True) | Q(ends__gte=starts))
            .select_related("school_class")
            .first()
        )
        if enrolment is None:
            raise ValidationError(
                _("%(student)s не учится ни в одном классе %(year)s на %(date)s.")
                % {"student": student.short_name, "year": year, "date": _fmt(starts)}
            )
        school_class = enrolment.school_class
        grade = None
        if not name:
            label = Group.Kind(kind).label
            name = f"{school_class} — {label}: {student.short_name}"
    else:
        raise ValidationError(_("Подгруппы класса создаются разделением класса по предмету."))
    if len(name) > 100:
        raise ValidationError(_("Название группы — не длиннее 100 знаков."))
    if name.casefold() in {n.casefold() for n in Group.objects.filter(year=year).values_list("name", flat=True)}:
        raise ValidationError(_("Группа «%(name)s» в этом году уже есть.") % {"name": name})
    group = Group.objects.create(
        school_id=year.school_id, year=year, school_class=school_class, kind=kind, name=name, grade=grade
    )
    if student is not None:
        group_member_add(group=group, student=student, starts=starts)
    return group


@transaction.atomic
def group_delete(*, group: Group) -> None:
    """Remove a group made by mistake: only while it has no journal."""
    _open_year(group.year)
    if group.kind == Group.Kind.CLASS:
        raise ValidationError(_("Группу всего класса не удаляют."))
    if Journal.objects.filter(group=group).exists():
        raise ValidationError(_("У группы «%(group)s» есть журналы: сначала уберите их в нагрузке.") % {"group": group})
    group.delete()


@transaction.atomic
def group_subject_set(*, group: Group, subject: Subject, hours_per_week=None) -> GroupSubject:
    """What a group learns: a subject (and, for a cross-class or one-student group, its hours a
    week), checked by the workload check."""
    _open_year(group.year)
    if subject.school_id != group.school_id:
        raise ValidationError(_("Предмет не найден в этой школе."))
    if group.kind == Group.Kind.CLASS:
        raise ValidationError(_("Предметы класса задаёт учебный план."))
    hours = parse_hours(hours_per_week)
    item, _created = GroupSubject.objects.update_or_create(
        group=group, subject=subject, defaults={"school_id": group.school_id, "hours_per_week": hours}
    )
    return item


@transaction.atomic
def group_subject_remove(*, item: GroupSubject) -> None:
    """Take a subject off a group's plan (its journal, if any, stays: the workload takes it off)."""
    _open_year(item.group.year)
    item.delete()


@transaction.atomic
def group_plan_from_curriculum(*, group: Group) -> int:
    """Fill a one-student group's plan from the curriculum of its grade (the subjects and hours
    the class learns), to be adjusted. Returns the number of subjects added."""
    _open_year(group.year)
    grade = group.grade_level
    if grade is None:
        raise ValidationError(_("У группы не указана параллель."))
    have = set(GroupSubject.objects.filter(group=group).values_list("subject_id", flat=True))
    new = [
        GroupSubject(
            school_id=group.school_id, group=group, subject_id=line.subject_id, hours_per_week=line.hours_per_week
        )
        for line in CurriculumLine.objects.filter(year_id=group.year_id, grade=grade)
        if line.subject_id not in have
    ]
    GroupSubject.objects.bulk_create(new)
    return len(new)


# ---------------------------------------------------------------------------------------------
# Staff (ORG-6)


@dataclass
class StaffInput:
    staff: Staff
    position: str
    hired_on: dt.date | None
    left_on: dt.date | None


def staff_update(*, staff: Staff, position: str, hired_on: dt.date | None, left_on: dt.date | None) -> Staff:
    position = (position or "").strip()
    if not position:
        raise ValidationError(_("%(staff)s: укажите должность.") % {"staff": staff.short_name})
    if len(position) > 100:
        raise ValidationError(_("%(staff)s: должность — не длиннее 100 знаков.") % {"staff": staff.short_name})
    if hired_on and left_on and left_on < hired_on:
        raise ValidationError(_("%(staff)s: дата увольнения раньше даты приёма.") % {"staff": staff.short_name})
    if (staff.position, staff.hired_on, staff.left_on) != (position, hired_on, left_on):
        staff.position, staff.hired_on, staff.left_on = position, hired_on, left_on
        staff.save(update_fields=["position", "hired_on", "left_on"])
    return staff


def staff_save(*, school, rows: list[StaffInput]) -> SaveResult:
    """Apply the staff list form: each changed person saved, each refused one reported."""
    result = SaveResult()
    with transaction.atomic():
        for row in rows:
            if row.staff.school_id != school.pk:
                result.errors[row.staff.pk] = _("Сотрудник не найден в этой школе.")
                continue
            before = (row.staff.position, row.staff.hired_on, row.staff.left_on)
            try:
                with transaction.atomic():
                    staff_update(staff=row.staff, position=row.position, hired_on=row.hired_on, left_on=row.left_on)
            except ValidationError as exc:
                row.staff.position, row.staff.hired_on, row.staff.left_on = before
                result.errors[row.staff.pk] = message(exc)
                continue
            if before != (row.staff.position, row.staff.hired_on, row.staff.left_on):
                result.changed += 1
    return result


def attestation_default_end(day: dt.date) -> dt.date:
    """An attestation holds five years: to the day before the same date five years on."""
    try:
        same = day.replace(year=day.year + ATTESTATION_YEARS)
    except ValueError:  # 29 February
        same = day.replace(year=day.year + ATTESTATION_YEARS, day=28) + dt.timedelta(days=1)
    return same - dt.timedelta(days=1)


@transaction.atomic
def attestation_save(
    *,
    staff: Staff,
    date: dt.date,
    category: str,
    order_number: str = "",
    valid_until: dt.date | None = None,
    attestation: StaffAttestation | None = None,
) -> StaffAttestation:
    """Record a staff member's attestation (ORG-6), or correct a record. Without «действует до»
    it holds five years."""
    if attestation is not None and attestation.school_id != staff.school_id:
        raise ValidationError(_("Запись об аттестации не найдена."))
    if category not in StaffAttestation.Category.values:
        raise ValidationError(_("Выберите результат аттестации."))
    if date is None:
        raise ValidationError(_("Укажите дату аттестации."))
    valid_until = valid_until or attestation_default_end(date)
    if valid_until <= date:
        raise ValidationError(_("«Действует до» должно быть позже даты аттестации."))
    order_number = (order_number or "").strip()
    if len(order_number) > 50:
        raise ValidationError(_("Номер приказа — не длиннее 50 знаков."))
    record = attestation or StaffAttestation(school_id=staff.school_id)
    record.staff = staff
    record.date, record.category, record.order_number, record.valid_until = date, category, order_number, valid_until
    record.save()
    return record


@transaction.atomic
def attestation_delete(*, attestation: StaffAttestation) -> None:
    attestation.delete()
