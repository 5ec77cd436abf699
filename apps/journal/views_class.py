"""The class teacher's daily review of absences (JRN-5, JRN-11).

Subject teachers mark «н» and «оп» in their journals; the class teacher cannot write those
journals, so she reviews her class here — students × the day's lessons of every subject — and
records why each absence happened. Access comes from
apps.accounts.access.get_class_for_attendance: the class teacher writes, the administration
reads, everybody else gets 404. The page reads in a fixed number of queries, whatever the
number of students or days; each reason is written through services.attendance_reason_set
(logged in the change log), each in its own savepoint so one refused row keeps the others.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts import access
from apps.audit import services as audit
from apps.diary import cache as diary_cache
from apps.ops import pagecache
from apps.people.models import Enrolment, GroupMembership, Student
from apps.schools.models import SchoolClass

from . import services
from .locking import ConcurrentWriteFailed, journal_write, retry_once
from .models import Attendance, Journal, Lesson

MAX_DAYS = 31  # the longest range on one page: a month
MAX_ROWS_PER_SAVE = 3000
REASON_FIELD = re.compile(r"r-(\d{1,15})")
ILLNESS_DAY = re.compile(r"(\d{1,15}):(\d{4}-\d{2}-\d{2})")


def reason_choices() -> list[tuple[str, str]]:
    """The options of a reason select, in the order the class teacher picks them."""
    R = Attendance.Reason
    return [
        (R.ILLNESS, R.ILLNESS.label),
        (R.EXCUSED, R.EXCUSED.label),
        (R.UNEXCUSED, R.UNEXCUSED.label),
        (R.UNKNOWN, _("не указана")),
    ]


# ---------------------------------------------------------------------------------------------
# Reading the class's attendance for a span of days (a fixed number of queries)


def _active(starts: dt.date, ends: dt.date | None, day: dt.date) -> bool:
    return starts <= day and (ends is None or ends >= day)


@dataclass
class AttendanceCell:
    lesson: Lesson
    member: bool  # the student was in the lesson's group that day
    attendance: Attendance | None = None
    error: str = ""


@dataclass
class AttendanceRow:
    number: int
    student: Student
    cells: list[AttendanceCell]

    @property
    def missed(self) -> int:
        """Lessons missed that day: «н» only; a late arrival is not a missed lesson."""
        return sum(1 for c in self.cells if c.attendance is not None and c.attendance.kind == Attendance.Kind.ABSENT)

    @property
    def late(self) -> int:
        return sum(1 for c in self.cells if c.attendance is not None and c.attendance.kind == Attendance.Kind.LATE)


@dataclass
class AttendanceDay:
    date: dt.date
    lessons: list[Lesson]
    rows: list[AttendanceRow]

    @property
    def missed(self) -> int:
        return sum(r.missed for r in self.rows)


@dataclass
class ClassAttendance:
    school_class: SchoolClass
    starts: dt.date
    ends: dt.date
    days: list[AttendanceDay]
    unexplained: list[Attendance] = field(default_factory=list)  # «н» without a reason, by date
    absences: int = 0  # «н» in the span
    marked: int = 0  # «н» and «оп» in the span: the rows that have a reason select

    @property
    def single_day(self) -> bool:
        return self.starts == self.ends

    def cell(self, attendance_id: int) -> AttendanceCell | None:
        for day in self.days:
            for row in day.rows:
                for c in row.cells:
                    if c.attendance is not None and c.attendance.pk == attendance_id:
                        return c
        return None


def class_attendance(*, school_class: SchoolClass, starts: dt.date, ends: dt.date) -> ClassAttendance:
    """Every lesson of the class's journals (whole class and subgroups) between starts and
    ends, day by day, with the students of the class that day and their «н»/«оп». Four queries."""
    school_id = school_class.school_id
    overlaps = Q(starts__lte=ends) & (Q(ends__isnull=True) | Q(ends__gte=starts))
    enrolments = list(
        Enrolment.objects.filter(overlaps, school_id=school_id, school_class=school_class)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__middle_name", "student_id", "starts")
    )
    memberships: dict[tuple[int, int], list[GroupMembership]] = {}
    for m in GroupMembership.objects.filter(overlaps, school_id=school_id, group__school_class=school_class):
        memberships.setdefault((m.group_id, m.student_id), []).append(m)
    lessons = list(
        Lesson.objects.filter(
            school_id=school_id, journal__group__school_class=school_class, date__gte=starts, date__lte=ends
        )
        .select_related("journal__subject", "journal__group")
        .order_by("date", "number", "journal__subject__name", "journal__group__name", "pk")
    )
    attendance = {
        (a.lesson_id, a.student_id): a
        for a in Attendance.objects.filter(
            school_id=school_id,
            lesson__journal__group__school_class=school_class,
            lesson__date__gte=starts,
            lesson__date__lte=ends,
        ).select_related("student")
    }
    lessons_by_id = {lesson.pk: lesson for lesson in lessons}
    for a in attendance.values():
        a.lesson = lessons_by_id[a.lesson_id]

    by_day: dict[dt.date, list[Lesson]] = {}
    for lesson in lessons:
        by_day.setdefault(lesson.date, []).append(lesson)
    absent_by_day: dict[dt.date, dict[int, Student]] = {}
    for a in attendance.values():
        absent_by_day.setdefault(a.lesson.date, {})[a.student_id] = a.student

    days = []
    span = (ends - starts).days + 1
    for offset in range(span):
        day = starts + dt.timedelta(days=offset)
        day_lessons = by_day.get(day, [])
        if not day_lessons and span > 1:
            continue  # a range shows the school days only
        students: dict[int, Student] = {}
        for e in enrolments:
            if _active(e.starts, e.ends, day):
                students.setdefault(e.student_id, e.student)
        # Someone marked absent who has since left the class still shows up, so nothing hides.
        extra = [s for sid, s in absent_by_day.get(day, {}).items() if sid not in students]
        ordered = list(students.values()) + sorted(extra, key=lambda s: (s.last_name, s.first_name, s.pk))
        rows = []
        for number, student in enumerate(ordered, start=1):
            cells = []
            for lesson in day_lessons:
                member = any(
                    _active(m.starts, m.ends, day) for m in memberships.get((lesson.journal.group_id, student.pk), [])
                )
                cells.append(AttendanceCell(lesson, member, attendance.get((lesson.pk, student.pk))))
            rows.append(AttendanceRow(number, student, cells))
        days.append(AttendanceDay(day, day_lessons, rows))

    absences = [a for a in attendance.values() if a.kind == Attendance.Kind.ABSENT]
    unexplained = sorted(
        (a for a in absences if a.reason == Attendance.Reason.UNKNOWN),
        key=lambda a: (a.lesson.date, a.student.last_name, a.student.first_name, a.student_id, a.lesson.number),
    )
    return ClassAttendance(school_class, starts, ends, days, unexplained, len(absences), len(attendance))


# ---------------------------------------------------------------------------------------------
# The span of days asked for: ?date=YYYY-MM-DD, or ?from=…&to=…; today by default


def _parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def requested_span(params, today: dt.date) -> tuple[dt.date, dt.date, list[str]]:
    notes = []
    if params.get("from") or params.get("to"):
        starts, ends = _parse_date(params.get("from")), _parse_date(params.get("to"))
        if starts is None and ends is None:
            notes.append(_("Неверно указаны даты: показан сегодняшний день."))
            return today, today, notes
        starts, ends = starts or ends, ends or starts
        if starts > ends:
            starts, ends = ends, starts
        if (ends - starts).days >= MAX_DAYS:
            ends = starts + dt.timedelta(days=MAX_DAYS - 1)
            notes.append(
                _("За один раз показывается не больше %(n)d дней: показаны дни с %(from)s по %(to)s.")
                % {"n": MAX_DAYS, "from": date_format(starts, "d.m.Y"), "to": date_format(ends, "d.m.Y")}
            )
        return starts, ends, notes
    if params.get("date"):
        day = _parse_date(params.get("date"))
        if day is None:
            notes.append(_("Неверно указана дата: показан сегодняшний день."))
            return today, today, notes
        return day, day, notes
    return today, today, notes


def _page_url(school_class, starts: dt.date, ends: dt.date) -> str:
    url = reverse("journal:class_attendance", args=[school_class.pk])
    if starts == ends:
        return f"{url}?{urlencode({'date': starts.isoformat()})}"
    return f"{url}?{urlencode({'from': starts.isoformat(), 'to': ends.isoformat()})}"


def _quick_links(school_class, today: dt.date, starts: dt.date, ends: dt.date) -> list[tuple[str, str, bool]]:
    yesterday = today - dt.timedelta(days=1)
    monday = today - dt.timedelta(days=today.weekday())
    links = [
        (_("Сегодня"), today, today),
        (_("Вчера"), yesterday, yesterday),
        (_("Эта неделя"), monday, today),
    ]
    return [(label, _page_url(school_class, s, e), (s, e) == (starts, ends)) for label, s, e in links]


# ---------------------------------------------------------------------------------------------
# Saving the reasons: one form, each row in its own savepoint


@dataclass
class SaveOutcome:
    changed: int = 0
    errors: list[str] = field(default_factory=list)
    error_ids: dict[int, str] = field(default_factory=dict)


def _row_label(a: Attendance) -> str:
    return _("%(student)s, %(date)s, %(number)d-й урок (%(subject)s)") % {
        "student": a.student.short_name,
        "date": date_format(a.lesson.date, "d.m.Y"),
        "number": a.lesson.number,
        "subject": a.lesson.journal.subject,
    }


@retry_once
def save_reasons(*, school_class: SchoolClass, post, author) -> SaveOutcome:
    """Apply the reasons of the form (fields r-<attendance id>) and, when pressed, «весь день по
    болезни» for one student (illness_day=<student id>:<date>): every «н» of that student that
    day, whatever the selects said."""
    outcome = SaveOutcome()
    reasons: dict[int, str] = {}
    for name in post:
        match = REASON_FIELD.fullmatch(name)
        if match:
            reasons[int(match[1])] = post.get(name, "")
    illness = None
    if post.get("illness_day"):
        match = ILLNESS_DAY.fullmatch(post["illness_day"])
        day = _parse_date(match[2]) if match else None
        if day is None:
            outcome.errors.append(_("Не удалось понять, за какой день отметить пропуски по болезни."))
        else:
            illness = (int(match[1]), day)
    if len(reasons) > MAX_ROWS_PER_SAVE:
        outcome.errors.append(_("Слишком много строк в одном сохранении."))
        return outcome

    in_class = Attendance.objects.filter(
        school_id=school_class.school_id, lesson__journal__group__school_class=school_class
    )
    wanted = Q(pk__in=list(reasons))
    if illness is not None:
        wanted |= Q(student_id=illness[0], lesson__date=illness[1], kind=Attendance.Kind.ABSENT)
    # The class's journals (whole class and subgroups), locked in ascending order before their
    # absences are read (apps.journal.locking): a subject teacher's save of the same lesson waits.
    journal_ids = Journal.objects.filter(
        school_id=school_class.school_id, group__school_class=school_class
    ).values_list("pk", flat=True)

    with journal_write(list(journal_ids)), audit.batch():
        found = {a.pk: a for a in in_class.filter(wanted).select_related("lesson__journal__subject", "student")}
        if illness is not None:
            day_absences = [
                a
                for a in found.values()
                if (a.student_id, a.lesson.date) == illness and a.kind == Attendance.Kind.ABSENT
            ]
            if not day_absences:
                outcome.errors.append(_("У учащегося нет пропусков в этот день."))
            for a in day_absences:
                reasons[a.pk] = Attendance.Reason.ILLNESS

        def order(pk):
            a = found.get(pk)
            return (0, a.lesson.date, a.student.last_name, a.student_id, a.lesson.number) if a else (1, pk)

        for pk in sorted(reasons, key=order):
            a = found.get(pk)
            if a is None:
                outcome.errors.append(
                    _("Пропуск не найден в журналах класса: возможно, учитель уже снял отметку «н». Обновите страницу.")
                )
                continue
            before = a.reason
            try:
                with transaction.atomic(), audit.batch():
                    services.attendance_reason_set(attendance=a, reason=reasons[pk], author=author)
            except ValidationError as exc:
                a.reason = before
                message = " ".join(str(m) for m in exc.messages)
                outcome.errors.append(f"{_row_label(a)}: {message}")
                outcome.error_ids[pk] = message
                continue
            if a.reason != before:
                outcome.changed += 1
    return outcome


# ---------------------------------------------------------------------------------------------
# The page


@login_required
@require_http_methods(["GET", "POST"])
def class_attendance_page(request, class_id):
    if not access.is_staff(request):
        raise Http404  # students and parents never reach the journal pages
    school_class, can_write = access.get_class_for_attendance(request, class_id)
    today = services.school_today(school_class.school)
    starts, ends, notes = requested_span(request.GET, today)
    for note in notes:
        messages.warning(request, note)

    outcome = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        try:
            outcome = save_reasons(school_class=school_class, post=request.POST, author=request.user)
        except ConcurrentWriteFailed as exc:
            outcome = SaveOutcome(errors=list(exc.messages))
        if outcome.changed:
            messages.success(request, _("Сохранено причин пропусков: %(n)d.") % {"n": outcome.changed})
        elif not outcome.errors:
            messages.info(request, _("Изменений нет."))
        if not outcome.errors:
            return HttpResponseRedirect(_page_url(school_class, starts, ends))
        messages.error(request, _("Не сохранено строк: %(n)d — см. список ниже.") % {"n": len(outcome.errors)})

    def body_context(outcome=None) -> dict:
        report = class_attendance(school_class=school_class, starts=starts, ends=ends)
        if outcome is not None:
            for pk, message in outcome.error_ids.items():
                cell = report.cell(pk)
                if cell is not None:
                    cell.error = message
        return {
            "school_class": school_class,
            "can_write": can_write,
            "year_closed": school_class.year.status == school_class.year.Status.CLOSED,
            "report": report,
            "today": today,
            "quick_links": _quick_links(school_class, today, starts, ends),
            "previous_day": _page_url(school_class, starts - dt.timedelta(days=1), starts - dt.timedelta(days=1)),
            "next_day": _page_url(school_class, ends + dt.timedelta(days=1), ends + dt.timedelta(days=1)),
            "reasons": reason_choices(),
            "errors": outcome.errors if outcome else [],
            "action": _page_url(school_class, starts, ends),
        }

    if outcome is not None:  # a refused save: rendered afresh with the reasons
        return render(request, "journal/class_attendance.html", body_context(outcome))
    # The body as rendered, from the cache while none of the class's journals and nothing else it
    # shows changed (issue 5; the key: apps.diary.cache.class_attendance_key).
    key = diary_cache.class_attendance_key(
        school_class=school_class, school=request.school, starts=starts, ends=ends, today=today, can_write=can_write
    )

    def page_context() -> dict:
        body = pagecache.fragment(request, key, "journal/_class_attendance_body.html", body_context, token=False)
        return {"school_class": school_class, "page_body": body}

    # The page around the body shows the class's name (in the school's data version) and the layout.
    return pagecache.page(request, key, "journal/class_attendance.html", page_context)
