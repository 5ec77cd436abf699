"""The timetable pages (ORG-7, ORG-8): bells, the weekly timetable and the lessons made from it,
one-off changes of a lesson, substitutions and their report. Each view checks the function of
apps.rights.registry it belongs to (404 without it) and takes every object within request.school
(404 outside it). Reads come from selectors, writes go through services."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import access
from apps.journal.models import Journal, Lesson
from apps.ops import days, xlsx
from apps.people.models import Staff
from apps.registration.deadlines import school_today
from apps.rights import registry as rights
from apps.schools.models import Group, SchoolClass

from . import selectors, services, spreadsheets
from .forms import (
    BellDaysForm,
    EndForm,
    EntryForm,
    GenerateForm,
    MoveForm,
    ReportForm,
    RoomForm,
    ScheduleForm,
    SubstitutionForm,
)
from .models import BellSchedule, BellScheduleDay, Substitution, TimetableEntry

MAX_CONFLICTS_SHOWN = 20
TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _need(request, function: str) -> None:
    if not access.can(request, function):
        raise Http404


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _errors(request, exc: ValidationError, prefix: str = "") -> None:
    for message in exc.messages:
        messages.error(request, f"{prefix}{message}")


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _report_generation(request, result: services.GenerationResult) -> None:
    """What a generation or regeneration did, and the lessons left for a person to look at."""
    if result.created or result.removed or result.rooms:
        parts = []
        if result.created:
            parts.append(ngettext("создан %(n)d урок", "создано уроков: %(n)d", result.created) % {"n": result.created})
        if result.removed:
            parts.append(
                ngettext("удалён %(n)d пустой урок", "удалено пустых уроков: %(n)d", result.removed)
                % {"n": result.removed}
            )
        if result.rooms:
            parts.append(
                ngettext("у %(n)d урока изменён кабинет", "изменён кабинет у уроков: %(n)d", result.rooms)
                % {"n": result.rooms}
            )
        messages.success(request, _("Уроки в журналах: %(what)s.") % {"what": ", ".join(parts)})
    for conflict in result.conflicts[:MAX_CONFLICTS_SHOWN]:
        messages.warning(request, conflict)
    if len(result.conflicts) > MAX_CONFLICTS_SHOWN:
        messages.warning(request, _("И ещё конфликтов: %(n)d.") % {"n": len(result.conflicts) - MAX_CONFLICTS_SHOWN})


def _render(request, template, context):
    """Every page of the app: the way back to «Управление» and to its sibling pages the user may open."""
    links = [
        ("timetable:index", _("Расписание уроков"), rights.TIMETABLE_MANAGE),
        ("timetable:bells", _("Звонки"), rights.TIMETABLE_MANAGE),
        ("timetable:substitutions", _("Замены"), rights.SUBSTITUTIONS_MANAGE),
        ("timetable:substitution_report", _("Отчёт о заменах"), rights.SCHOOL_REPORTS),
    ]
    context["tt_links"] = [(reverse(name), label) for name, label, fn in links if access.can(request, fn)]
    return render(request, template, context)


def _year(request):
    year = selectors.current_year(request.school)
    if year is None:
        raise Http404
    return year


# ---------------------------------------------------------------------------------------------
# Bells


def _parse_times(post, prefix: str) -> tuple[list, list[str]]:
    """The rows «n-<i>», «s-<i>», «e-<i>» of a bell table; an empty row is skipped."""
    rows, errors = [], []
    indexes = sorted({int(k.split("-", 1)[1]) for k in post if re.fullmatch(rf"{prefix}n-\d+", k)})
    for i in indexes:
        raw_n, raw_s, raw_e = (post.get(f"{prefix}{f}-{i}", "").strip() for f in ("n", "s", "e"))
        if not (raw_s or raw_e):
            continue
        number = _int(raw_n)
        times = []
        for raw in (raw_s, raw_e):
            m = TIME.match(raw)
            try:
                times.append(dt.time(int(m[1]), int(m[2])) if m else None)
            except ValueError:
                times.append(None)
        if number is None or None in times:
            errors.append(
                _("Строка %(row)d: укажите номер урока и время в виде 08:30.") % {"row": len(rows) + len(errors) + 1}
            )
            continue
        rows.append((number, times[0], times[1]))
    return rows, errors


@login_required
@require_http_methods(["GET", "POST"])
def bells(request):
    """ORG-7: the ordinary bell schedule, the others (e.g. shortened days) and their dates."""
    _need(request, rights.TIMETABLE_MANAGE)
    school = request.school
    if request.method == "POST":
        _bells_post(request, school)
        return HttpResponseRedirect(reverse("timetable:bells"))
    tables = selectors.bell_tables(school=school)
    schedules = [t.schedule for t in tables if t.schedule is not None]
    for table in tables:
        table.rows = [(i + 1, slot) for i, slot in enumerate(table.slots)]
        top = max([8] + [s.number for s in table.slots])
        table.blank = list(range(len(table.slots) + 1, top + 3))
    return _render(
        request,
        "timetable/bells.html",
        {
            "tables": tables,
            "schedule_form": ScheduleForm(),
            "days_form": BellDaysForm(schedules=schedules) if schedules else None,
        },
    )


def _schedule(school, pk) -> BellSchedule:
    try:
        return BellSchedule.objects.get(school=school, pk=_int(pk))
    except BellSchedule.DoesNotExist:
        raise Http404 from None


def _bells_post(request, school) -> None:
    action = request.POST.get("action")
    try:
        if action == "save":
            schedule = _schedule(school, request.POST["schedule"]) if request.POST.get("schedule") else None
            rows, errors = _parse_times(request.POST, "")
            if errors:
                for e in errors:
                    messages.error(request, e)
                return
            n = services.bells_save(school=school, rows=rows, schedule=schedule)
            name = schedule.name if schedule else _("Обычное расписание")
            messages.success(request, _("«%(name)s» сохранено: уроков — %(n)d.") % {"name": name, "n": n})
        elif action == "create":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return
            schedule = services.bell_schedule_create(school=school, name=form.cleaned_data["name"])
            messages.success(
                request,
                _("Расписание звонков «%(name)s» создано как копия обычного: поправьте время.") % {"name": schedule},
            )
        elif action == "delete":
            schedule = _schedule(school, request.POST.get("schedule"))
            services.bell_schedule_delete(schedule=schedule)
            messages.success(request, _("Расписание звонков «%(name)s» удалено.") % {"name": schedule})
        elif action == "assign":
            form = BellDaysForm(request.POST, schedules=BellSchedule.objects.filter(school=school))
            if not form.is_valid():
                _form_errors(request, form)
                return
            schedule = _schedule(school, form.cleaned_data["schedule"])
            n = services.bell_days_assign(
                schedule=schedule, starts=form.cleaned_data["starts"], ends=form.cleaned_data["ends"]
            )
            messages.success(
                request,
                ngettext(
                    "%(n)d день будет по расписанию «%(name)s».",
                    "Дней по расписанию «%(name)s»: %(n)d.",
                    n,
                )
                % {"n": n, "name": schedule},
            )
        elif action == "unassign":
            try:
                day = BellScheduleDay.objects.get(school=school, pk=_int(request.POST.get("day")))
            except BellScheduleDay.DoesNotExist:
                raise Http404 from None
            services.bell_day_remove(day=day)
            messages.success(
                request, _("%(date)s — снова обычное расписание звонков.") % {"date": selectors.fmt(day.date)}
            )
        else:
            messages.error(request, _("Неизвестное действие."))
    except ValidationError as exc:
        _errors(request, exc)


# ---------------------------------------------------------------------------------------------
# The weekly timetable


def _default_change_date(school, year, horizon: dt.date | None) -> dt.date:
    """While the timetable is being built (no lessons made from it yet) it starts with the year;
    once the journals have lessons from it, a change starts the next day."""
    if horizon is None:
        return year.starts
    return min(max(year.starts, school_today(school) + dt.timedelta(days=1)), year.ends)


def _scope(request, year, source) -> tuple[SchoolClass | None, Group | None]:
    """The class (?class=) or the group without a class (?group=) whose timetable is shown."""
    school = request.school
    class_id, group_id = source.get("class"), source.get("group")
    if class_id:
        try:
            return SchoolClass.objects.get(school=school, year=year, pk=_int(class_id)), None
        except SchoolClass.DoesNotExist:
            raise Http404 from None
    if group_id:
        try:
            return None, Group.objects.get(school=school, year=year, pk=_int(group_id), school_class__isnull=True)
        except Group.DoesNotExist:
            raise Http404 from None
    return None, None


def _index_url(school_class=None, group=None, **params) -> str:
    query = {k: v for k, v in params.items() if v}
    if school_class is not None:
        query["class"] = school_class.pk
    elif group is not None:
        query["group"] = group.pk
    query = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in query.items()}
    return reverse("timetable:index") + ("?" + urlencode(query) if query else "")


def _journal_choice_label(journal: Journal) -> str:
    group = journal.group
    parts = [str(journal.subject)]
    if group.kind != Group.Kind.CLASS:
        parts.append(group.name)
    parts.append(journal.teacher.short_name)
    return " — ".join(parts)


@login_required
@require_GET
def index(request):
    """ORG-7: the weekly timetable of a class or group, its changes, and making lessons from it."""
    _need(request, rights.TIMETABLE_MANAGE)
    school = request.school
    year = selectors.current_year(school)
    if year is None:
        return _render(request, "timetable/index.html", {"year": None})
    school_class, group = _scope(request, year, request.GET)
    if school_class is None and group is None:
        school_class = SchoolClass.objects.filter(school=school, year=year).order_by("grade", "letter").first()
    today = school_today(school)
    horizon = services.generation_horizon(school=school, year=year)
    default_on = _default_change_date(school, year, horizon)
    on = days.day_param(request, "on", default_on)
    day = days.day_param(request, "day", min(max(today, year.starts), year.ends))
    page = selectors.timetable_page(school=school, year=year, on=on, school_class=school_class, group=group, day=day)
    for j in page.journals:
        j.label = _journal_choice_label(j)
    current = next((p for p in page.periods if p.starts <= today <= p.ends), None)
    return _render(
        request,
        "timetable/index.html",
        {
            "year": year,
            "page": page,
            "on": on,
            "today": today,
            "entry_form": EntryForm(journals=page.journals, initial={"valid_from": default_on}),
            "end_on": max(on, default_on),
            "generate_form": GenerateForm(periods=page.periods, initial={"period": current.pk if current else None}),
            "horizon": horizon,
            "counts": selectors.timetable_lesson_counts(school=school, year=year),
            "back": _index_url(school_class, group, on=on if on != default_on else None),
        },
    )


@login_required
@require_POST
def entry_add(request):
    _need(request, rights.TIMETABLE_MANAGE)
    school = request.school
    year = _year(request)
    school_class, group = _scope(request, year, request.POST)
    journal = None
    if request.POST.get("journal"):
        try:
            journal = (
                Journal.objects.filter(school=school, year=year)
                .select_related("year", "school", "subject", "teacher", "group__school_class")
                .get(pk=_int(request.POST["journal"]))
            )
        except Journal.DoesNotExist:
            raise Http404 from None
        journal.label = _journal_choice_label(journal)
    form = EntryForm(request.POST, journals=[journal] if journal else [])
    back = _index_url(school_class, group)
    if not form.is_valid():
        _form_errors(request, form)
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    try:
        entry, result = services.entry_add(
            journal=journal,
            weekday=data["weekday"],
            number=data["number"],
            room=data["room"],
            valid_from=data["valid_from"],
            author=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc, _("Не добавлено: "))
        return HttpResponseRedirect(back)
    messages.success(
        request,
        _("В расписание добавлено: %(day)s, %(n)d-й урок — %(what)s (с %(date)s).")
        % {
            "day": selectors.weekday_name(entry.weekday),
            "n": entry.number,
            "what": selectors.journal_label(journal),
            "date": selectors.fmt(entry.valid_from),
        },
    )
    _report_generation(request, result)
    return HttpResponseRedirect(back)


@login_required
@require_POST
def entry_end(request, pk):
    _need(request, rights.TIMETABLE_MANAGE)
    try:
        entry = TimetableEntry.objects.select_related("journal__group__school_class", "journal__subject").get(
            school=request.school, pk=pk
        )
    except TimetableEntry.DoesNotExist:
        raise Http404 from None
    group = entry.journal.group
    back = _index_url(group.school_class, None if group.school_class_id else group)
    form = EndForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return HttpResponseRedirect(back)
    try:
        result = services.entry_end(entry=entry, on=form.cleaned_data["on"], author=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return HttpResponseRedirect(back)
    messages.success(
        request,
        _("Из расписания убрано с %(date)s: %(day)s, %(n)d-й урок — %(what)s.")
        % {
            "date": selectors.fmt(form.cleaned_data["on"]),
            "day": selectors.weekday_name(entry.weekday),
            "n": entry.number,
            "what": selectors.journal_label(entry.journal),
        },
    )
    _report_generation(request, result)
    return HttpResponseRedirect(back)


@login_required
@require_POST
def generate(request):
    """Make the lessons of the journals (of the class or group, or of the whole school) from the
    timetable for a period or between two dates, skipping holidays and lessons already there."""
    _need(request, rights.TIMETABLE_MANAGE)
    school = request.school
    year = _year(request)
    school_class, group = _scope(request, year, request.POST)
    back = _index_url(school_class, group)
    from apps.schools.models import Period

    form = GenerateForm(request.POST, periods=Period.objects.filter(school=school, year=year))
    if not form.is_valid():
        _form_errors(request, form)
        return HttpResponseRedirect(back)
    starts, ends = form.cleaned_data["range"]
    journals = Journal.objects.filter(school=school, year=year, timetable_entries__isnull=False).distinct()
    if form.cleaned_data["scope"] == "class":
        if school_class is None and group is None:
            messages.error(request, _("Выберите класс или группу."))
            return HttpResponseRedirect(back)
        journals = journals.filter(group__school_class=school_class) if school_class else journals.filter(group=group)
    try:
        result = services.lessons_generate(journals=list(journals), starts=starts, ends=ends, author=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return HttpResponseRedirect(back)
    if not result.created:
        messages.info(
            request,
            _("Новых уроков нет: %(n)d уже были в журналах.") % {"n": result.existing}
            if result.existing
            else _("По расписанию в эти дни уроков нет."),
        )
    _report_generation(request, result)
    return HttpResponseRedirect(back)


# ---------------------------------------------------------------------------------------------
# One lesson: moved, another room (ORG-7)


def _school_lesson(request, pk) -> Lesson:
    try:
        return Lesson.objects.select_related(
            "journal__year", "journal__subject", "journal__teacher", "journal__group__school_class", "taught_by"
        ).get(school=request.school, pk=pk)
    except (Lesson.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def lesson_change(request, pk):
    _need(request, rights.TIMETABLE_MANAGE)
    lesson = _school_lesson(request, pk)
    group = lesson.journal.group
    if request.method == "POST":
        action = request.POST.get("action")
        form = MoveForm(request.POST) if action == "move" else RoomForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "move":
                    room = data["room"] if data["room"] else None
                    services.lesson_move(
                        lesson=lesson, date=data["date"], number=data["number"], room=room, author=request.user
                    )
                else:
                    services.lesson_room_change(lesson=lesson, room=data["room"], author=request.user)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(
                    request,
                    _("Урок изменён: %(note)s. Это видно в дневнике.") % {"note": lesson.change_note or lesson.room},
                )
                return HttpResponseRedirect(
                    _index_url(group.school_class, None if group.school_class_id else group, day=lesson.date)
                )
        else:
            _form_errors(request, form)
        return HttpResponseRedirect(reverse("timetable:lesson_change", args=[lesson.pk]))
    return _render(
        request,
        "timetable/lesson_change.html",
        {
            "lesson": lesson,
            "label": selectors.journal_label(lesson.journal),
            "move_form": MoveForm(initial={"date": lesson.date, "number": lesson.number}),
            "room_form": RoomForm(initial={"room": lesson.room}),
            "changes": selectors.lesson_changes(lesson=lesson),
            "back": _index_url(group.school_class, None if group.school_class_id else group, day=lesson.date),
        },
    )


# ---------------------------------------------------------------------------------------------
# Substitutions (ORG-8)


def _staff(school, pk) -> Staff:
    try:
        return Staff.objects.get(school=school, pk=_int(pk))
    except Staff.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def substitutions(request):
    """The deputy picks a date and the absent teacher, and for each of her lessons records who
    replaces her — or cancels it when nobody does."""
    _need(request, rights.SUBSTITUTIONS_MANAGE)
    school = request.school
    today = school_today(school)
    if request.method == "POST":
        return _substitution_post(request, school)
    day = days.day_param(request, "date", today)
    teacher = _staff(school, request.GET["teacher"]) if request.GET.get("teacher") else None
    staff = selectors.school_staff(school=school, on=day)
    lessons = selectors.teacher_day(school=school, teacher=teacher, day=day) if teacher else []
    busy = selectors.busy_teachers(school=school, day=day) if lessons else {}
    for lesson in lessons:
        lesson.substitution = lesson.substitution_list[0] if lesson.substitution_list else None
        lesson.label = selectors.journal_label(lesson.journal)
        taken = busy.get(lesson.number, set())
        lesson.options = [(s, s.pk in taken) for s in staff if teacher is None or s.pk != teacher.pk]
    monday = day - dt.timedelta(days=day.weekday())
    week = list(selectors.substitutions_between(school=school, starts=monday, ends=monday + dt.timedelta(days=6)))
    for s in week:
        s.label = selectors.journal_label(s.lesson.journal)
    return _render(
        request,
        "timetable/substitutions.html",
        {
            "day": day,
            "teacher": teacher,
            "staff": staff,
            "lessons": lessons,
            "week": week,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "prev_week": monday - dt.timedelta(days=7),
            "next_week": monday + dt.timedelta(days=7),
        },
    )


def _substitutions_url(day, teacher=None) -> str:
    query = {"date": day.isoformat()}
    if teacher is not None:
        query["teacher"] = teacher.pk
    return reverse("timetable:substitutions") + "?" + urlencode(query)


def _substitution_post(request, school):
    lesson = _school_lesson(request, _int(request.POST.get("lesson")))
    absent = lesson.taught_by or lesson.journal.teacher
    back = _substitutions_url(lesson.date, lesson.journal.teacher)
    staff = selectors.school_staff(school=school, on=lesson.date)
    form = SubstitutionForm(request.POST, staff=staff)
    if not form.is_valid():
        _form_errors(request, form)
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    substitute = None if data.get("cancel") else next(s for s in staff if s.pk == data["substitute"])
    try:
        services.substitution_record(
            lesson=lesson, substitute=substitute, reason=data["reason"], author=request.user, absent=absent
        )
    except ValidationError as exc:
        _errors(request, exc)
        return HttpResponseRedirect(back)
    what = {"date": selectors.fmt(lesson.date), "n": lesson.number, "what": selectors.journal_label(lesson.journal)}
    if substitute is None:
        messages.success(request, _("Урок %(date)s, %(n)d-й (%(what)s) отменён: замены нет.") % what)
    else:
        messages.success(
            request,
            _(
                "Замена записана: %(date)s, %(n)d-й урок (%(what)s) проводит %(who)s; он может вести этот урок "
                "в журнале с %(from)s по %(to)s."
            )
            % {
                **what,
                "who": substitute.short_name,
                "from": selectors.fmt(lesson.date - dt.timedelta(days=access.SUBSTITUTE_WINDOW_DAYS)),
                "to": selectors.fmt(lesson.date + dt.timedelta(days=access.SUBSTITUTE_WINDOW_DAYS)),
            },
        )
    return HttpResponseRedirect(back)


@login_required
@require_POST
def substitution_remove(request, pk):
    _need(request, rights.SUBSTITUTIONS_MANAGE)
    try:
        substitution = Substitution.objects.select_related(
            "lesson__journal__subject", "lesson__journal__group__school_class", "lesson__journal__year", "substitute"
        ).get(school=request.school, pk=pk)
    except Substitution.DoesNotExist:
        raise Http404 from None
    lesson = substitution.lesson
    try:
        services.substitution_remove(substitution=substitution, author=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Замена убрана: %(date)s, %(n)d-й урок (%(what)s).")
            % {"date": selectors.fmt(lesson.date), "n": lesson.number, "what": selectors.journal_label(lesson.journal)},
        )
    return HttpResponseRedirect(_substitutions_url(lesson.date, lesson.journal.teacher))


# ---------------------------------------------------------------------------------------------
# The substitution report


def _report_range(form, today, year) -> tuple[dt.date, dt.date]:
    data = form.cleaned_data if form.is_valid() else {}
    period = form.periods.get(data.get("period")) if data.get("period") else None
    starts = data.get("starts") or (period.starts if period else None)
    ends = data.get("ends") or (period.ends if period else None)
    if starts is None:
        starts = today.replace(day=1)
    if ends is None:
        ends = max(starts, today)
    if ends < starts:
        starts, ends = ends, starts
    return starts, ends


@login_required
@require_GET
def substitution_report(request):
    """ORG-8: substitutions by period and teacher (who was replaced, who replaced, hours), on the
    page, printable (?format=print) and as a spreadsheet (?format=xlsx)."""
    _need(request, rights.SCHOOL_REPORTS)
    school = request.school
    today = school_today(school)
    year = selectors.current_year(school)
    from apps.schools.models import Period

    periods = list(Period.objects.filter(school=school, year=year).order_by("grade_from", "order")) if year else []
    staff = list(Staff.objects.filter(school=school).order_by("last_name", "first_name", "middle_name"))
    form = ReportForm(request.GET or None, periods=periods, staff=staff)
    if request.GET and not form.is_valid():
        _form_errors(request, form)
    starts, ends = _report_range(form, today, year)
    teacher_id = form.cleaned_data.get("teacher") if form.is_bound and form.is_valid() else None
    teacher = form.staff.get(teacher_id) if teacher_id else None
    report = selectors.substitution_report(school=school, starts=starts, ends=ends, teacher=teacher)
    for row in report.rows:
        row.label = selectors.journal_label(row.lesson.journal)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        content = spreadsheets.substitution_report_workbook(report, school=school)
        return xlsx.response(content, f"zameny-{report.starts:%Y%m%d}-{report.ends:%Y%m%d}.xlsx")
    query = request.GET.copy()
    query.pop("format", None)
    context = {"report": report, "form": form, "school": school, "query": query.urlencode()}
    if fmt == "print":
        return _render(request, "timetable/substitution_report_print.html", context)
    return _render(request, "timetable/substitution_report.html", context)
