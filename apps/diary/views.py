"""The electronic diary for parents and students (DIA-1, DIA-2, DIA-3). Read-only (JRN-10):
every view answers GET only. Whose diary may be read is decided in apps.accounts.access."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.accounts import access
from apps.accounts.models import Role
from apps.events.selectors import student_exam_choices
from apps.journal.services import school_today
from apps.ops import pagecache
from config.replica import replica_reads

from . import cache, selectors

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def _children(request, today: dt.date) -> list[tuple]:
    """(student, class) of every diary this user may read, for the list and the switcher."""
    students = access.diary_students_list(request)
    if not students:
        return []
    classes = cache.current_classes(school=request.school, student_ids=[s.pk for s in students], day=today)
    return [(s, classes.get(s.pk)) for s in students]


def _diary_of(request, student_id: int, today: dt.date) -> tuple:
    """The diary asked for (404 unless this user may read it) and every diary the user may read,
    for the switcher: both from access.diary_students, in one query instead of two."""
    children = _children(request, today)
    student = next((s for s, _class in children if s.pk == student_id), None)
    if student is None:
        raise Http404
    return student, children


def _children_key(children) -> str:
    """What the diary's header shows of the diaries this user may read (names and classes)."""
    return repr([(s.pk, s.last_name, s.first_name, str(c or ""), getattr(c, "grade", None)) for s, c in children])


def _student_context(student, children, today: dt.date, switch_query: str) -> dict:
    return {
        "student": student,
        "student_class": next((c for s, c in children if s.pk == student.pk), None),
        "children": children,
        "switch_query": switch_query,
        "today": today,
    }


@login_required
@require_GET
def index(request):
    """A single diary opens at once; a parent of several children chooses one."""
    today = school_today(request.school) if request.school else dt.date.today()
    children = _children(request, today) if request.school else []
    if len(children) == 1:
        return redirect("diary:week", student_id=children[0][0].pk)
    if not children and not access.roles(request) & {Role.PARENT, Role.STUDENT}:
        raise Http404
    return render(request, "diary/index.html", {"children": children})


def _requested_day(request, today: dt.date) -> tuple[dt.date, bool]:
    raw = request.GET.get("date", "").strip()
    if not raw:
        return today, False
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return today, True
    if not EARLIEST <= day <= LATEST:
        return today, True
    return day, False


@login_required
@replica_reads
@require_GET
def week(request, student_id: int):
    if request.school is None:
        raise Http404
    today = school_today(request.school)
    student, children = _diary_of(request, student_id, today)
    day, date_error = _requested_day(request, today)
    monday = selectors.week_monday(day)

    def days_context() -> dict:
        return {"week": selectors.diary_week(student=student, monday=monday), "today": today}

    # The page as rendered, from the cache when nothing it shows changed (issue 5); the access
    # check above ran anyway. The days alone are kept too, for every reader of the student.
    key = cache.week_key(student=student, monday=monday, today=today, school=request.school)

    def page_context() -> dict:
        week = selectors.DiaryWeek(student=student, monday=monday, days=[])
        context = _student_context(student, children, today, f"?date={week.monday.isoformat()}")
        context.update(
            week_days_html=pagecache.fragment(request, key, "diary/_week_days.html", days_context, token=False),
            week=week,
            date_error=date_error,
            is_current_week=week.monday <= today <= week.saturday,
            chosen_day=day,
        )
        return context

    page_key = f"{key}:{_children_key(children)}:{day.isoformat()}:{int(date_error)}"
    return pagecache.page(request, page_key, "diary/week.html", page_context)


@login_required
@replica_reads
@require_GET
def marks(request, student_id: int):
    if request.school is None:
        raise Http404
    today = school_today(request.school)
    student, children = _diary_of(request, student_id, today)
    period_id = None
    if "period" in request.GET:
        try:
            period_id = int(request.GET["period"])
        except ValueError:
            raise Http404 from None
    student_class = next((c for s, c in children if s.pk == student.pk), None)
    # ORG-2: the periods of the student's grade (half-years in grades 10–11 when the school uses them).
    choice = cache.diary_periods(
        school=request.school,
        today=today,
        period_id=period_id,
        grade=student_class.grade if student_class is not None else None,
    )
    if period_id is not None and choice.current is None:
        raise Http404
    period = choice.current
    switch_query = f"?period={period.pk}" if period else ""
    # The table as rendered, from the cache while nothing in it changed (issue 5); the page around
    # it too, for this reader.
    key = cache.marks_key(student=student, period=period, school=request.school) if period else "no-period"

    def table_context() -> dict:
        return {"period": period, "rows": selectors.marks_by_subject(student=student, period=period)}

    def page_context() -> dict:
        context = _student_context(student, children, today, switch_query)
        context.update(periods=choice.periods, period=period)
        if period is not None:
            context["marks_html"] = pagecache.fragment(
                request, key, "diary/_marks_table.html", table_context, token=False
            )
        return context

    periods_key = repr([(p.pk, p.name) for p in choice.periods])
    page_key = f"marks-page:{key}:{_children_key(children)}:{periods_key}"
    return pagecache.page(request, page_key, "diary/marks.html", page_context)


@login_required
@replica_reads
@require_GET
def exams(request, student_id: int):
    """The student's exam choices (ORG-11, DIA-2): only his own, for his parents and himself (DIA-3)."""
    if request.school is None:
        raise Http404
    today = school_today(request.school)
    student, children = _diary_of(request, student_id, today)
    context = _student_context(student, children, today, "")
    context.update(choices=student_exam_choices(student=student))
    return render(request, "diary/exams.html", context)
