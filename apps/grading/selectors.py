"""Reads of the grading settings (JRN-4): the system of a subject in a grade, the school's
systems, rules and scales, and a journal's results read in another system."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from apps.journal.grading import GradingSystem, PeriodValue, pass_fail_summary, weighted_average
from apps.journal.models import Journal, Mark, PeriodMark
from apps.journal.selectors import year_periods
from apps.people.models import GroupMembership
from apps.schools.models import AcademicYear

from .models import ConversionBand, ConversionScale, SchoolSystem, SubjectGrading

# The ranges of the systems whose values are numbers (a scale covers its source's whole range).
RANGES = {
    GradingSystem.FIVE: (2, 5),
    GradingSystem.TEN: (1, 10),
    GradingSystem.HUNDRED: (0, 100),
}

# The scales a school is offered ready-made (JRN-4): (from, to) → [(low, high, value), …].
DEFAULT_SCALES = {
    (GradingSystem.HUNDRED, GradingSystem.FIVE): [(85, 100, "5"), (65, 84, "4"), (45, 64, "3"), (0, 44, "2")],
    (GradingSystem.TEN, GradingSystem.FIVE): [(9, 10, "5"), (7, 8, "4"), (4, 6, "3"), (1, 3, "2")],
    (GradingSystem.FIVE, GradingSystem.PASS_FAIL): [(3, 5, "зач"), (2, 2, "незач")],
}


def system_for(*, school, subject, grade) -> str:
    """The grading system of `subject` in `grade` at `school`: the matching rule's, else the
    5-point system. The curriculum calls this when it creates a journal. One query."""
    if grade is None or subject is None:
        return GradingSystem.FIVE
    rule = (
        SubjectGrading.objects.filter(
            school_id=getattr(school, "pk", school),
            subject_id=getattr(subject, "pk", subject),
            grade_from__lte=grade,
            grade_to__gte=grade,
        )
        .order_by("grade_to", "pk")
        .first()
    )
    return rule.system if rule is not None else GradingSystem.FIVE


def school_systems(*, school) -> list[str]:
    """The systems the school uses, in the order of GradingSystem (the 5-point one always)."""
    used = set(SchoolSystem.objects.filter(school=school).values_list("system", flat=True)) | {GradingSystem.FIVE}
    return [code for code in GradingSystem.SYSTEMS if code in used]


def subject_rules(*, school) -> list[SubjectGrading]:
    qs = SubjectGrading.objects.filter(school=school).select_related("subject")
    return list(qs.order_by("subject__name", "grade_from", "pk"))


def scales(*, school) -> list[ConversionScale]:
    """The school's scales with their bands (two queries), in the order of the systems."""
    order = list(GradingSystem.SYSTEMS)
    items = list(ConversionScale.objects.filter(school=school).prefetch_related("bands"))
    items.sort(key=lambda s: (order.index(s.from_system), order.index(s.to_system)))
    return items


def scale_for(*, school, from_system: str, to_system: str) -> ConversionScale | None:
    return (
        ConversionScale.objects.filter(school=school, from_system=from_system, to_system=to_system)
        .prefetch_related("bands")
        .first()
    )


def missing_defaults(*, school, existing: list[ConversionScale] | None = None) -> list[tuple[str, str]]:
    """The ready-made scales the school has not set up yet."""
    if existing is None:
        existing = scales(school=school)
    have = {(s.from_system, s.to_system) for s in existing}
    return [pair for pair in DEFAULT_SCALES if pair not in have]


def rounded(average: Decimal) -> int:
    """An average read as a whole value of its system: arithmetic rounding (84,5 → 85)."""
    return int(Decimal(average).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def band_for(bands, number: int) -> ConversionBand | None:
    return next((b for b in bands if b.low <= number <= b.high), None)


# ---------------------------------------------------------------------------------------------
# Journals and rules


@dataclass
class RuleJournal:
    journal: Journal
    marks: int
    period_marks: int
    reason: str = ""

    @property
    def changeable(self) -> bool:
        return not self.reason


@dataclass
class RulePreview:
    rule: SubjectGrading
    change: list[RuleJournal] = field(default_factory=list)  # will take the rule's system
    refused: list[RuleJournal] = field(default_factory=list)  # keep theirs, with the reason
    already: list[RuleJournal] = field(default_factory=list)  # have the rule's system


def rule_journals(*, rule: SubjectGrading) -> RulePreview:
    """The journals of the rule's subject in its grades (years not closed), sorted into those that
    will take the rule's system, those that have it already, and those that cannot: a journal with
    current marks, or with period marks the new system does not allow (JRN-7). Two queries."""
    grade = Q(group__grade__gte=rule.grade_from, group__grade__lte=rule.grade_to) | Q(
        group__grade__isnull=True,
        group__school_class__grade__gte=rule.grade_from,
        group__school_class__grade__lte=rule.grade_to,
    )
    journals = list(
        Journal.objects.filter(school_id=rule.school_id, subject_id=rule.subject_id)
        .exclude(year__status=AcademicYear.Status.CLOSED)
        .filter(grade)
        .select_related("year", "group__school_class", "subject", "teacher")
        .annotate(n_marks=Count("lessons__marks"))
        .order_by("year__starts", "group__name", "pk")
    )
    period_allowed = list(PeriodValue.allowed_for(rule.system))
    foreign_period = dict(
        PeriodMark.objects.filter(school_id=rule.school_id, journal__in=[j.pk for j in journals])
        .exclude(value__in=period_allowed)
        .values("journal_id")
        .annotate(n=Count("pk"))
        .values_list("journal_id", "n")
    )
    preview = RulePreview(rule=rule)
    for j in journals:
        item = RuleJournal(journal=j, marks=j.n_marks, period_marks=foreign_period.get(j.pk, 0))
        if j.grading_system == rule.system:
            preview.already.append(item)
            continue
        reasons = []
        if item.marks:
            reasons.append(_("в журнале уже есть текущие отметки (%(n)d)") % {"n": item.marks})
        if item.period_marks:
            reasons.append(
                _("в журнале есть отметки за период, которых нет в новой системе (%(n)d)") % {"n": item.period_marks}
            )
        item.reason = "; ".join(reasons)
        (preview.refused if item.reason else preview.change).append(item)
    return preview


def other_system_journals(*, school) -> list[Journal]:
    """Journals of the open years kept in a system other than the 5-point one (to reach their results)."""
    return list(
        Journal.objects.filter(school=school)
        .exclude(grading_system=GradingSystem.FIVE)
        .exclude(year__status=AcademicYear.Status.CLOSED)
        .select_related("subject", "group", "year")
        .order_by("group__name", "subject__name")
    )


# ---------------------------------------------------------------------------------------------
# A journal's results in another system


@dataclass
class ResultCell:
    average: Decimal | None = None
    rounded: int | None = None
    converted: str = ""
    band: ConversionBand | None = None
    passed: int = 0  # pass/fail journals: counts instead of an average
    failed: int = 0
    period_mark: str = ""

    @property
    def average_text(self) -> str:
        return "" if self.average is None else f"{self.average:.2f}".replace(".", ",")

    @property
    def counts_text(self) -> str:
        return pass_fail_summary(["зач"] * self.passed + ["незач"] * self.failed)


@dataclass
class ResultRow:
    student: object
    cells: list[ResultCell]


@dataclass
class JournalResults:
    journal: Journal
    periods: list
    rows: list[ResultRow]
    to_system: str | None
    scale: ConversionScale | None
    targets: list[str]  # systems the journal's results may be read in (a scale exists)

    @property
    def pass_fail(self) -> bool:
        return self.journal.grading_system == GradingSystem.PASS_FAIL

    @property
    def from_label(self) -> str:
        return GradingSystem.label(self.journal.grading_system)

    @property
    def to_label(self) -> str:
        return GradingSystem.label(self.to_system) if self.to_system else ""

    @property
    def bands(self) -> list[ConversionBand]:
        return list(self.scale.bands.all()) if self.scale else []


def journal_results(*, journal: Journal, to_system: str | None) -> JournalResults:
    """Each student's weighted average per period of the journal, in its own system and read in
    `to_system` by the school's scale (the band used beside it); for a pass/fail journal the
    counts of «зач» and «незач». A bounded number of queries whatever the size of the journal."""
    periods = [p for p in year_periods(journal) if p.covers_grade(journal.grade_level)]
    targets = list(
        ConversionScale.objects.filter(school_id=journal.school_id, from_system=journal.grading_system)
        .order_by("to_system")
        .values_list("to_system", flat=True)
    )
    order = list(GradingSystem.SYSTEMS)
    targets.sort(key=order.index)
    if to_system not in targets:
        to_system = targets[0] if targets else None
    scale = (
        scale_for(school=journal.school_id, from_system=journal.grading_system, to_system=to_system)
        if to_system
        else None
    )
    bands = list(scale.bands.all()) if scale else []
    year = journal.year
    members: dict[int, object] = {}
    for m in (
        GroupMembership.objects.filter(school_id=journal.school_id, group_id=journal.group_id, starts__lte=year.ends)
        .filter(Q(ends__isnull=True) | Q(ends__gte=year.starts))
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__middle_name", "student_id")
    ):
        members.setdefault(m.student_id, m.student)
    marks: dict[tuple[int, int], list[tuple]] = {}
    period_of = sorted(periods, key=lambda p: p.starts)
    for sid, day, value, system, weight in Mark.objects.filter(
        school_id=journal.school_id, lesson__journal=journal, lesson__date__range=(year.starts, year.ends)
    ).values_list("student_id", "lesson__date", "value", "grading_system", "weight"):
        period = next((p for p in period_of if p.starts <= day <= p.ends), None)
        if period is not None:
            marks.setdefault((sid, period.pk), []).append((value, system, weight))
    period_marks = {
        (pm.student_id, pm.period_id): pm.value
        for pm in PeriodMark.objects.filter(school_id=journal.school_id, journal=journal)
    }
    rows = []
    for sid, student in members.items():
        cells = []
        for p in periods:
            items = marks.get((sid, p.pk), [])
            cell = ResultCell(period_mark=period_marks.get((sid, p.pk), ""))
            cell.passed = sum(1 for value, _s, _w in items if value == "зач")
            cell.failed = sum(1 for value, _s, _w in items if value == "незач")
            cell.average = weighted_average((GradingSystem.numeric(s, v), w) for v, s, w in items)
            if cell.average is not None and bands:
                cell.rounded = rounded(cell.average)
                cell.band = band_for(bands, cell.rounded)
                cell.converted = cell.band.value if cell.band else ""
            cells.append(cell)
        rows.append(ResultRow(student=student, cells=cells))
    return JournalResults(
        journal=journal, periods=periods, rows=rows, to_system=to_system, scale=scale, targets=targets
    )
