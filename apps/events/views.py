"""The events calendar (ORG-10) and the exam choices (ORG-11) of the school's administration.
Views are thin: access in apps.events.permissions, writes in services, reads in selectors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.registration.deadlines import school_today
from apps.schools.models import SchoolClass

from . import permissions, selectors, services
from .forms import EventForm, ExamChoiceForm
from .models import ExamChoice


def _errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form (field errors where the form has the field)."""
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _month_url(day: dt.date) -> str:
    return f"{reverse('events:index')}?month={day:%Y-%m}"


def _requested_month(request, today: dt.date) -> tuple[dt.date, bool]:
    raw = request.GET.get("month", "").strip()
    if not raw:
        return today.replace(day=1), False
    try:
        first = dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        return today.replace(day=1), True
    if not 1900 <= first.year <= 2999:
        return today.replace(day=1), True
    return first, False


# ---------------------------------------------------------------------------------------------
# Events


@login_required
@require_GET
def index(request):
    scope = permissions.event_scope(request)
    today = school_today(request.school)
    first, month_error = _requested_month(request, today)
    month = selectors.month_events(school=request.school, first=first, class_ids=scope.visible_class_ids())
    return render(
        request,
        "events/index.html",
        {
            "month": month,
            "month_error": month_error,
            "today": today,
            "scope": scope,
            "manageable": {e.pk for e in month.events if scope.may_manage(e)},
            "weekdays": [_("Пн"), _("Вт"), _("Ср"), _("Чт"), _("Пт"), _("Сб"), _("Вс")],
        },
    )


def _event_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "school_class": form.chosen_class(),
        "date": data["date"],
        "ends": data.get("ends"),
        "time": data.get("time"),
        "title": data["title"],
        "place": data.get("place", ""),
        "description": data.get("description", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def add(request):
    scope = permissions.event_scope(request)
    if request.method == "POST":
        form = EventForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                event = services.event_create(school=request.school, author=request.user, **_event_fields(form))
            except ValidationError as e:
                _errors(form, e)
            else:
                messages.success(request, _("Событие «%(title)s» добавлено.") % {"title": event.title})
                return redirect(_month_url(event.date))
    else:
        initial = {}
        try:
            initial["date"] = dt.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            pass
        if not scope.school_wide and scope.classes:
            initial["school_class"] = str(scope.classes[0].pk)
        form = EventForm(initial=initial, scope=scope)
    return render(request, "events/form.html", {"form": form, "scope": scope, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    event, scope = permissions.get_event_for_manager(request, pk)
    if event.school_class_id and event.school_class_id not in scope.class_ids:
        # An event of a class of a closed year: shown, so the form can say why it cannot change.
        scope.classes = [*scope.classes, event.school_class]
    if request.method == "POST":
        form = EventForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                event = services.event_update(event=event, **_event_fields(form))
            except ValidationError as e:
                _errors(form, e)
            else:
                messages.success(request, _("Событие «%(title)s» сохранено.") % {"title": event.title})
                return redirect(_month_url(event.date))
    else:
        form = EventForm(
            initial={
                "school_class": str(event.school_class_id or ""),
                "date": event.date,
                "ends": event.ends,
                "time": event.time,
                "title": event.title,
                "place": event.place,
                "description": event.description,
            },
            scope=scope,
        )
    return render(request, "events/form.html", {"form": form, "scope": scope, "event": event})


@login_required
@require_POST
def delete(request, pk: int):
    event, _scope = permissions.get_event_for_manager(request, pk)
    try:
        services.event_delete(event=event)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("events:edit", pk=event.pk)
    messages.success(request, _("Событие «%(title)s» удалено.") % {"title": event.title})
    return redirect(_month_url(event.date))


# ---------------------------------------------------------------------------------------------
# Exam choices


def _exams_page(request, form=None, chosen_id=None, status=200):
    today = school_today(request.school)
    year = selectors.current_year(school=request.school, today=today)
    classes = selectors.exam_classes(school=request.school, year=year)
    if chosen_id is None:
        raw = request.GET.get("class", "")
        chosen_id = int(raw) if raw.isdigit() else None
    chosen = next((c for c in classes if c.pk == chosen_id), classes[0] if classes else None)
    rows = selectors.exam_roster(school_class=chosen, today=today) if chosen else []
    if form is None:
        exam = ExamChoice.Exam.OGE if chosen is not None and chosen.grade == 9 else ExamChoice.Exam.EGE
        form = ExamChoiceForm(school=request.school, students=[r.student for r in rows], initial={"exam": exam})
    else:
        form.fields["student"].choices = [("", "—")] + [(r.student.pk, r.student.short_name) for r in rows]
    return render(
        request,
        "events/exams.html",
        {"year": year, "classes": classes, "chosen": chosen, "rows": rows, "form": form},
        status=status,
    )


@login_required
@require_GET
def exams(request):
    permissions.exams_manager(request)
    return _exams_page(request)


@login_required
@require_POST
def exam_add(request):
    permissions.exams_manager(request)
    form = ExamChoiceForm(request.POST, school=request.school)
    raw_class = request.POST.get("class", "")
    chosen_id = int(raw_class) if raw_class.isdigit() else None
    if form.is_valid():
        data = form.cleaned_data
        try:
            choice = services.exam_choice_add(
                school=request.school,
                student=data["student"],
                exam=data["exam"],
                subject=data["subject"],
                level=data.get("level", ""),
                note=data.get("note", ""),
                author=request.user,
                today=school_today(request.school),
            )
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(
                request,
                _("%(student)s: %(choice)s — записано.") % {"student": choice.student.short_name, "choice": choice},
            )
            cls = SchoolClass.objects.filter(pk=chosen_id, school=request.school).first() if chosen_id else None
            return redirect(f"{reverse('events:exams')}?class={cls.pk}" if cls else reverse("events:exams"))
    return _exams_page(request, form=form, chosen_id=chosen_id)


@login_required
@require_POST
def exam_remove(request, pk: int):
    choice = permissions.get_exam_choice(request, pk)
    raw_class = request.POST.get("class", "")
    back = f"{reverse('events:exams')}?class={raw_class}" if raw_class.isdigit() else reverse("events:exams")
    try:
        services.exam_choice_remove(choice=choice)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request, _("%(student)s: %(choice)s — удалено.") % {"student": choice.student.short_name, "choice": choice}
        )
    return redirect(back)
