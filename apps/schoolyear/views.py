"""The year's administration pages (ORG-2, ORG-3) for whoever has «вести учебный год» (the journal
administrator and the deputy by default); everyone else gets a 404. Views are thin: forms check
the input, services.py the rules, selectors.py reads."""

import datetime as dt
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts import access
from apps.registration.deadlines import school_today
from apps.rights import registry as rights
from apps.schools.models import AcademicYear, Holiday, SchoolClass

from . import forms, rules, selectors, services
from .models import YearSettings


def year_manager(view=None, *, post_only=False):
    """Signed in (else to the sign-in page), with «вести учебный год» in the current school (else
    404); a POST-only action answers 405 to a GET, once the right is there."""

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not access.can(request, rights.YEAR_MANAGE):
                raise Http404
            if request.method not in (("POST",) if post_only else ("GET", "POST")):
                return HttpResponseNotAllowed(["POST"] if post_only else ["GET", "POST"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view else decorate


def _report(request, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


def _to_year(year) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("schoolyear:year", args=[year.pk]))


def _holiday(request, pk) -> Holiday:
    try:
        return Holiday.objects.select_related("year").get(school=request.school, pk=pk)
    except (Holiday.DoesNotExist, ValueError):
        raise Http404 from None


def _class(request, pk) -> SchoolClass:
    try:
        return SchoolClass.objects.select_related("year", "class_teacher").get(school=request.school, pk=pk)
    except (SchoolClass.DoesNotExist, ValueError):
        raise Http404 from None


# --- Years ---------------------------------------------------------------------------------------------


@year_manager
def index(request):
    years = selectors.school_years(school=request.school)
    return render(
        request,
        "schoolyear/index.html",
        {
            "years": [(y, selectors.period_schemes(y.periods.all())) for y in years],
            "warnings": selectors.year_warnings(years=years, today=school_today(request.school)),
        },
    )


@year_manager
def year_add(request):
    """Create the next year from the newest one (its structure copied), or the school's first."""
    base = AcademicYear.objects.filter(school=request.school).order_by("-starts").first()
    if base is not None:
        starts, ends = services.next_year_dates(base)
    else:
        today = school_today(request.school)
        y = today.year if today.month >= 7 else today.year - 1
        starts, ends = dt.date(y, 9, 1), dt.date(y + 1, 8, 31)
    form = forms.NextYearForm(request.POST or None, initial={"starts": starts, "ends": ends})
    if request.method == "POST" and form.is_valid():
        try:
            if base is not None:
                year = services.year_create_next(year=base, author=request.user, **form.cleaned_data)
            else:
                year = services.year_create(school=request.school, author=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(
                request,
                _("Учебный год %(year)s создан. Проверьте классы, периоды и каникулы, затем сделайте его текущим.")
                % {"year": year.name},
            )
            return _to_year(year)
    return render(request, "schoolyear/year_add.html", {"form": form, "base": base})


@year_manager
def year(request, pk):
    year = selectors.get_year(school=request.school, pk=pk)
    years = selectors.school_years(school=request.school)
    year = next(y for y in years if y.pk == year.pk)
    classes = list(year.classes.all())
    today = school_today(request.school)
    return render(
        request,
        "schoolyear/year.html",
        {
            "year": year,
            "classes": classes,
            "without_role": selectors.class_teachers_without_role(school=request.school, classes=classes),
            "schemes": selectors.period_schemes(year.periods.all()),
            "period_errors": rules.period_errors(year.periods.all(), year_starts=year.starts, year_ends=year.ends),
            "holidays": list(year.holidays.all()),
            "week": selectors.school_week(year=year),
            "warnings": [w for w in selectors.year_warnings(years=years, today=today) if w.year_pk == year.pk],
            "early_close": today < year.ends,
            "is_closed": year.status == AcademicYear.Status.CLOSED,
        },
    )


@year_manager
def year_edit(request, pk):
    year = selectors.get_year(school=request.school, pk=pk)
    initial = {"name": year.name, "starts": year.starts, "ends": year.ends, "week": selectors.school_week(year=year)}
    form = forms.YearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.year_update(year=year, author=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Учебный год %(year)s сохранён.") % {"year": year.name})
            return _to_year(year)
    return render(request, "schoolyear/year_form.html", {"form": form, "year": year})


@year_manager(post_only=True)
def year_activate(request, pk):
    year = selectors.get_year(school=request.school, pk=pk)
    try:
        services.year_activate(year=year, author=request.user)
    except ValidationError as e:
        _report(request, e)
    else:
        messages.success(request, _("Учебный год %(year)s — текущий.") % {"year": year.name})
    return _to_year(year)


@year_manager(post_only=True)
def year_close(request, pk):
    year = selectors.get_year(school=request.school, pk=pk)
    try:
        services.year_close(year=year, author=request.user, confirm=bool(request.POST.get("confirm")))
    except ValidationError as e:
        _report(request, e)
    else:
        messages.success(
            request, _("Учебный год %(year)s закрыт: его журналы теперь только для чтения.") % {"year": year.name}
        )
    return _to_year(year)


# --- Periods -------------------------------------------------------------------------------------------


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


@year_manager
def periods(request, pk):
    year = selectors.get_year(school=request.school, pk=pk)
    rows = list(year.periods.order_by("grade_from", "grade_to", "order"))
    errors: list[str] = []
    if request.method == "POST":
        changes, bad = {}, []
        for p in rows:
            name = request.POST.get(f"name-{p.pk}", p.name)
            starts = _parse_date(request.POST.get(f"starts-{p.pk}", ""))
            ends = _parse_date(request.POST.get(f"ends-{p.pk}", ""))
            if starts is None or ends is None:
                bad.append(_("«%(name)s»: укажите даты начала и окончания.") % {"name": name or p.name})
            changes[p.pk] = (name, starts, ends)
            p.name, p.starts, p.ends = name, starts or p.starts, ends or p.ends  # shown back as typed
        if bad:
            errors = bad
        else:
            try:
                services.periods_save(year=year, changes=changes, author=request.user)
            except ValidationError as e:
                errors = e.messages
            else:
                messages.success(request, _("Учебные периоды сохранены."))
                return HttpResponseRedirect(reverse("schoolyear:periods", args=[year.pk]))
    else:
        errors = rules.period_errors(rows, year_starts=year.starts, year_ends=year.ends)
    return render(
        request,
        "schoolyear/periods.html",
        {
            "year": year,
            "schemes": selectors.period_schemes(rows),
            "errors": errors,
            "scheme_form": forms.SchemeForm(),
            "is_closed": year.status == AcademicYear.Status.CLOSED,
        },
    )


@year_manager(post_only=True)
def period_scheme(request, pk):
    year = selectors.get_year(school=request.school, pk=pk)
    form = forms.SchemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите параллели и вид периодов."))
    else:
        try:
            made = services.period_scheme_set(year=year, author=request.user, **form.cleaned_data)
        except ValidationError as e:
            _report(request, e)
        else:
            messages.success(
                request,
                _("%(grades)s: предложены даты — %(list)s. Проверьте их и при необходимости исправьте.")
                % {
                    "grades": rules.grades_label(form.cleaned_data["grade_from"], form.cleaned_data["grade_to"]),
                    "list": "; ".join(f"{p.name} {rules.d(p.starts)}–{rules.d(p.ends)}" for p in made),
                },
            )
    return HttpResponseRedirect(reverse("schoolyear:periods", args=[year.pk]))


# --- Holidays ------------------------------------------------------------------------------------------


def _holiday_page(request, year, holiday=None):
    initial = {"name": holiday.name, "starts": holiday.starts, "ends": holiday.ends} if holiday else None
    form = forms.HolidayForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("delete") and holiday is not None:
        try:
            services.holiday_delete(holiday=holiday, author=request.user)
        except ValidationError as e:
            _report(request, e)
        else:
            messages.success(request, _("Каникулы «%(name)s» удалены.") % {"name": holiday.name})
        return _to_year(year)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.holiday_save(year=year, holiday=holiday, author=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Каникулы «%(name)s» сохранены.") % {"name": saved.name})
            return _to_year(year)
    return render(request, "schoolyear/holiday_form.html", {"form": form, "year": year, "holiday": holiday})


@year_manager
def holiday_add(request, pk):
    return _holiday_page(request, selectors.get_year(school=request.school, pk=pk))


@year_manager
def holiday(request, pk):
    holiday = _holiday(request, pk)
    return _holiday_page(request, holiday.year, holiday)


# --- Classes -------------------------------------------------------------------------------------------


def _class_page(request, year, school_class=None):
    initial = None
    if school_class is not None:
        initial = {
            "grade": school_class.grade,
            "letter": school_class.letter,
            "class_teacher": school_class.class_teacher_id,
        }
    staff = selectors.staff_choices(school=request.school, year=year)
    form = forms.ClassForm(request.POST or None, initial=initial, staff=staff)
    if request.method == "POST" and request.POST.get("delete") and school_class is not None:
        try:
            services.class_delete(school_class=school_class, author=request.user)
        except ValidationError as e:
            _report(request, e)
        else:
            messages.success(request, _("Класс %(c)s удалён.") % {"c": school_class})
        return _to_year(year)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.class_save(year=year, school_class=school_class, author=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Класс %(c)s сохранён.") % {"c": saved})
            return _to_year(year)
    return render(request, "schoolyear/class_form.html", {"form": form, "year": year, "school_class": school_class})


@year_manager
def class_add(request, pk):
    return _class_page(request, selectors.get_year(school=request.school, pk=pk))


@year_manager
def school_class(request, pk):
    school_class = _class(request, pk)
    return _class_page(request, school_class.year, school_class)


# --- The production calendar ---------------------------------------------------------------------------


@year_manager
def calendar(request):
    year = None
    if request.GET.get("year"):
        year = selectors.get_year(school=request.school, pk=request.GET["year"])
    year = year or selectors.current_year(school=request.school)
    if year is None:
        messages.info(request, _("Сначала создайте учебный год."))
        return HttpResponseRedirect(reverse("schoolyear:index"))
    months, days = selectors.calendar_months(year=year)
    chosen = _parse_date(request.GET.get("day", ""))
    chosen_info = days.get(chosen) if chosen else None
    initial = {"date": chosen}
    if chosen_info is not None:
        initial["is_working"] = "0" if chosen_info.is_working else "1"  # the likely correction: the other way
        if chosen_info.correction:
            initial["is_working"] = "1" if chosen_info.correction.is_working else "0"
            initial["note"] = chosen_info.correction.note
    notable = [
        info
        for info in days.values()
        if year.starts <= info.date <= year.ends and (info.name or info.is_transferred_workday or info.correction)
    ]
    return render(
        request,
        "schoolyear/calendar.html",
        {
            "year": year,
            "years": list(AcademicYear.objects.filter(school=request.school).order_by("-starts")),
            "months": months,
            "notable": notable,
            "form": forms.CalendarDayForm(initial=initial),
            "chosen": chosen_info,
            "week": selectors.school_week(year=year),
            "six_days": selectors.school_week(year=year) == YearSettings.Week.SIX,
            "study_count": sum(1 for info in days.values() if info.is_study),
        },
    )


@year_manager(post_only=True)
def calendar_day(request):
    year_pk = request.POST.get("year", "")
    back = reverse("schoolyear:calendar") + (f"?year={year_pk}" if year_pk.isdigit() else "")
    if request.POST.get("clear"):
        day = _parse_date(request.POST.get("date", ""))
        if day is None:
            messages.error(request, _("Укажите дату."))
        elif services.calendar_day_clear(school=request.school, day=day, author=request.user):
            messages.success(
                request, _("Поправка на %(d)s снята: действует производственный календарь.") % {"d": rules.d(day)}
            )
        return HttpResponseRedirect(back)
    form = forms.CalendarDayForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return HttpResponseRedirect(back)
    try:
        correction = services.calendar_day_set(
            school=request.school,
            day=form.cleaned_data["date"],
            is_working=form.cleaned_data["is_working"],
            note=form.cleaned_data["note"],
            author=request.user,
        )
    except ValidationError as e:
        _report(request, e)
    else:
        messages.success(
            request,
            (
                _("%(d)s — рабочий день (поправка школы).")
                if correction.is_working
                else _("%(d)s — выходной (поправка школы).")
            )
            % {"d": rules.d(correction.date)},
        )
    return HttpResponseRedirect(back + f"{'&' if '?' in back else '?'}day={form.cleaned_data['date'].isoformat()}")
