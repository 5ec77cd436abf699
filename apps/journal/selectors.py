"""Reads of the journal pages. Each function runs a fixed number of queries, whatever the number
of students, lessons or marks (the grid has a query-budget test)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.models import Entry
from apps.people.models import GroupMembership, Student
from apps.schools.models import Period, WorkType

from .grading import GradingSystem, PeriodValue, pass_fail_summary, weighted_average
from .models import Attendance, Journal, Lesson, Mark, PeriodMark
from .services import cell_text, enrolled_on

# ---------------------------------------------------------------------------------------------
# The list of journals


@dataclass
class JournalSection:
    title: str
    journals: list[Journal]
    subsections: list[JournalSection] = field(default_factory=list)


def journal_sections(*, journals: QuerySet[Journal], user, school_wide: bool) -> list[JournalSection]:
    """«Мои журналы», «Журналы моего класса» and, for the administration, every journal of the
    school grouped by class. One query."""
    rows = list(
        journals.select_related("year", "subject", "group__school_class__class_teacher", "teacher").order_by(
            "-year__starts", "group__school_class__grade", "group__school_class__letter", "group__name", "subject__name"
        )
    )
    sections = []
    mine = [j for j in rows if j.teacher.user_id == user.pk]
    if mine:
        sections.append(JournalSection(_("Мои журналы"), mine))
    led = [
        j
        for j in rows
        if j.group.school_class is not None
        and j.group.school_class.class_teacher is not None
        and j.group.school_class.class_teacher.user_id == user.pk
    ]
    if led:
        sections.append(JournalSection(_("Журналы моего класса"), led))
    if school_wide and rows:
        by_class: dict[str, list[Journal]] = {}
        for j in rows:
            label = str(j.group.school_class) if j.group.school_class else _("Другие группы")
            if j.year.status != j.year.Status.ACTIVE:
                label = f"{label} ({j.year})"
            by_class.setdefault(label, []).append(j)
        sections.append(
            JournalSection(
                _("Все журналы школы"),
                [],
                [JournalSection(label, items) for label, items in by_class.items()],
            )
        )
    return sections


# ---------------------------------------------------------------------------------------------
# Periods


@dataclass
class YearSpan:
    """Stands in for a period when the year has none: the grid shows the whole year."""

    name: str
    starts: dt.date
    ends: dt.date
    pk: None = None


def school_work_types(journal: Journal) -> list[WorkType]:
    return list(WorkType.objects.filter(school_id=journal.school_id).order_by("order", "name"))


def year_periods(journal: Journal) -> list[Period]:
    """The attestation periods of the journal's year for its grade (ORG-2: quarters for some
    grades, half-years for others)."""
    grade = journal.grade_level
    qs = Period.objects.filter(year_id=journal.year_id, school_id=journal.school_id)
    if grade is not None:
        qs = qs.filter(grade_from__lte=grade, grade_to__gte=grade)
    return list(qs.order_by("order"))


def default_period(periods: list[Period], today: dt.date) -> Period | None:
    """The period containing today, else the nearest one."""
    if not periods:
        return None

    def distance(p):
        if p.starts <= today <= p.ends:
            return 0
        return min(abs((p.starts - today).days), abs((p.ends - today).days))

    return min(periods, key=distance)


def choose_period(journal: Journal, requested, today: dt.date) -> tuple[list[Period], Period | YearSpan]:
    periods = year_periods(journal)
    chosen = None
    if requested not in (None, ""):
        chosen = next((p for p in periods if str(p.pk) == str(requested)), None)
    chosen = chosen or default_period(periods, today)
    if chosen is None:
        chosen = YearSpan(str(journal.year), journal.year.starts, journal.year.ends)
    return periods, chosen


def period_for_date(periods: list[Period], day: dt.date) -> Period | None:
    return next((p for p in periods if p.starts <= day <= p.ends), None)


# ---------------------------------------------------------------------------------------------
# Cells


def mark_css(value: str, system: str = GradingSystem.FIVE) -> str:
    """The colour of a mark: 5/4/3/2 of the 5-point system only (a «5» of a 10-point journal is
    not an excellent mark)."""
    five = system == GradingSystem.FIVE and value in {"5", "4", "3", "2"}
    return f"mark mark-{value}" if five else "mark"


def cell_title(marks, attendance, work_types: dict[int, WorkType]) -> str:
    """Tooltip of a cell: what each mark was for."""
    parts = []
    for m in marks:
        wt = work_types.get(m.work_type_id)
        line = f"{m.value} — {wt.name if wt else ''}".strip(" —")
        if m.weight != 1:
            line += " " + _("(вес %(w)s)") % {"w": _weight(m.weight)}
        if m.comment:
            line += f": {m.comment}"
        parts.append(line)
    if attendance is not None:
        line = f"{attendance.code} — {attendance.get_kind_display()}"
        if attendance.reason:
            line += f", {attendance.get_reason_display()}"
        parts.append(line)
    return "; ".join(parts)


def _weight(w) -> str:
    text = f"{Decimal(w):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class LessonColumn:
    lesson: Lesson
    work_type: WorkType | None
    is_future: bool

    @property
    def is_cancelled(self) -> bool:
        return self.lesson.status == Lesson.Status.CANCELLED


@dataclass
class GridCell:
    column: LessonColumn
    student_id: int
    marks: list[Mark]
    attendance: Attendance | None
    member: bool
    title: str = ""
    typed: str | None = None  # what the teacher typed, when a save refused it
    error: str = ""

    @property
    def lesson(self) -> Lesson:
        return self.column.lesson

    @property
    def name(self) -> str:
        return f"c-{self.lesson.pk}-{self.student_id}"

    @property
    def text(self) -> str:
        return cell_text(self.marks, self.attendance)

    @property
    def value(self) -> str:
        return self.text if self.typed is None else self.typed

    @property
    def editable(self) -> bool:
        return self.member and not self.column.is_future and not self.column.is_cancelled

    @property
    def disabled_reason(self) -> str:
        if not self.member:
            return _("Учащийся не числился в группе на дату урока")
        if self.column.is_cancelled:
            return _("Урок отменён")
        if self.column.is_future:
            return _("Урок ещё не прошёл")
        return ""

    @property
    def css(self) -> str:
        if self.attendance is not None and not self.marks:
            return "absent"
        return mark_css(self.marks[0].value, self.marks[0].grading_system) if self.marks else ""

    @property
    def parts(self) -> list[tuple[str, str]]:
        """(text, css class) of each mark and the absence, for read-only display."""
        items = [(m.value, mark_css(m.value, m.grading_system)) for m in self.marks]
        if self.attendance is not None:
            items.append((self.attendance.code, "absent"))
        return items


@dataclass
class GridRow:
    number: int
    student: Student
    cells: list[GridCell]
    average: Decimal | None
    period_mark: str
    pm_typed: str | None = None
    pm_error: str = ""
    counts: str = ""  # JRN-4: «зач: 2, незач: 1» where marks are not averaged

    period_pk: int | None = None

    @property
    def pm_value(self) -> str:
        return self.period_mark if self.pm_typed is None else self.pm_typed

    @property
    def pm_name(self) -> str:
        return f"p-{self.period_pk}-{self.student.pk}"

    @property
    def pm_css(self) -> str:
        return mark_css(self.period_mark)

    @property
    def average_text(self) -> str:
        return format_average(self.average) or self.counts


@dataclass
class Grid:
    journal: Journal
    periods: list[Period]
    period: Period | YearSpan
    today: dt.date
    columns: list[LessonColumn]
    rows: list[GridRow]
    work_types: list[WorkType]

    @property
    def has_period_marks(self) -> bool:
        return self.period.pk is not None

    def originals(self) -> dict[str, str]:
        """Name → value as rendered, so a form post applies only what the teacher changed."""
        result = {}
        for row in self.rows:
            for cell in row.cells:
                if cell.editable:
                    result[cell.name] = cell.text
            if self.has_period_marks:
                result[row.pm_name] = row.period_mark
        return result

    def cell(self, lesson_id: int, student_id: int) -> GridCell | None:
        for row in self.rows:
            if row.student.pk == student_id:
                return next((c for c in row.cells if c.lesson.pk == lesson_id), None)
        return None

    def row(self, student_id: int) -> GridRow | None:
        return next((r for r in self.rows if r.student.pk == student_id), None)


def _members(journal: Journal, starts: dt.date, ends: dt.date) -> dict[int, list[GroupMembership]]:
    """Memberships of the students who were in the group at any time between starts and ends."""
    qs = (
        GroupMembership.objects.filter(school_id=journal.school_id, group_id=journal.group_id, starts__lte=ends)
        .filter(Q(ends__isnull=True) | Q(ends__gte=starts))
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__middle_name", "student_id", "starts")
    )
    result: dict[int, list[GroupMembership]] = {}
    for m in qs:
        result.setdefault(m.student_id, []).append(m)
    return result


def weighted_average_of(marks) -> Decimal | None:
    return weighted_average((GradingSystem.numeric(m.grading_system, m.value), m.weight) for m in marks)


def journal_grid(*, journal: Journal, period: Period | YearSpan, periods: list[Period], today: dt.date) -> Grid:
    """The grid of one period: students (members at any time of the period) × lessons."""
    work_types = school_work_types(journal)
    wt_by_id = {wt.pk: wt for wt in work_types}
    lessons = list(
        Lesson.objects.filter(
            school_id=journal.school_id, journal=journal, date__gte=period.starts, date__lte=period.ends
        ).order_by("date", "number")
    )
    columns = [LessonColumn(lesson, wt_by_id.get(lesson.work_type_id), lesson.date > today) for lesson in lessons]
    members = _members(journal, period.starts, period.ends)
    marks: dict[tuple[int, int], list[Mark]] = {}
    attendance: dict[tuple[int, int], Attendance] = {}
    by_student: dict[int, list[Mark]] = {}
    if lessons and members:
        in_period = {
            "school_id": journal.school_id,
            "lesson__journal": journal,
            "lesson__date__gte": period.starts,
            "lesson__date__lte": period.ends,
        }
        for m in Mark.objects.filter(**in_period).order_by("position", "id"):
            marks.setdefault((m.lesson_id, m.student_id), []).append(m)
            by_student.setdefault(m.student_id, []).append(m)
        for a in Attendance.objects.filter(**in_period):
            attendance[(a.lesson_id, a.student_id)] = a
    period_marks = {}
    if period.pk is not None and members:
        period_marks = {
            pm.student_id: pm.value
            for pm in PeriodMark.objects.filter(school_id=journal.school_id, journal=journal, period_id=period.pk)
        }
    rows = []
    for number, (student_id, memberships) in enumerate(members.items(), start=1):
        cells = []
        for col in columns:
            key = (col.lesson.pk, student_id)
            cell_marks = marks.get(key, [])
            att = attendance.get(key)
            cells.append(
                GridCell(
                    column=col,
                    student_id=student_id,
                    marks=cell_marks,
                    attendance=att,
                    member=enrolled_on(memberships, col.lesson.date),
                    title=cell_title(cell_marks, att, wt_by_id) if (cell_marks or att) else "",
                )
            )
        rows.append(
            GridRow(
                number=number,
                student=memberships[0].student,
                cells=cells,
                average=weighted_average_of(by_student.get(student_id, [])),
                counts=pass_fail_summary(m.value for m in by_student.get(student_id, [])),
                period_mark=period_marks.get(student_id, ""),
                period_pk=period.pk,
            )
        )
    return Grid(
        journal=journal,
        periods=periods,
        period=period,
        today=today,
        columns=columns,
        rows=rows,
        work_types=work_types,
    )


def period_average_texts(*, journal: Journal, period: Period, student_ids) -> dict[int, str]:
    """The average column's text after a save: the weighted average, or for marks that are not
    averaged (pass/fail, JRN-4) their count. One query."""
    ids = set(student_ids)
    rows: dict[int, list[tuple]] = {sid: [] for sid in ids}
    for sid, value, system, weight in Mark.objects.filter(
        school_id=journal.school_id,
        lesson__journal=journal,
        lesson__date__gte=period.starts,
        lesson__date__lte=period.ends,
        student_id__in=ids,
    ).values_list("student_id", "value", "grading_system", "weight"):
        rows[sid].append((value, system, weight))
    return {
        sid: format_average(weighted_average((GradingSystem.numeric(sy, v), w) for v, sy, w in marks))
        or pass_fail_summary(v for v, _sy, _w in marks)
        for sid, marks in rows.items()
    }


def format_average(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


# ---------------------------------------------------------------------------------------------
# One cell, one lesson column


@dataclass
class CellDetail:
    journal: Journal
    lesson: Lesson
    student: Student
    marks: list[Mark]
    attendance: Attendance | None
    member: bool
    work_types: list[WorkType]

    @property
    def text(self) -> str:
        return cell_text(self.marks, self.attendance)


def journal_lesson(*, journal: Journal, lesson_id) -> Lesson | None:
    try:
        return Lesson.objects.filter(school_id=journal.school_id, journal=journal).get(pk=int(lesson_id))
    except (Lesson.DoesNotExist, TypeError, ValueError):
        return None


def group_student(*, journal: Journal, student_id) -> Student | None:
    """A student who has ever been in the journal's group (else: not this journal's business)."""
    try:
        return (
            Student.objects.filter(
                school_id=journal.school_id,
                group_memberships__group_id=journal.group_id,
            )
            .distinct()
            .get(pk=int(student_id))
        )
    except (Student.DoesNotExist, TypeError, ValueError):
        return None


def cell_detail(*, journal: Journal, lesson: Lesson, student: Student) -> CellDetail:
    memberships = list(GroupMembership.objects.filter(group_id=journal.group_id, student=student))
    marks = list(
        Mark.objects.filter(school_id=journal.school_id, lesson=lesson, student=student)
        .select_related("work_type")
        .order_by("position", "id")
    )
    attendance = Attendance.objects.filter(school_id=journal.school_id, lesson=lesson, student=student).first()
    for m in marks:
        m.css = mark_css(m.value, m.grading_system)
    for item in (*marks, attendance):
        if item is not None:
            item.lesson = lesson  # the services log the lesson's journal: no query per item
    return CellDetail(
        journal=journal,
        lesson=lesson,
        student=student,
        marks=marks,
        attendance=attendance,
        member=enrolled_on(memberships, lesson.date),
        work_types=school_work_types(journal),
    )


@dataclass
class ColumnCell:
    number: int
    student: Student
    text: str
    member: bool


def lesson_column(*, journal: Journal, lesson: Lesson) -> list[ColumnCell]:
    """The students of one lesson with their cell, for the lesson page (links to each cell)."""
    members = _members(journal, lesson.date, lesson.date)
    marks: dict[int, list[Mark]] = {}
    for m in Mark.objects.filter(school_id=journal.school_id, lesson=lesson).order_by("position", "id"):
        marks.setdefault(m.student_id, []).append(m)
    attendance = {a.student_id: a for a in Attendance.objects.filter(school_id=journal.school_id, lesson=lesson)}
    return [
        ColumnCell(
            number=i,
            student=ms[0].student,
            text=cell_text(marks.get(sid, []), attendance.get(sid)),
            member=enrolled_on(ms, lesson.date),
        )
        for i, (sid, ms) in enumerate(members.items(), start=1)
    ]


# ---------------------------------------------------------------------------------------------
# History (ARC-1)


@dataclass
class HistoryRow:
    at: dt.datetime  # in the school's zone
    author: str
    action: str
    change: str

    @property
    def at_text(self) -> str:
        # Formatted here: the template's date filter would convert to the server's zone.
        return self.at.strftime("%d.%m.%Y %H:%M:%S")


ACTION_LABELS = {
    ("mark", "create"): gettext_lazy("Отметка поставлена"),
    ("mark", "update"): gettext_lazy("Отметка изменена"),
    ("mark", "delete"): gettext_lazy("Отметка удалена"),
    ("attendance", "create"): gettext_lazy("Отмечено отсутствие"),
    ("attendance", "update"): gettext_lazy("Посещаемость изменена"),
    ("attendance", "delete"): gettext_lazy("Отсутствие снято"),
    ("lesson", "create"): gettext_lazy("Урок добавлен"),
    ("lesson", "update"): gettext_lazy("Урок изменён"),
    ("lesson", "delete"): gettext_lazy("Урок удалён"),
    ("homework", "create"): gettext_lazy("Домашнее задание задано"),
    ("homework", "update"): gettext_lazy("Домашнее задание изменено"),
    ("homework", "delete"): gettext_lazy("Домашнее задание удалено"),
    ("period_mark", "create"): gettext_lazy("Отметка за период поставлена"),
    ("period_mark", "update"): gettext_lazy("Отметка за период изменена"),
    ("period_mark", "delete"): gettext_lazy("Отметка за период удалена"),
    ("grading_system", "update"): gettext_lazy("Система оценивания изменена"),
}


class _Describer:
    """Turns logged snapshots into plain Russian: «4 → 5, Контрольная работа»."""

    def __init__(self, work_types: dict[int, WorkType]):
        self.work_types = work_types

    def wt(self, pk) -> str:
        if pk is None:
            return _("не выбран")
        wt = self.work_types.get(pk)
        return wt.name if wt else _("вид работы №%(pk)s") % {"pk": pk}

    def mark(self, s: dict) -> str:
        text = f"{s.get('value', '')}, {self.wt(s.get('work_type'))}"
        if s.get("comment"):
            text += f" («{s['comment']}»)"
        return text

    def attendance(self, s: dict) -> str:
        kind = Attendance.Kind(s["kind"]) if s.get("kind") in Attendance.Kind.values else None
        code = "н" if kind == Attendance.Kind.ABSENT else "оп"
        text = f"{code} ({kind.label if kind else s.get('kind')})"
        if s.get("reason") in Attendance.Reason.values and s.get("reason"):
            text += f", {Attendance.Reason(s['reason']).label}"
        return text

    def period_mark(self, s: dict) -> str:
        return str(dict(PeriodValue.choices()).get(s.get("value"), s.get("value")))

    def grading_system(self, s: dict) -> str:
        code = s.get("grading_system")
        return GradingSystem.label(code) if code in GradingSystem.SYSTEMS else str(code)

    def homework(self, s: dict) -> str:
        if s.get("no_homework"):
            return _("Без задания")
        return f"«{s['homework']}»" if s.get("homework") else _("не задано")

    def lesson_fields(self, old: dict, new: dict) -> str:
        labels = {
            "date": _("Дата"),
            "number": _("Номер урока"),
            "topic": _("Тема"),
            "comment": _("Комментарий"),
            "work_type": _("Вид работы по умолчанию"),
            "status": _("Состояние"),
        }
        parts = []
        for key, label in labels.items():
            if old.get(key) == new.get(key):
                continue
            parts.append(f"{label}: {self.lesson_value(key, old.get(key))} → {self.lesson_value(key, new.get(key))}")
        return "; ".join(parts)

    def lesson_value(self, key, value) -> str:
        if key == "work_type":
            return self.wt(value)
        if key == "status":
            return str(Lesson.Status(value).label) if value in Lesson.Status.values else str(value)
        if key == "date" and value:
            return date_format(dt.date.fromisoformat(value), "d.m.Y")
        if value in (None, ""):
            return "—"
        return f"«{value}»" if key in ("topic", "comment") else str(value)

    def lesson(self, s: dict) -> str:
        text = _("%(date)s, %(number)s-й урок") % {
            "date": self.lesson_value("date", s.get("date")),
            "number": s.get("number"),
        }
        if s.get("topic"):
            text += f", «{s['topic']}»"
        return text

    def describe(self, entry: Entry) -> str:
        old, new, kind = entry.old, entry.new, entry.object_type
        one = getattr(self, kind, None)
        if kind == "lesson" and old and new:
            return self.lesson_fields(old, new)
        if one is None:
            return ""
        if old is None and new is not None:
            return one(new)
        if new is None and old is not None:
            return _("было: %(old)s") % {"old": one(old)}
        if kind == "mark" and {k for k in old if old.get(k) != new.get(k)} <= {"value"}:
            return f"{old.get('value')} → {new.get('value')}, {self.wt(new.get('work_type'))}"
        return f"{one(old)} → {one(new)}"


def history_rows(*, entries, school, work_types: list[WorkType] | None = None) -> list[HistoryRow]:
    if work_types is None:
        work_types = list(WorkType.objects.filter(school_id=school.pk))
    describer = _Describer({wt.pk: wt for wt in work_types})
    zone = ZoneInfo(school.timezone)
    rows = []
    for e in entries:
        rows.append(
            HistoryRow(
                at=timezone.localtime(e.at, zone),
                author=e.author.display_name if e.author else _("система"),
                action=str(ACTION_LABELS.get((e.object_type, e.action), e.get_action_display())),
                change=describer.describe(e),
            )
        )
    return rows
