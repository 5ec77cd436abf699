"""Pages of the movement book (ORG-9): the book and its moves for those who keep it
(rights.MOVEMENT_MANAGE), the two reports for those who read the school's reports
(rights.SCHOOL_REPORTS). Anyone else gets 404; objects of another school are 404 too.
Reads come from selectors, writes go through services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts import access
from apps.ops import xlsx
from apps.people.models import Student
from apps.registration.deadlines import school_today
from apps.rights import registry as rights
from apps.schools.models import Period, SchoolClass

from . import forms, selectors, services, spreadsheets
from .models import MovementEntry

PAGE_SIZE = 100


def _keeper(request) -> None:
    if not access.can(request, rights.MOVEMENT_MANAGE):
        raise Http404


def _reader(request) -> None:
    if not access.can(request, rights.SCHOOL_REPORTS):
        raise Http404


def _errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: on its field when the form has it, else above the form."""
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


# --- The book ---------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    _keeper(request)
    school = request.school
    today = school_today(school)
    form = forms.BookFilterForm(request.GET or None, school=school)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.book(
        school=school,
        year=filters.get("year"),
        school_class=filters.get("school_class"),
        kind=filters.get("kind") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        late_only=bool(filters.get("late")),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "movement/index.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry(request, pk):
    """One entry with its corrections; the form writes a correcting entry."""
    _keeper(request)
    item = get_object_or_404(
        MovementEntry.objects.select_related("student", "from_class", "to_class", "author"),
        pk=pk,
        school=request.school,
    )
    chain = selectors.entry_chain(entry=item)
    latest = chain[-1]
    initial = {"order_number": latest.order_number, "order_date": latest.order_date, "where": latest.where,
               "note": latest.note}  # fmt: skip
    form = forms.CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.entry_correct(
                entry=latest,
                author=request.user,
                order_number=form.cleaned_data["order_number"],
                order_date=form.cleaned_data["order_date"],
                where=form.cleaned_data["where"],
                note=form.cleaned_data["note"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(
                request,
                _("Запись № %(old)s исправлена записью № %(new)s.") % {"old": latest.number, "new": new.number},
            )
            return redirect("movement:index")
    return render(request, "movement/entry.html", {"entry": item, "chain": chain, "latest": latest, "form": form})


@login_required
@require_GET
def student(request, pk):
    """A student's card: his stays in classes and his entries in the book."""
    _keeper(request)
    person = get_object_or_404(Student, pk=pk, school=request.school)
    card = selectors.student_card(student=person, today=school_today(request.school))
    return render(request, "movement/student.html", {"card": card})


# --- Moves ------------------------------------------------------------------------------------------


def _done(request, entries: list[MovementEntry]) -> None:
    if len(entries) == 1:
        e = entries[0]
        text = _("Записано: № %(number)s — %(kind)s, %(student)s, с %(date)s.") % {
            "number": e.number,
            "kind": e.get_kind_display(),
            "student": e.student.full_name,
            "date": f"{e.date:%d.%m.%Y}",
        }
    else:
        text = _("Записано %(count)s записей: № %(first)s–%(last)s.") % {
            "count": len(entries),
            "first": min(e.number for e in entries),
            "last": max(e.number for e in entries),
        }
    messages.success(request, text)
    to_class = entries[0].to_class
    if to_class is not None and to_class.groups.filter(kind="subgroup").exists():
        messages.info(
            request,
            _("В классе %(class)s есть подгруппы: распределите по ним новых учащихся (раздел «Группы»).")
            % {"class": to_class},
        )


ORDER = ("order_number", "order_date", "note")


def _order(cleaned) -> dict:
    return {name: cleaned[name] for name in ORDER}


@login_required
@require_http_methods(["GET", "POST"])
def admit(request):
    _keeper(request)
    school = request.school
    today = school_today(school)
    form = forms.AdmitForm(
        request.POST or None, school=school, today=today, initial={"date": today, "order_date": today}
    )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            entry = services.student_admit(
                school=school,
                school_class=c["school_class"],
                date=c["date"],
                author=request.user,
                student=c["student"],
                last_name=c["last_name"],
                first_name=c["first_name"],
                middle_name=c["middle_name"],
                birth_date=c["birth_date"],
                where=c["where"],
                **_order(c),
            )
        except ValidationError as e:
            _errors(form, e)
        else:
            _done(request, [entry])
            return redirect("movement:index")
    return render(request, "movement/move.html", {"form": form, "title": _("Зачисление"), "kind": "admit"})


def _picked_class(request) -> SchoolClass | None:
    """The class the move starts from (GET or POST `from_class`), of this school, or None."""
    raw = request.POST.get("from_class") or request.GET.get("from_class")
    if not raw or not str(raw).isdigit():
        return None
    return SchoolClass.objects.select_related("year").filter(pk=raw, school=request.school).first()


def _class_move(request, *, form_class, title: str, kind: str, run, help_text: str = ""):
    """A move out of a class: pick the class (GET), then the form with its students (POST)."""
    _keeper(request)
    school = request.school
    today = school_today(school)
    from_class = _picked_class(request)
    picker = forms.ClassPickForm(initial={"from_class": from_class}, school=school)
    form = None
    if from_class is not None:
        students = selectors.class_students_to_move(
            school_class=from_class, day=selectors.clamp(today, from_class.year)
        )
        initial = {"date": today, "order_date": today}
        form = form_class(
            request.POST or None, school=school, from_class=from_class, students=students, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            try:
                entries = run(from_class, form.cleaned_data)
            except ValidationError as e:
                _errors(form, e)
            else:
                _done(request, entries)
                return redirect("movement:index")
    context = {"form": form, "picker": picker, "from_class": from_class, "title": title, "kind": kind,
               "help_text": help_text}  # fmt: skip
    return render(request, "movement/move.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request):
    def run(from_class, c):
        return [
            services.student_transfer(
                student=c["student"],
                from_class=from_class,
                to_class=c["to_class"],
                date=c["date"],
                author=request.user,
                **_order(c),
            )
        ]

    return _class_move(
        request,
        form_class=forms.TransferForm,
        title=_("Перевод в другой класс"),
        kind="transfer",
        run=run,
        help_text=_(
            "В пределах учебного года. С даты перевода учащийся в журналах нового класса; отметки в журналах "
            "прежнего класса остаются за днями до перевода."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request):
    def run(from_class, c):
        return [
            services.student_withdraw(
                student=c["student"],
                school_class=from_class,
                date=c["date"],
                author=request.user,
                where=c["where"],
                **_order(c),
            )
        ]

    return _class_move(
        request,
        form_class=forms.WithdrawForm,
        title=_("Выбытие"),
        kind="withdraw",
        run=run,
        help_text=_("Последний день учащегося в школе — накануне даты выбытия."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def promote(request):
    def run(from_class, c):
        return services.class_promote(
            from_class=from_class,
            to_class=c["to_class"],
            repeat_class=c["repeat_class"],
            students=c["students"],
            date=c["date"],
            author=request.user,
            **_order(c),
        )

    return _class_move(
        request,
        form_class=forms.PromoteForm,
        title=_("Перевод в следующий класс"),
        kind="promote",
        run=run,
        help_text=_(
            "Класс переводится в класс следующей параллели следующего учебного года (обычно с 1 сентября). "
            "Неотмеченные учащиеся оставляются на повторное обучение."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def repeat(request):
    def run(from_class, c):
        return [
            services.student_repeat(
                student=c["student"],
                from_class=from_class,
                to_class=c["to_class"],
                date=c["date"],
                author=request.user,
                **_order(c),
            )
        ]

    return _class_move(
        request,
        form_class=forms.RepeatForm,
        title=_("Оставлен на повторное обучение"),
        kind="repeat",
        run=run,
    )


@login_required
@require_http_methods(["GET", "POST"])
def graduate(request):
    def run(from_class, c):
        return services.class_graduate(
            school_class=from_class, students=c["students"], date=c["date"], author=request.user, **_order(c)
        )

    return _class_move(
        request,
        form_class=forms.GraduateForm,
        title=_("Выпуск"),
        kind="graduate",
        run=run,
        help_text=_("Выпускают из 9 и 11 классов; отмечены все учащиеся класса — снимите отметку с остающихся."),
    )


# --- Reports ----------------------------------------------------------------------------------------


@login_required
@require_GET
def report(request):
    """«Движение учащихся» for a range of days: on the page, printable, and as XLSX."""
    _reader(request)
    school = request.school
    today = school_today(school)
    years = selectors.school_years(school=school)
    form = forms.ReportForm(request.GET or None, school=school)
    refused = form.is_bound and not form.is_valid()  # shown with its errors, answered 400
    chosen = {} if refused or not form.is_bound else form.cleaned_data
    year = chosen.get("year") or selectors.year_on(years, chosen.get("starts") or today)
    context = {"form": form, "year": year, "report": None}
    if year is not None:
        starts = chosen.get("starts") or year.starts
        ends = chosen.get("ends") or max(starts, selectors.clamp(today, year))
        if not form.errors:  # the form shows the range the report is for
            form = forms.ReportForm(initial={"year": year, "starts": starts, "ends": ends}, school=school)
            context["form"] = form
        data = selectors.movement_report(school=school, year=year, starts=starts, ends=ends)
        if request.GET.get("format") == "xlsx" and not refused:
            return xlsx.response(
                spreadsheets.movement_report_xlsx(data, school=school),
                f"dvizhenie-{starts:%Y%m%d}-{ends:%Y%m%d}.xlsx",
            )
        spans = (
            Period.objects.filter(school=school, year=year)
            .order_by("starts", "ends")
            .values_list("name", "starts", "ends")
            .distinct()
        )
        context.update(report=data, spans=list(spans))
    template = "movement/report_print.html" if request.GET.get("print") else "movement/report.html"
    return render(request, template, context, status=400 if refused else 200)


@login_required
@require_GET
def class_sizes(request):
    """«Наполняемость классов» on a day: on the page, printable, and as XLSX."""
    _reader(request)
    school = request.school
    today = school_today(school)
    years = selectors.school_years(school=school)
    form = forms.SizesForm(request.GET or None, school=school)
    refused = form.is_bound and not form.is_valid()  # shown with its errors, answered 400
    chosen = {} if refused or not form.is_bound else form.cleaned_data
    day: dt.date | None = chosen.get("day")
    year = chosen.get("year") or selectors.year_on(years, day or today)
    context = {"form": form, "year": year, "sizes": None}
    if year is not None:
        day = day or selectors.clamp(today, year)
        if not form.errors:
            form = forms.SizesForm(initial={"year": year, "day": day}, school=school)
            context["form"] = form
        data = selectors.class_sizes(school=school, year=year, day=day)
        if request.GET.get("format") == "xlsx" and not refused:
            return xlsx.response(spreadsheets.class_sizes_xlsx(data, school=school), f"napolnyaemost-{day:%Y%m%d}.xlsx")
        context["sizes"] = data
    template = "movement/sizes_print.html" if request.GET.get("print") else "movement/sizes.html"
    return render(request, template, context, status=400 if refused else 200)
