"""The calendar-thematic plan's pages (JRN-2).

A journal's plan is read by whoever may read the journal (apps.accounts.access.get_journal_for_user:
404 outside the user's scope) and written only by the journal's teacher while the year is open
(403 for the other readers, JRN-10, JRN-11). The completion report needs «Видеть отчёты школы»
(rights.SCHOOL_REPORTS), otherwise 404. Reads come from selectors, writes go through services.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import access
from apps.ops import xlsx
from apps.registration.deadlines import school_today
from apps.rights import registry as rights
from apps.schools.models import AcademicYear, Period

from . import importing, selectors, services, spreadsheets
from .models import MAX_ITEM_HOURS, PlanItem

ROW_FIELDS = ("id", "order", "section", "topic", "hours", "planned_date", "note", "delete")
BLANK_ROWS = 5
MAX_BLANK_ROWS = 50
MAX_FORM_ROWS = services.MAX_ITEMS + MAX_BLANK_ROWS


def _journal(request, pk, *, write=False):
    """The journal as the user may see it; a write needs the journal's own teacher (403)."""
    if not access.is_staff(request):
        raise Http404
    journal, can_write = access.get_journal_for_user(request, pk)
    if write and not can_write:
        raise PermissionDenied
    return journal, can_write


def _plan_url(journal) -> str:
    return reverse("plans:plan", args=[journal.pk])


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------------------------------------
# The plan: read, and edit in one form


def _item_row(item: PlanItem) -> dict:
    return {
        "id": item.pk,
        "order": item.order,
        "section": item.section,
        "topic": item.topic,
        "hours": item.hours,
        "planned_date": item.planned_date.isoformat() if item.planned_date else "",
        "note": item.note,
        "errors": [],
    }


def _posted_rows(post) -> list[dict]:
    count = min(max(_int(post.get("rows")), 0), MAX_FORM_ROWS)
    rows = []
    for i in range(count):
        row = {name: post.get(f"r{i}-{name}", "") for name in ROW_FIELDS}
        row["delete"] = bool(row["delete"])
        rows.append(row)
    return rows


def _form_rows(journal, posted=None, result=None) -> list[dict]:
    """The rows of the form: the plan as saved, where a refused row shows what was typed and why
    (so nothing typed is lost), then refused new rows, then empty rows to add."""
    items = list(PlanItem.objects.filter(journal=journal).order_by("order", "pk"))
    refused_existing, refused_new = {}, []
    for index, errors in (result.errors if result else {}).items():
        row = {**posted[index], "errors": errors}
        if _int(row.get("id"), None) is not None and any(item.pk == _int(row["id"]) for item in items):
            refused_existing[_int(row["id"])] = row
        elif not row.get("id"):
            refused_new.append(row)
    rows = [refused_existing.get(item.pk) or _item_row(item) for item in items]
    rows.extend(refused_new)
    return rows


def _render_plan(request, journal, can_write, rows, *, extra_blank=BLANK_ROWS, status=200):
    plan = selectors.journal_plan(journal=journal)
    lessons_of = {row.item.pk: row for row in plan.rows}
    for row in rows:
        row["plan_row"] = lessons_of.get(_int(row.get("id"), None))
    blanks = [{"id": "", "order": "", "errors": []} for _ in range(extra_blank)] if can_write else []
    today = school_today(journal.school)
    completion = selectors.completion(school=journal.school, year=journal.year, today=today, journals=[journal])[0]
    context = {
        "journal": journal,
        "can_write": can_write,
        "rows": rows + blanks,
        "plan": plan,
        "completion": completion,
        "today": today,
        "max_hours": MAX_ITEM_HOURS,
        "more_rows": min(extra_blank + 10, MAX_BLANK_ROWS),
        "can_reports": access.can(request, rights.SCHOOL_REPORTS),
    }
    return render(request, "plans/plan.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan(request, pk):
    journal, can_write = _journal(request, pk, write=request.method == "POST")
    if request.method == "POST":
        posted = _posted_rows(request.POST)
        try:
            result = services.plan_save(journal=journal, author=request.user, rows=posted)
        except services.PlanError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(_plan_url(journal))
        done = _("План сохранён: добавлено строк — %(c)d, изменено — %(u)d, удалено — %(d)d.") % {
            "c": result.created,
            "u": result.updated,
            "d": result.deleted,
        }
        if result.topics_changed:
            done += " " + _("Темы уроков обновлены по плану: %(n)d.") % {"n": result.topics_changed}
        if result.ok:
            messages.success(request, done)
            return HttpResponseRedirect(_plan_url(journal))
        messages.success(request, done)
        messages.error(
            request,
            _("Строк с ошибками: %(n)d — они не сохранены, исправьте их ниже.") % {"n": len(result.errors)},
        )
        return _render_plan(request, journal, can_write, _form_rows(journal, posted, result), status=200)
    extra = min(max(_int(request.GET.get("add"), BLANK_ROWS), 0), MAX_BLANK_ROWS)
    return _render_plan(request, journal, can_write, _form_rows(journal), extra_blank=extra)


@login_required
@require_POST
def apply_topics(request, pk):
    """«Заполнить темы уроков из КТП»."""
    journal, _can_write = _journal(request, pk, write=True)
    try:
        changed = services.plan_topics_apply(journal=journal, author=request.user)
    except services.PlanError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(_plan_url(journal))
    if changed:
        messages.success(request, _("Темы уроков заполнены из КТП: %(n)d.") % {"n": changed})
    else:
        messages.info(request, _("Темы уроков уже соответствуют КТП: менять нечего."))
    return HttpResponseRedirect(_plan_url(journal))


# ---------------------------------------------------------------------------------------------
# Import from a file: upload → preview (nothing written) → confirm


@login_required
@require_http_methods(["GET", "POST"])
def import_plan(request, pk):
    journal, _can_write = _journal(request, pk, write=True)
    if request.method == "GET":
        return render(request, "plans/import.html", {"journal": journal})
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Выберите файл плана (XLSX или CSV)."))
        return render(request, "plans/import.html", {"journal": journal}, status=200)
    if upload.size > importing.MAX_FILE_BYTES:
        parsed = importing.too_big(upload.name or "")  # refused without reading it
    else:
        parsed = importing.read_plan_file(name=upload.name or "", data=upload.read(), year=journal.year)
    context = {
        "journal": journal,
        "parsed": parsed,
        "token": importing.preview_token(journal, parsed) if parsed.valid and not parsed.error else "",
        "current_items": PlanItem.objects.filter(journal=journal).count(),
    }
    return render(request, "plans/import_preview.html", context)


@login_required
@require_POST
def import_confirm(request, pk):
    journal, _can_write = _journal(request, pk, write=True)
    import_url = reverse("plans:import", args=[journal.pk])
    try:
        preview = importing.preview_load(journal, request.POST.get("token", ""))
        if preview["bad"] and not request.POST.get("valid_only"):
            raise services.PlanError(
                _("В файле есть строки с ошибками: исправьте файл или загрузите только верные строки.")
            )
        result = services.plan_import(
            journal=journal, author=request.user, rows=preview["rows"], mode=request.POST.get("mode", "")
        )
    except services.PlanError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(import_url)
    done = _("Загружено строк плана: %(n)d.") % {"n": result.created}
    if result.deleted:
        done += " " + _("Прежний план заменён (строк было: %(n)d).") % {"n": result.deleted}
    if preview["bad"]:
        done += " " + _("Пропущено строк с ошибками: %(n)d.") % {"n": preview["bad"]}
    if result.topics_changed:
        done += " " + _("Темы уроков обновлены по плану: %(n)d.") % {"n": result.topics_changed}
    messages.success(request, done)
    return HttpResponseRedirect(_plan_url(journal))


@login_required
@require_GET
def template(request, pk):
    """The empty template (the header row and the rules)."""
    _journal(request, pk)
    content = spreadsheets.plan_workbook(title=_("Шаблон календарно-тематического плана"))
    return xlsx.response(content, "ktp-shablon.xlsx")


@login_required
@require_GET
def export(request, pk):
    """The journal's plan as a spreadsheet in the template's columns (can be edited and loaded back)."""
    journal, _can_write = _journal(request, pk)
    items = PlanItem.objects.filter(journal=journal).order_by("order", "pk")
    title = _("КТП: %(group)s — %(subject)s, %(year)s") % {
        "group": journal.group,
        "subject": journal.subject,
        "year": journal.year.name,
    }
    name = slugify(f"ktp-{journal.pk}-{journal.group}-{journal.subject}", allow_unicode=False) or f"ktp-{journal.pk}"
    return xlsx.response(spreadsheets.plan_workbook(items, title=title), f"{name}.xlsx")


# ---------------------------------------------------------------------------------------------
# Program completion


@login_required
@require_GET
def completion(request):
    if not access.can(request, rights.SCHOOL_REPORTS):
        raise Http404
    school = request.school
    today = school_today(school)
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts"))
    year = next((y for y in years if str(y.pk) == request.GET.get("year")), None)
    year = year or selectors.default_year(school, today)
    periods = list(Period.objects.filter(year=year).order_by("grade_from", "order")) if year else []
    period = next((p for p in periods if str(p.pk) == request.GET.get("period")), None)
    by = "teacher" if request.GET.get("by") == "teacher" else "class"
    lag_only = request.GET.get("lag") == "1"
    rows = selectors.completion(school=school, year=year, today=today, period=period) if year else []
    if lag_only:
        rows = [r for r in rows if r.lag]
    groups = selectors.group_by_teacher(rows) if by == "teacher" else selectors.group_by_class(rows)
    context = {
        "year": year,
        "years": years,
        "periods": periods,
        "period": period,
        "by": by,
        "lag_only": lag_only,
        "groups": groups,
        "rows": rows,
        "today": today,
        "until": min(today, period.ends) if period else today,
        "lagging": sum(1 for r in rows if r.lag),
        "without_plan": sum(1 for r in rows if not r.has_plan),
        "query": request.GET.urlencode(),
    }
    if request.GET.get("format") == "xlsx":
        content = spreadsheets.completion_workbook(
            school=school,
            year=year,
            period=period,
            today=today,
            by_class=selectors.group_by_class(rows),
            by_teacher=selectors.group_by_teacher(rows),
        )
        stamp = date_format(today, "Y-m-d") if isinstance(today, dt.date) else ""
        return xlsx.response(content, f"vypolnenie-programmy-{stamp}.xlsx")
    template_name = "plans/completion_print.html" if request.GET.get("print") == "1" else "plans/completion.html"
    return render(request, template_name, context)
