"""Reads of the curriculum, workload, groups and staff pages (ORG-4, ORG-5, ORG-6). Each function
runs a fixed number of queries whatever the number of classes, groups or teachers (the workload
page has a query-budget test)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.journal.models import Journal
from apps.people.models import Enrolment, GroupMembership, Staff, Student
from apps.schools.models import AcademicYear, Group, SchoolClass, Subject

from .models import CurriculumLine, GroupSubject, StaffAttestation, hours_text
from .services import journal_hours


def _fmt(day: dt.date) -> str:
    return date_format(day, "d.m.Y")


def current_year(school) -> AcademicYear | None:
    """The year the pages open on: the active one (the latest if several), else the latest."""
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts"))
    active = [y for y in years if y.status == AcademicYear.Status.ACTIVE]
    return (active or years or [None])[0]


def school_years(school) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(school=school).order_by("-starts"))


def working_staff(school, today: dt.date) -> list[Staff]:
    """Who may be given a subject: staff who have not left by today."""
    return list(
        Staff.objects.filter(school=school)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .order_by("last_name", "first_name", "middle_name", "pk")
    )


# ---------------------------------------------------------------------------------------------
# The curriculum grid


@dataclass
class PlanCellView:
    subject: Subject
    grade: int
    line: CurriculumLine | None
    typed: str | None = None
    typed_divided: bool | None = None
    error: str = ""

    @property
    def name(self) -> str:
        return f"h-{self.subject.pk}-{self.grade}"

    @property
    def divided_name(self) -> str:
        return f"d-{self.subject.pk}-{self.grade}"

    @property
    def value(self) -> str:
        if self.typed is not None:
            return self.typed
        return hours_text(self.line.hours_per_week) if self.line else ""

    @property
    def divided(self) -> bool:
        if self.typed_divided is not None:
            return self.typed_divided
        return bool(self.line and self.line.divided_into_subgroups)


@dataclass
class PlanRow:
    subject: Subject
    cells: list[PlanCellView]


@dataclass
class PlanGrid:
    year: AcademicYear
    grades: list[int]
    rows: list[PlanRow]
    totals: list[str]

    def cell(self, subject_id: int, grade: int) -> PlanCellView | None:
        for row in self.rows:
            if row.subject.pk == subject_id:
                return next((c for c in row.cells if c.grade == grade), None)
        return None


def plan_grid(*, year: AcademicYear, all_grades: bool = False) -> PlanGrid:
    """Subjects × grades of a year: the grades the year has classes in (or lines for); every grade
    1–11 when asked or when the year has neither. Three queries."""
    lines = list(CurriculumLine.objects.filter(year=year))
    by_key = {(x.subject_id, x.grade): x for x in lines}
    if all_grades:
        grades = list(range(1, 12))
    else:
        grades = sorted(
            set(SchoolClass.objects.filter(year=year).values_list("grade", flat=True)) | {x.grade for x in lines}
        ) or list(range(1, 12))
    subjects = list(Subject.objects.filter(school_id=year.school_id).order_by("name"))
    rows = [PlanRow(s, [PlanCellView(s, g, by_key.get((s.pk, g))) for g in grades]) for s in subjects]
    totals = []
    for g in grades:
        total = sum((x.hours_per_week for x in lines if x.grade == g), Decimal(0))
        totals.append(hours_text(total) if total else "")
    return PlanGrid(year=year, grades=grades, rows=rows, totals=totals)


# ---------------------------------------------------------------------------------------------
# The workload and its check


@dataclass
class WorkloadRow:
    """A subject a group should learn (or learns), and the journal that teaches it."""

    key: str
    group: Group | None  # None: the class has no whole-class group yet
    school_class: SchoolClass | None
    subject: Subject
    journal: Journal | None
    planned: Decimal | None
    note: str = ""
    problems: list[str] = field(default_factory=list)
    needs_split: bool = False
    typed_teacher: str | None = None
    typed_hours: str | None = None
    error: str = ""

    @property
    def label(self) -> str:
        return str(self.group) if self.group is not None else str(self.school_class)

    @property
    def hours(self) -> Decimal | None:
        return journal_hours(self.journal) if self.journal is not None else None

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)

    @property
    def planned_text(self) -> str:
        return hours_text(self.planned)

    @property
    def first_grade(self) -> bool:
        """JRN-6: first-grade journals are kept without marks."""
        grade = self.group.grade_level if self.group is not None else self.school_class.grade
        return grade == 1

    @property
    def teacher_value(self) -> str:
        if self.typed_teacher is not None:
            return self.typed_teacher
        return str(self.journal.teacher_id) if self.journal else ""

    @property
    def hours_value(self) -> str:
        if self.typed_hours is not None:
            return self.typed_hours
        if self.journal is not None:
            return self.hours_text
        return self.planned_text

    @property
    def editable(self) -> bool:
        return not self.needs_split


@dataclass
class ClassWorkload:
    school_class: SchoolClass
    rows: list[WorkloadRow]

    @property
    def problems(self) -> int:
        return sum(1 for r in self.rows if r.problems)


@dataclass
class GroupWorkload:
    group: Group
    rows: list[WorkloadRow]


@dataclass
class TeacherItem:
    subject: Subject
    label: str
    hours: Decimal
    first_grade: bool

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)


@dataclass
class TeacherLoad:
    teacher: Staff
    items: list[TeacherItem]

    @property
    def total(self) -> Decimal:
        return sum((i.hours for i in self.items), Decimal(0))

    @property
    def total_text(self) -> str:
        return hours_text(self.total)


@dataclass
class Workload:
    year: AcademicYear
    classes: list[ClassWorkload]
    others: list[GroupWorkload]
    issues: list[str]
    teachers: list[TeacherLoad]

    def class_rows(self, class_id: int) -> ClassWorkload | None:
        return next((c for c in self.classes if c.school_class.pk == class_id), None)

    @property
    def total_text(self) -> str:
        return hours_text(sum((t.total for t in self.teachers), Decimal(0)))


def _hours_problem(label: str, subject, planned: Decimal, actual: Decimal) -> str:
    return _("%(group)s, %(subject)s: по плану %(plan)s ч в неделю, в нагрузке %(actual)s ч") % {
        "group": label,
        "subject": subject,
        "plan": hours_text(planned),
        "actual": hours_text(actual),
    }


def _no_teacher(label: str, subject) -> str:
    return _("%(group)s, %(subject)s: нет учителя") % {"group": label, "subject": subject}


def workload(*, year: AcademicYear, today: dt.date) -> Workload:
    """For every class of the year and every curriculum line of its grade, who teaches it (the
    journal of the class, or of each subgroup where the line is divided), and for every other
    group its subjects; the check (ORG-5) — lines without a teacher, hours that differ from the
    plan, journals outside the plan, teachers who have left — and each teacher's hours.
    Five queries."""
    classes = list(SchoolClass.objects.filter(year=year).select_related("class_teacher").order_by("grade", "letter"))
    class_by_id = {c.pk: c for c in classes}
    lines: dict[int, list[CurriculumLine]] = defaultdict(list)
    for line in CurriculumLine.objects.filter(year=year).select_related("subject").order_by("subject__name"):
        lines[line.grade].append(line)
    groups = list(Group.objects.filter(year=year).order_by("name", "pk"))
    group_by_id = {}
    for g in groups:
        if g.school_class_id:
            g.school_class = class_by_id[g.school_class_id]
        group_by_id[g.pk] = g
    planned: dict[int, list[GroupSubject]] = defaultdict(list)
    for gs in GroupSubject.objects.filter(group__year=year).select_related("subject").order_by("subject__name"):
        planned[gs.group_id].append(gs)
    journals: dict[tuple[int, int], Journal] = {}
    by_group: dict[int, list[Journal]] = defaultdict(list)
    for j in (
        Journal.objects.filter(year=year)
        .select_related("teacher", "subject", "exact_hours")
        .order_by("subject__name", "pk")
    ):
        if j.group_id not in group_by_id:  # a journal filed under a group of another year
            continue
        j.group = group_by_id[j.group_id]
        journals[(j.group_id, j.subject_id)] = j
        by_group[j.group_id].append(j)

    issues: list[str] = []
    shown: set[int] = set()

    def row(group, school_class, subject, journal, planned_hours, note="") -> WorkloadRow:
        key = f"{group.pk}-{subject.pk}" if group is not None else f"c{school_class.pk}-{subject.pk}"
        r = WorkloadRow(key, group, school_class, subject, journal, planned_hours, note)
        if journal is not None:
            shown.add(journal.pk)
            if planned_hours is not None and r.hours != planned_hours:
                r.problems.append(_hours_problem(r.label, subject, planned_hours, r.hours))
            left = journal.teacher.left_on
            if left is not None and left < today:
                r.problems.append(
                    _("%(group)s, %(subject)s: учитель %(teacher)s уволен(а) %(date)s")
                    % {"group": r.label, "subject": subject, "teacher": journal.teacher.short_name, "date": _fmt(left)}
                )
        elif planned_hours is not None:
            r.problems.append(_no_teacher(r.label, subject))
        return r

    class_sections = []
    for c in classes:
        whole = next((g for g in groups if g.school_class_id == c.pk and g.kind == Group.Kind.CLASS), None)
        subgroups = [g for g in groups if g.school_class_id == c.pk and g.kind == Group.Kind.SUBGROUP]
        rows = []
        in_plan = set()
        for line in lines.get(c.grade, []):
            subject = line.subject
            in_plan.add(subject.pk)
            hours = line.hours_per_week
            whole_journal = journals.get((whole.pk, subject.pk)) if whole else None
            split = [
                g
                for g in subgroups
                if (g.pk, subject.pk) in journals or any(gs.subject_id == subject.pk for gs in planned.get(g.pk, []))
            ]
            if whole_journal is not None or not split:
                r = row(whole, c, subject, whole_journal, hours)
                if line.divided_into_subgroups:
                    r.note = _("по плану делится на подгруппы")
                    if whole_journal is None:
                        r.needs_split = True
                        r.problems = [
                            _("%(cls)s, %(subject)s: класс не разделён на подгруппы") % {"cls": c, "subject": subject}
                        ]
                    else:
                        r.problems.append(
                            _("%(cls)s, %(subject)s: по плану делится на подгруппы, а ведётся всем классом")
                            % {"cls": c, "subject": subject}
                        )
                rows.append(r)
            for g in split:
                r = row(g, c, subject, journals.get((g.pk, subject.pk)), hours)
                if not line.divided_into_subgroups and whole_journal is None:
                    r.problems.append(
                        _("%(group)s, %(subject)s: по плану класс не делится на подгруппы")
                        % {"group": g, "subject": subject}
                    )
                rows.append(r)
        # Journals of the class and its subgroups that the plan of the grade does not have.
        for g in [whole, *subgroups] if whole else subgroups:
            for j in by_group.get(g.pk, []):
                if j.subject_id not in in_plan:
                    r = row(g, c, j.subject, j, None, _("вне учебного плана"))
                    r.problems.append(
                        _("%(group)s, %(subject)s: предмета нет в учебном плане %(grade)d класса")
                        % {"group": g, "subject": j.subject, "grade": c.grade}
                    )
                    rows.append(r)
        class_sections.append(ClassWorkload(c, rows))
        for r in rows:
            issues.extend(r.problems)

    other_sections = []
    one_student_first = sorted(
        (g for g in groups if g.kind in Group.CROSS_CLASS | Group.ONE_STUDENT),
        key=lambda g: (g.kind not in Group.ONE_STUDENT, g.name),
    )
    for g in one_student_first:
        rows = []
        for gs in planned.get(g.pk, []):
            rows.append(row(g, g.school_class, gs.subject, journals.get((g.pk, gs.subject_id)), gs.hours_per_week))
            if gs.hours_per_week is None and (g.pk, gs.subject_id) not in journals:
                rows[-1].problems.append(_no_teacher(g.name, gs.subject))
        for j in by_group.get(g.pk, []):
            if j.pk not in shown:
                rows.append(row(g, g.school_class, j.subject, j, None))
        other_sections.append(GroupWorkload(g, rows))
        for r in rows:
            issues.extend(r.problems)

    loads: dict[int, TeacherLoad] = {}
    for j in sorted(journals.values(), key=lambda j: (j.teacher.last_name, j.teacher.first_name, j.teacher_id)):
        load = loads.setdefault(j.teacher_id, TeacherLoad(j.teacher, []))
        load.items.append(TeacherItem(j.subject, str(j.group), journal_hours(j), j.group.grade_level == 1))
    for load in loads.values():
        load.items.sort(key=lambda i: (i.subject.name, i.label))
    return Workload(
        year=year, classes=class_sections, others=other_sections, issues=issues, teachers=list(loads.values())
    )


# ---------------------------------------------------------------------------------------------
# Groups


@dataclass
class SplitView:
    subject: Subject
    groups: list[tuple[Group, int]]  # each subgroup and how many students it has today
    divided_in_plan: bool


@dataclass
class ClassGroups:
    school_class: SchoolClass
    splits: list[SplitView]
    unsplit: list[CurriculumLine]  # divided in the plan, not split yet


@dataclass
class GroupInfo:
    group: Group
    members: int
    journals: list[Journal]
    student: Student | None = None


@dataclass
class GroupsOverview:
    year: AcademicYear
    classes: list[ClassGroups]
    cross: list[GroupInfo]
    one_student: list[GroupInfo]
    counts: dict[int, int]


def groups_overview(*, year: AcademicYear, today: dt.date) -> GroupsOverview:
    """Subgroups by class and subject (and divided lines not split yet), cross-class groups and
    one-student groups with how many members they have today and their journals. Six queries."""
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    groups = list(Group.objects.filter(year=year).exclude(kind=Group.Kind.CLASS).order_by("name", "pk"))
    group_ids = [g.pk for g in groups]
    planned: dict[int, set[int]] = defaultdict(set)
    subjects: dict[int, Subject] = {}
    for gs in GroupSubject.objects.filter(group_id__in=group_ids).select_related("subject"):
        planned[gs.group_id].add(gs.subject_id)
        subjects[gs.subject_id] = gs.subject
    journals: dict[int, list[Journal]] = defaultdict(list)
    for j in (
        Journal.objects.filter(group_id__in=group_ids).select_related("subject", "teacher").order_by("subject__name")
    ):
        journals[j.group_id].append(j)
        planned[j.group_id].add(j.subject_id)
        subjects[j.subject_id] = j.subject
    counts = dict(
        GroupMembership.objects.filter(group_id__in=group_ids, starts__lte=today)
        .filter(Q(ends__isnull=True) | Q(ends__gte=today))
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )
    lines = defaultdict(list)
    for line in CurriculumLine.objects.filter(year=year, divided_into_subgroups=True).select_related("subject"):
        lines[line.grade].append(line)
    single = {}
    for m in (
        GroupMembership.objects.filter(group_id__in=[g.pk for g in groups if g.kind in Group.ONE_STUDENT])
        .select_related("student")
        .order_by("-starts")
    ):
        single.setdefault(m.group_id, m.student)

    class_sections = []
    for c in classes:
        subs = [g for g in groups if g.school_class_id == c.pk and g.kind == Group.Kind.SUBGROUP]
        by_subject: dict[int, list[Group]] = defaultdict(list)
        for g in subs:
            for sid in planned.get(g.pk, set()):
                by_subject[sid].append(g)
        divided = {x.subject_id for x in lines.get(c.grade, [])}
        splits = [
            SplitView(subjects[sid], [(g, counts.get(g.pk, 0)) for g in gs], sid in divided)
            for sid, gs in sorted(by_subject.items(), key=lambda kv: subjects[kv[0]].name)
        ]
        unsplit = [x for x in lines.get(c.grade, []) if x.subject_id not in by_subject]
        unsplit.sort(key=lambda x: x.subject.name)
        class_sections.append(ClassGroups(c, splits, unsplit))
    cls_by_id = {c.pk: c for c in classes}
    for g in groups:
        if g.school_class_id:
            g.school_class = cls_by_id.get(g.school_class_id)

    def info(g):
        return GroupInfo(g, counts.get(g.pk, 0), journals.get(g.pk, []), single.get(g.pk))

    return GroupsOverview(
        year=year,
        classes=class_sections,
        cross=[info(g) for g in groups if g.kind in Group.CROSS_CLASS],
        one_student=[info(g) for g in groups if g.kind in Group.ONE_STUDENT],
        counts=counts,
    )


@dataclass
class SplitStudent:
    student: Student
    current: int | None  # the subgroup on the day, or from a later day
    since: dt.date | None
    history: list[GroupMembership]


@dataclass
class SplitPage:
    school_class: SchoolClass
    subject: Subject
    groups: list[Group]
    students: list[SplitStudent]
    on: dt.date


def split_page(*, school_class: SchoolClass, subject: Subject, on: dt.date) -> SplitPage:
    """The students of a class on a day and the subgroup of a subject each is in (or will be in
    from a later day), with the memberships so far. Three queries."""
    from .services import subgroups_of

    groups = subgroups_of(school_class=school_class, subject=subject)
    enrolled = (
        Enrolment.objects.filter(school_class=school_class, starts__lte=on)
        .filter(Q(ends__isnull=True) | Q(ends__gte=on))
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__middle_name", "student_id")
    )
    students = []
    seen = set()
    for e in enrolled:
        if e.student_id not in seen:
            seen.add(e.student_id)
            students.append(e.student)
    memberships = defaultdict(list)
    for m in (
        GroupMembership.objects.filter(group__in=groups, student_id__in=seen)
        .select_related("group")
        .order_by("starts", "pk")
    ):
        memberships[m.student_id].append(m)
    rows = []
    for s in students:
        history = memberships.get(s.pk, [])
        now = next((m for m in history if m.starts <= on and (m.ends is None or m.ends >= on)), None)
        later = next((m for m in history if m.starts > on), None)
        chosen = now or later
        rows.append(SplitStudent(s, chosen.group_id if chosen else None, chosen.starts if chosen else None, history))
    return SplitPage(school_class, subject, groups, rows, on)


@dataclass
class GroupSubjectRow:
    subject: Subject
    item: GroupSubject | None
    journal: Journal | None
    typed_teacher: str | None = None
    typed_hours: str | None = None
    error: str = ""

    @property
    def key(self) -> str:
        return str(self.subject.pk)

    @property
    def planned_text(self) -> str:
        return hours_text(self.item.hours_per_week) if self.item else ""

    @property
    def hours_text(self) -> str:
        return hours_text(journal_hours(self.journal)) if self.journal else ""

    @property
    def teacher_value(self) -> str:
        if self.typed_teacher is not None:
            return self.typed_teacher
        return str(self.journal.teacher_id) if self.journal else ""

    @property
    def hours_value(self) -> str:
        if self.typed_hours is not None:
            return self.typed_hours
        return self.hours_text or self.planned_text


@dataclass
class MemberRow:
    membership: GroupMembership
    school_class: SchoolClass | None

    @property
    def active(self) -> bool:
        return self.membership.ends is None


@dataclass
class GroupDetail:
    group: Group
    members: list[MemberRow]
    subjects: list[GroupSubjectRow]
    candidates: list[Student]


def group_detail(*, group: Group, candidates_from: SchoolClass | None, on: dt.date) -> GroupDetail:
    """A group's members (with their class and dates), its subjects with their journals, and —
    for adding — the students of a chosen class on a day who are not in the group then."""
    memberships = list(
        GroupMembership.objects.filter(group=group)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "starts", "pk")
    )
    classes_of: dict[int, SchoolClass] = {}
    for e in (
        Enrolment.objects.filter(
            student_id__in={m.student_id for m in memberships}, school_class__year_id=group.year_id
        )
        .select_related("school_class")
        .order_by("starts")
    ):
        classes_of[e.student_id] = e.school_class
    items = {gs.subject_id: gs for gs in GroupSubject.objects.filter(group=group).select_related("subject")}
    journals = {
        j.subject_id: j for j in Journal.objects.filter(group=group).select_related("subject", "teacher", "exact_hours")
    }
    subject_ids = sorted(set(items) | set(journals))
    subject_of = {**{k: v.subject for k, v in items.items()}, **{k: v.subject for k, v in journals.items()}}
    rows = [
        GroupSubjectRow(subject_of[sid], items.get(sid), journals.get(sid))
        for sid in sorted(subject_ids, key=lambda s: subject_of[s].name)
    ]
    candidates = []
    if candidates_from is not None:
        inside = {m.student_id for m in memberships if m.starts <= on and (m.ends is None or m.ends >= on)}
        seen = set()
        for e in (
            Enrolment.objects.filter(school_class=candidates_from, starts__lte=on)
            .filter(Q(ends__isnull=True) | Q(ends__gte=on))
            .select_related("student")
            .order_by("student__last_name", "student__first_name", "student_id")
        ):
            if e.student_id not in inside and e.student_id not in seen:
                seen.add(e.student_id)
                candidates.append(e.student)
    return GroupDetail(
        group=group,
        members=[MemberRow(m, classes_of.get(m.student_id)) for m in memberships],
        subjects=rows,
        candidates=candidates,
    )


def class_students(*, year: AcademicYear, on: dt.date) -> list[tuple[SchoolClass, list[Student]]]:
    """Students of every class of the year on a day (the one-student group form). Two queries."""
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    by_class = defaultdict(list)
    for e in (
        Enrolment.objects.filter(school_class__year=year, starts__lte=on)
        .filter(Q(ends__isnull=True) | Q(ends__gte=on))
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student_id")
    ):
        by_class[e.school_class_id].append(e.student)
    return [(c, by_class.get(c.pk, [])) for c in classes]


# ---------------------------------------------------------------------------------------------
# Staff and attestation


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


EXPIRING_MONTHS = 3


@dataclass
class AttestationView:
    record: StaffAttestation
    status: str  # "expired", "expiring", "valid", "replaced"

    @property
    def status_text(self) -> str:
        return {
            "expired": _("срок истёк"),
            "expiring": _("истекает в ближайшие 3 месяца"),
            "valid": _("действует"),
            "replaced": _("заменена новой"),
        }[self.status]


@dataclass
class StaffRow:
    staff: Staff
    latest: AttestationView | None
    typed: dict | None = None
    error: str = ""

    @property
    def position(self) -> str:
        return self.typed["position"] if self.typed else self.staff.position

    @property
    def hired_on(self) -> str:
        if self.typed:
            return self.typed["hired_on"]
        return self.staff.hired_on.isoformat() if self.staff.hired_on else ""

    @property
    def left_on(self) -> str:
        if self.typed:
            return self.typed["left_on"]
        return self.staff.left_on.isoformat() if self.staff.left_on else ""

    def left(self, today: dt.date) -> bool:
        return self.staff.left_on is not None and self.staff.left_on < today


@dataclass
class StaffList:
    rows: list[StaffRow]
    attestations: list[AttestationView]
    today: dt.date
    soon: dt.date

    @property
    def flagged(self) -> list[AttestationView]:
        """Attestations of people still working that have run out or run out within 3 months."""
        return [
            a
            for a in self.attestations
            if a.status in ("expired", "expiring")
            and (a.record.staff.left_on is None or a.record.staff.left_on >= self.today)
        ]


def staff_list(*, school, today: dt.date) -> StaffList:
    """Everyone on the staff with their last attestation, and every attestation record with its
    state: expired, expiring within three months, valid, or replaced by a later one. Two queries."""
    soon = add_months(today, EXPIRING_MONTHS)
    staff = list(Staff.objects.filter(school=school).order_by("last_name", "first_name", "middle_name", "pk"))
    records = list(StaffAttestation.objects.filter(school=school).select_related("staff").order_by("valid_until", "pk"))
    latest: dict[int, StaffAttestation] = {}
    for r in records:
        best = latest.get(r.staff_id)
        if best is None or (r.date, r.pk) > (best.date, best.pk):
            latest[r.staff_id] = r
    views = []
    by_record = {}
    for r in records:
        if latest[r.staff_id].pk != r.pk:
            status = "replaced"
        elif r.valid_until < today:
            status = "expired"
        elif r.valid_until <= soon:
            status = "expiring"
        else:
            status = "valid"
        v = AttestationView(r, status)
        by_record[r.pk] = v
        views.append(v)
    rows = [StaffRow(s, by_record[latest[s.pk].pk] if s.pk in latest else None) for s in staff]
    return StaffList(rows=rows, attestations=views, today=today, soon=soon)
