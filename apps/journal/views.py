"""The teacher's journal pages: the list, the grid of a period, its save endpoint, the lesson and
cell panels and the change history. Every view takes the journal through
apps.accounts.access.get_journal_for_user (404 outside the user's scope); writes need can_write
(403). Reads come from selectors, writes go through services."""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import access
from apps.audit import selectors as audit_selectors
from apps.ops import pagecache
from apps.people.models import Staff

from . import selectors, services
from .forms import LessonAddForm, LessonForm
from .grading import PeriodValue
from .models import Attendance

CELL_NAME = re.compile(r"c-(\d+)-(\d+)")
PERIOD_MARK_NAME = re.compile(r"p-(\d+)-(\d+)")
MAX_ITEMS_PER_SAVE = 5000
LESSON_TEXT_FIELDS = ("topic", "homework", "comment", "status")


def _staff_only(request) -> None:
    """Students and parents never reach the journal pages."""
    if not access.is_staff(request):
        raise Http404


def _journal(request, pk, *, write=False):
    _staff_only(request)
    journal, can_write = access.get_journal_for_user(request, pk)
    if write and not can_write:
        raise PermissionDenied
    return journal, can_write


def _substitute_lessons(request, journal, can_write) -> frozenset[int]:
    """ORG-8: the lessons a substitute may write in a journal she does not keep (none for its teacher)."""
    return frozenset() if can_write else access.substitute_lesson_ids(request, journal)


def _lesson_write(request, journal, can_write, lesson) -> bool:
    return can_write or lesson.pk in _substitute_lessons(request, journal, can_write)


def _grid_url(journal, period_pk=None, anchor="") -> str:
    url = reverse("journal:grid", args=[journal.pk])
    if period_pk:
        url += "?" + urlencode({"period": period_pk})
    return url + (f"#{anchor}" if anchor else "")


def _is_fetch(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or request.GET.get("partial") == "1"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _norm(text) -> str:
    return " ".join(str(text or "").split())


# ---------------------------------------------------------------------------------------------
# The list


@login_required
def journal_list(request):
    _staff_only(request)
    readable = access.journals_readable(request)
    sections = selectors.journal_sections(
        journals=readable, user=request.user, school_wide=access.reads_all_journals(request)
    )
    # ORG-8: the journals of the lessons she substitutes now (only those lessons are hers to write).
    substituted = list(
        readable.filter(pk__in=access.substitute_lessons(request).values("journal_id"))
        .exclude(teacher__user=request.user)
        .select_related("year", "subject", "group__school_class", "teacher")
        .order_by("group__school_class__grade", "group__school_class__letter", "group__name", "subject__name")
    )
    if substituted:
        sections.insert(0, selectors.JournalSection(_("Замены"), substituted))
    return render(request, "journal/list.html", {"sections": sections})


# ---------------------------------------------------------------------------------------------
# The grid


def _load_grid(journal, requested_period):
    today = services.school_today(journal.school)
    periods, period = selectors.choose_period(journal, requested_period, today)
    return selectors.journal_grid(journal=journal, period=period, periods=periods, today=today)


def _lesson_notes(grid) -> list:
    """ORG-7, ORG-8: who gave each substituted lesson («замена: Фамилия И. О.»), one query for all;
    returns the columns changed from the timetable (substituted, cancelled, moved, another room)."""
    ids = {col.lesson.taught_by_id for col in grid.columns if col.lesson.taught_by_id}
    staff = {s.pk: s for s in Staff.objects.filter(pk__in=ids, school_id=grid.journal.school_id)} if ids else {}
    for col in grid.columns:
        col.taught_by = staff.get(col.lesson.taught_by_id)
    return [col for col in grid.columns if col.taught_by or col.is_cancelled or col.lesson.change_note]


def _grid_context(request, journal, can_write, grid, write_lessons, *, errors=()) -> dict:
    can_edit = can_write or bool(write_lessons)
    changed_columns = _lesson_notes(grid)
    for col in grid.columns:
        col.writable = can_write or col.lesson.pk in write_lessons
    substituted = [col.lesson for col in grid.columns if col.lesson.pk in write_lessons]
    context = {
        "journal": journal,
        "can_write": can_write,
        "can_edit": can_edit,
        "write_lessons": write_lessons if not can_write else None,
        "substituted": substituted,
        "changed_columns": changed_columns,
        "grid": grid,
        "originals": json.dumps(grid.originals(), ensure_ascii=False) if can_edit else "",
        "add_form": LessonAddForm(initial={"date": grid.today, "number": 1}),
        "period_values": list(PeriodValue.allowed_for(journal.grading_system).items()),
        "errors": errors,
    }
    return context


def _render_grid(request, journal, can_write, grid, *, errors=(), status=200):
    write_lessons = _substitute_lessons(request, journal, can_write)
    context = _grid_context(request, journal, can_write, grid, write_lessons, errors=errors)
    context["js_messages"] = _js_messages()
    return render(request, "journal/grid.html", context, status=status)


def _js_messages() -> dict[str, str]:
    """What grid.js says, translated here like every other string («%s» is filled in)."""
    return {
        "saving": _("Сохранение…"),
        "saved": _("Сохранено: %s."),
        "notSaved": _("Не сохранено: %s"),
        "offline": _("Нет связи с сервером: изменения будут отправлены повторно."),
        "forbidden": _("Нет прав на изменение этого журнала."),
        "notFound": _("Журнал не найден или недоступен."),
        "badRequest": _("Сервер не принял данные."),
        "serverError": _("Ошибка сервера (%s). Изменения не сохранены."),
        "lessonSaved": _("Урок %s сохранён."),
        "lessonNotSaved": _("Урок не сохранён."),
        "lessonOffline": _("Нет связи с сервером: урок не сохранён."),
        "noTopic": _("Тема не указана"),
        "serverRetry": _("Ошибка сервера (%s): изменения будут отправлены повторно."),
        "retrying": _("Журнал в этот момент сохраняли одновременно: изменения будут отправлены повторно."),
        "failed": _(
            "Не удалось сохранить: сервер недоступен. Введённое осталось в клетках — оно будет отправлено "
            "при следующем изменении или по кнопке «Сохранить»."
        ),
        "failedCell": _("Не сохранено: сервер недоступен. Введённое будет отправлено ещё раз."),
        "conflictNote": _(
            "В клетках, которые уже изменили, показано то, что сохранено сейчас; если ваше значение вернее, "
            "введите его ещё раз."
        ),
    }


@login_required
def journal_grid(request, pk):
    """The grid as it reads now. Its body is cached (issue 5) under a key that names everything it
    shows: the journal's version (bumped with every logged change of its lessons, marks,
    attendance and period marks), the school's data version (students, groups, periods, work
    types, names), the day, the language, the period asked for, and what this user may write
    (the teacher, a substitute's own lessons, or reading only). A save refused without
    JavaScript renders the page afresh with what was typed (_save_form), never from the cache."""
    journal, can_write = _journal(request, pk)
    write_lessons = _substitute_lessons(request, journal, can_write)
    requested = request.GET.get("period")
    today = services.school_today(journal.school)
    key = grid_cache_key(
        journal=journal,
        school=request.school,
        today=today,
        period=requested,
        can_write=can_write,
        write_lessons=write_lessons,
    )

    def body_context() -> dict:
        grid = _load_grid(journal, requested)
        return _grid_context(request, journal, can_write, grid, write_lessons)

    def page_context() -> dict:
        body = pagecache.fragment(request, key, "journal/_grid_body.html", body_context, token=False)
        return {"journal": journal, "grid_body": body, "js_messages": _js_messages()}

    # The page around the body shows the journal's names (in its version and the school's data
    # version, both in the key) and the layout, which pagecache.page adds to the key.
    return pagecache.page(request, key, "journal/grid.html", page_context)


def grid_cache_key(*, journal, school, today, period, can_write: bool, write_lessons) -> str:
    writes = "w" if can_write else ("s" + ".".join(map(str, sorted(write_lessons))) if write_lessons else "r")
    # The period as asked (choose_period matches it exactly); anything else means the default one.
    period = period if isinstance(period, str) and period.isdigit() and len(period) <= 12 else ""
    return (
        f"journal-grid:{journal.pk}:{journal.version}:{school.pk}:{school.data_version}:{today.isoformat()}:"
        f"{translation.get_language()}:{period}:{writes}"
    )


# ---------------------------------------------------------------------------------------------
# Saving the grid: JSON from grid.js, or the plain form without JavaScript


@login_required
@require_POST
def journal_save(request, pk):
    journal, can_write = _journal(request, pk)
    allowed = _substitute_lessons(request, journal, can_write)
    if not can_write and not allowed:
        raise PermissionDenied
    only = None if can_write else allowed
    if request.content_type == "application/json":
        return _save_json(request, journal, only)
    return _save_form(request, journal, only)


class BadPayload(ValueError):
    pass


def _items(payload: dict, name: str) -> list[dict]:
    items = payload.get(name, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BadPayload(name)
    return items


def _lesson_value(key: str, value):
    """A lesson field as the service takes it; BadPayload for a type no client sends."""
    if key in LESSON_TEXT_FIELDS:
        if not isinstance(value, str):
            raise BadPayload(key)
    elif key == "no_homework":
        if not isinstance(value, bool):
            raise BadPayload(key)
    elif key == "work_type":
        if value not in (None, "") and not (
            (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.isdigit())
        ):
            raise BadPayload(key)
    return value


def _lesson_item(item: dict) -> dict:
    """Keep only the lesson fields (and what the page showed of them, `was`), with the types the
    service expects."""
    clean = {"lesson": item.get("lesson")}
    for key in services.LESSON_FIELDS:
        if key in item:
            clean[key] = _lesson_value(key, item[key])
    if item.get("was") is not None:
        if not isinstance(item["was"], dict):
            raise BadPayload("was")
        clean["was"] = {k: _lesson_value(k, v) for k, v in item["was"].items() if k in services.LESSON_FIELDS}
    return clean


def _save_json(request, journal, only=None):
    try:
        payload = json.loads(request.body or b"{}")
        if not isinstance(payload, dict):
            raise BadPayload("payload")
        cells = _items(payload, "cells")
        lessons = [_lesson_item(i) for i in _items(payload, "lessons")]
        period_marks = _items(payload, "period_marks")
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: JSON nested deeper than the parser goes (e.g. 100 000 lists in lists).
        return JsonResponse({"ok": False, "error": _("Неверный формат запроса.")}, status=400)
    if len(cells) + len(lessons) + len(period_marks) > MAX_ITEMS_PER_SAVE:
        return JsonResponse({"ok": False, "error": _("Слишком много изменений в одном сохранении.")}, status=400)

    result = services.journal_save(
        journal=journal,
        author=request.user,
        cells=cells,
        lessons=lessons,
        period_marks=period_marks,
        only_lessons=only,
    )

    averages = {}
    period = None
    if payload.get("period"):
        period = next((p for p in selectors.year_periods(journal) if str(p.pk) == str(payload["period"])), None)
    touched = {_int(r.key.get("student")) for r in result.cells if r.ok} - {None}
    if period is not None and touched:
        averages = {
            str(sid): text
            for sid, text in selectors.period_average_texts(journal=journal, period=period, student_ids=touched).items()
        }
    # The lesson fields as stored after the save, for every lesson found: what the page shows next.
    saved_lessons = {}
    found = {_int(r.key.get("lesson")) for r in result.lessons if r.ok or r.conflict or r.changed} - {None}
    if found:
        for lesson in journal.lessons.filter(school_id=journal.school_id, pk__in=found):
            saved_lessons[lesson.pk] = {
                "topic": lesson.topic,
                "homework": lesson.homework,
                "no_homework": lesson.no_homework,
                "work_type": lesson.work_type_id,
                "comment": lesson.comment,
            }
    return JsonResponse(
        {
            "ok": result.ok,
            "saved": result.saved_count,
            "cells": [_item_json(r) for r in result.cells],
            "lessons": [
                {
                    **r.key,
                    "ok": r.ok,
                    "error": r.error,
                    "conflict": r.conflict,
                    "conflicts": r.conflicts,
                    "changed": r.changed,
                    "retry": r.retry,
                    "fields": saved_lessons.get(_int(r.key.get("lesson"))),
                }
                for r in result.lessons
            ],
            "period_marks": [_item_json(r) for r in result.period_marks],
            "averages": averages,
        }
    )


def _item_json(r) -> dict:
    """A cell or a period mark of the answer. `value`: what is stored now (null when unknown: the
    item was not found, or the save could not run); `conflict`: it changed since the page showed
    it; `retry`: the database rolled the save back, sending it again is harmless."""
    return {**r.key, "ok": r.ok, "value": r.value, "error": r.error, "conflict": r.conflict, "retry": r.retry}


def _save_form(request, journal, only=None):
    """Without JavaScript: apply only the cells whose value differs from what the page showed."""
    try:
        originals = json.loads(request.POST.get("orig") or "{}")
        if not isinstance(originals, dict):
            originals = {}
    except ValueError:
        originals = {}
    cells, period_marks, typed = [], [], {}
    for name, value in request.POST.items():
        cell = CELL_NAME.fullmatch(name)
        pm = PERIOD_MARK_NAME.fullmatch(name)
        if not (cell or pm):
            continue
        if name in originals and _norm(originals[name]) == _norm(value):
            continue
        typed[name] = value
        # What the page showed is what it was (a cell changed meanwhile is a conflict, not overwritten).
        was = {"was": str(originals[name])} if isinstance(originals.get(name), str | int) else {}
        if cell:
            cells.append({"lesson": int(cell[1]), "student": int(cell[2]), "value": value, **was})
        else:
            period_marks.append({"period": int(pm[1]), "student": int(pm[2]), "value": value, **was})
    period_pk = request.POST.get("period") or None
    if not typed:
        messages.info(request, _("Изменений нет."))
        return HttpResponseRedirect(_grid_url(journal, period_pk))
    result = services.journal_save(
        journal=journal, author=request.user, cells=cells, period_marks=period_marks, only_lessons=only
    )
    saved = result.saved_count
    if result.ok:
        messages.success(
            request, ngettext("Сохранено изменение: %(n)d.", "Сохранено изменений: %(n)d.", saved) % {"n": saved}
        )
        return HttpResponseRedirect(_grid_url(journal, period_pk))

    # Re-render with what the teacher typed in each refused cell and the reason next to it.
    grid = _load_grid(journal, period_pk)
    errors = []
    for r in result.cells:
        if r.ok:
            continue
        name = f"c-{r.key['lesson']}-{r.key['student']}"
        cell = grid.cell(int(r.key["lesson"]), int(r.key["student"]))
        if cell is not None:
            cell.typed, cell.error = typed.get(name, ""), r.error
            who = f"{grid.row(cell.student_id).student.short_name}, {date_format(cell.lesson.date, 'd.m')}"
        else:
            who = ""
        errors.append(f"{who}: {r.error}" if who else r.error)
    for r in result.period_marks:
        if r.ok:
            continue
        row = grid.row(int(r.key["student"]))
        if row is not None and str(grid.period.pk) == str(r.key["period"]):
            row.pm_typed, row.pm_error = typed.get(f"p-{r.key['period']}-{r.key['student']}", ""), r.error
        errors.append(f"{row.student.short_name}: {r.error}" if row else r.error)
    if saved:
        messages.success(
            request, ngettext("Сохранено изменение: %(n)d.", "Сохранено изменений: %(n)d.", saved) % {"n": saved}
        )
    messages.error(
        request,
        ngettext("Не сохранена %(n)d клетка — исправьте её.", "Не сохранено клеток: %(n)d — исправьте их.", len(errors))
        % {"n": len(errors)},
    )
    return _render_grid(request, journal, only is None, grid, errors=errors)


# ---------------------------------------------------------------------------------------------
# Lessons


@login_required
@require_POST
def lesson_add(request, pk):
    journal, _can_write = _journal(request, pk, write=True)
    form = LessonAddForm(request.POST)
    back = _grid_url(journal, request.POST.get("period") or None)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(back)
    try:
        lesson = services.lesson_create(
            journal=journal, date=form.cleaned_data["date"], number=form.cleaned_data["number"], author=request.user
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return HttpResponseRedirect(back)
    label = {"date": date_format(lesson.date, "d.m.Y"), "number": lesson.number}
    messages.success(request, _("Урок %(date)s (%(number)d-й) добавлен.") % label)
    period = selectors.period_for_date(selectors.year_periods(journal), lesson.date)
    if period is None:
        messages.warning(
            request,
            _("Дата %(date)s не входит ни в один учебный период: урок не показан ни на одной вкладке журнала.") % label,
        )
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(_grid_url(journal, period.pk, anchor=f"lesson-{lesson.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def lesson_detail(request, pk, lesson_id):
    """The lesson panel as a page (without JavaScript, or opened in a new tab)."""
    journal, teacher = _journal(request, pk)
    lesson = selectors.journal_lesson(journal=journal, lesson_id=lesson_id)
    if lesson is None:
        raise Http404
    only = None if teacher else _substitute_lessons(request, journal, teacher)
    can_write = _lesson_write(request, journal, teacher, lesson)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    work_types = selectors.school_work_types(journal)
    periods = selectors.year_periods(journal)
    period = selectors.period_for_date(periods, lesson.date)
    if request.method == "POST":
        form = LessonForm(request.POST, work_types=work_types)
        if form.is_valid():
            item = {**form.lesson_item(lesson), **_shown_lesson(request.POST.get("was"))}
            result = services.journal_save(journal=journal, author=request.user, lessons=[item], only_lessons=only)
            if result.ok:
                messages.success(request, _("Урок %(date)s сохранён.") % {"date": date_format(lesson.date, "d.m.Y")})
                for message in result.lessons[0].changed.values():
                    messages.warning(request, message)
                return HttpResponseRedirect(_grid_url(journal, period.pk if period else None, f"lesson-{lesson.pk}"))
            form.add_error(None, result.lessons[0].error)
            lesson = selectors.journal_lesson(journal=journal, lesson_id=lesson.pk)
    else:
        form = LessonForm(initial=LessonForm.initial_for(lesson), work_types=work_types)
    return render(
        request,
        "journal/lesson.html",
        {
            "journal": journal,
            "can_write": can_write,
            "lesson": lesson,
            "form": form,
            "period": period,
            "column": selectors.lesson_column(journal=journal, lesson=lesson),
            "grid_url": _grid_url(journal, period.pk if period else None, f"lesson-{lesson.pk}"),
            # The fields as this page shows them stored: the save writes only what was changed here.
            "was": json.dumps(LessonForm.initial_for(lesson), ensure_ascii=False),
        },
    )


def _shown_lesson(raw) -> dict:
    """{"was": …} from the lesson page's hidden field (nothing when it is missing or broken: then
    the fields sent are written as they are)."""
    try:
        was = _lesson_item({"was": json.loads(raw)}).get("was") if raw else None
    except (ValueError, RecursionError):
        return {}
    return {"was": was} if was else {}


# ---------------------------------------------------------------------------------------------
# One cell: the marks with their type of work and comment, the absence reason


def _cell_objects(request, journal, source):
    lesson = selectors.journal_lesson(journal=journal, lesson_id=source.get("lesson"))
    student = selectors.group_student(journal=journal, student_id=source.get("student"))
    if lesson is None or student is None:
        raise Http404
    return lesson, student


@login_required
@require_http_methods(["GET", "POST"])
def cell_detail(request, pk):
    journal, can_write = _journal(request, pk)
    lesson, student = _cell_objects(request, journal, request.GET)
    can_write = _lesson_write(request, journal, can_write, lesson)
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    errors: list[str] = []
    saved = False
    if request.method == "POST":
        detail = selectors.cell_detail(journal=journal, lesson=lesson, student=student)
        errors = _apply_cell_detail(request, detail)
        saved = not errors
        if saved and not _is_fetch(request):
            messages.success(request, _("Сохранено."))
            return HttpResponseRedirect(request.get_full_path())
    detail = selectors.cell_detail(journal=journal, lesson=lesson, student=student)
    period = selectors.period_for_date(selectors.year_periods(journal), lesson.date)
    average = ""
    if period is not None:
        average = selectors.period_average_texts(journal=journal, period=period, student_ids=[student.pk])[student.pk]
    context = {
        "journal": journal,
        "can_write": can_write,
        "detail": detail,
        "errors": errors,
        "saved": saved,
        "reasons": Attendance.Reason.choices,
        "average": average,
        "title": selectors.cell_title(detail.marks, detail.attendance, {wt.pk: wt for wt in detail.work_types}),
        "grid_url": _grid_url(journal, period.pk if period else None, f"lesson-{lesson.pk}"),
        "history_url": reverse("journal:history", args=[journal.pk])
        + "?"
        + urlencode({"lesson": lesson.pk, "student": student.pk}),
        "cell_url": request.path + "?" + urlencode({"lesson": lesson.pk, "student": student.pk}),
    }
    template = "journal/_cell_detail.html" if _is_fetch(request) else "journal/cell.html"
    return render(request, template, context)


def _apply_cell_detail(request, detail) -> list[str]:
    """Each mark and the absence are changed through their service; a refused one is reported
    and the others are kept."""
    errors = []
    work_types = {wt.pk: wt for wt in detail.work_types}
    for mark in detail.marks:
        raw_wt = request.POST.get(f"wt-{mark.pk}")
        comment = request.POST.get(f"cm-{mark.pk}")
        if raw_wt is None and comment is None:
            continue
        work_type = work_types.get(_int(raw_wt)) if raw_wt else None
        if raw_wt and work_type is None:
            errors.append(_("Отметка %(value)s: такого вида работы нет в этой школе.") % {"value": mark.value})
            continue
        try:
            services.mark_update(mark=mark, author=request.user, work_type=work_type, comment=comment)
        except ValidationError as exc:
            errors.append(_("Отметка %(value)s: %(error)s") % {"value": mark.value, "error": " ".join(exc.messages)})
    if detail.attendance is not None and "reason" in request.POST:
        try:
            services.attendance_reason_set(
                attendance=detail.attendance, reason=request.POST["reason"], author=request.user
            )
        except ValidationError as exc:
            errors.append(" ".join(exc.messages))
    return errors


# ---------------------------------------------------------------------------------------------
# History (ARC-1)


@login_required
def history(request, pk):
    journal, can_write = _journal(request, pk)
    lesson = selectors.journal_lesson(journal=journal, lesson_id=request.GET.get("lesson"))
    if lesson is None:
        raise Http404
    student = None
    if request.GET.get("student"):
        student = selectors.group_student(journal=journal, student_id=request.GET.get("student"))
        if student is None:
            raise Http404
        entries = audit_selectors.cell_history(school_id=journal.school_id, lesson_id=lesson.pk, student_id=student.pk)
    else:
        entries = audit_selectors.lesson_history(school_id=journal.school_id, lesson_id=lesson.pk)
    period = selectors.period_for_date(selectors.year_periods(journal), lesson.date)
    return render(
        request,
        "journal/history.html",
        {
            "journal": journal,
            "lesson": lesson,
            "student": student,
            "rows": selectors.history_rows(entries=entries, school=journal.school),
            "grid_url": _grid_url(journal, period.pk if period else None, f"lesson-{lesson.pk}"),
            "lesson_url": reverse("journal:lesson", args=[journal.pk, lesson.pk]),
        },
    )
