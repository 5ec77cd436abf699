"""Writes of the year's administration (ORG-2, ORG-3): the year's lifecycle (planned → active →
closed), creating the next year from this one, attestation periods per grade range, holidays
(каникулы), classes, the school week and corrections of the production calendar.

Every function is keyword-only, validates, writes in one transaction and returns; a rule broken
is a ValidationError with a Russian message. A closed year is read-only.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from apps.diary.cache import school_changed
from apps.people.models import Staff
from apps.people.services import class_group
from apps.registration.deadlines import school_today
from apps.schools.models import AcademicYear, Group, Holiday, Period, SchoolClass

from . import rules, selectors
from .models import CalendarDay, YearSettings

Status = AcademicYear.Status


def _open(year: AcademicYear) -> None:
    if year.status == Status.CLOSED:
        raise ValidationError(_("Учебный год %(year)s закрыт: его данные только для чтения.") % {"year": year.name})


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 2, 28)


def year_name(starts: dt.date) -> str:
    return f"{starts.year}/{starts.year + 1}"


def next_year_dates(year: AcademicYear) -> tuple[dt.date, dt.date]:
    """1 September – 31 August of the year after this one (ORG-2)."""
    y = year.starts.year + 1
    return dt.date(y, 9, 1), dt.date(y + 1, 8, 31)


# --- The lifecycle --------------------------------------------------------------------------------


@transaction.atomic
def year_create(*, school, starts: dt.date, ends: dt.date, author) -> AcademicYear:
    """The school's first year (nothing to copy from), planned."""
    if starts >= ends:
        raise ValidationError(_("Начало учебного года должно быть раньше его окончания."))
    name = year_name(starts)
    if AcademicYear.objects.filter(school=school, name=name).exists():
        raise ValidationError(_("Учебный год %(name)s уже создан.") % {"name": name})
    return AcademicYear.objects.create(school=school, name=name, starts=starts, ends=ends, status=Status.PLANNED)


@transaction.atomic
def year_create_next(
    *, year: AcademicYear, author, starts: dt.date | None = None, ends: dt.date | None = None
) -> AcademicYear:
    """Create the year after `year` (status «планируется») with its structure copied for review:
    classes promoted one grade (the 11th leave; new first grades with the letters of this year's
    first grade), class teachers carried along, periods and holidays moved to the new dates, the
    school week and the curriculum (ORG-2, ORG-3, ORG-5). Students are not moved here: the
    movement book promotes them (ORG-9)."""
    default_starts, default_ends = next_year_dates(year)
    starts, ends = starts or default_starts, ends or default_ends
    if starts >= ends:
        raise ValidationError(_("Начало учебного года должно быть раньше его окончания."))
    if starts <= year.ends:
        raise ValidationError(
            _("Следующий учебный год должен начинаться после окончания %(year)s (%(ends)s).")
            % {"year": year.name, "ends": rules.d(year.ends)}
        )
    name = year_name(starts)
    if AcademicYear.objects.filter(school_id=year.school_id, name=name).exists():
        raise ValidationError(_("Учебный год %(name)s уже создан.") % {"name": name})
    new = AcademicYear.objects.create(
        school_id=year.school_id, name=name, starts=starts, ends=ends, status=Status.PLANNED
    )
    years = starts.year - year.starts.year

    def moved(day: dt.date) -> dt.date:
        if day == year.starts:
            return starts
        return min(max(_shift_years(day, years), starts), ends)

    Period.objects.bulk_create(
        Period(
            school_id=new.school_id,
            year=new,
            name=p.name,
            kind=p.kind,
            grade_from=p.grade_from,
            grade_to=p.grade_to,
            order=p.order,
            starts=moved(p.starts),
            ends=moved(p.ends),
        )
        for p in year.periods.all()
    )
    Holiday.objects.bulk_create(
        Holiday(school_id=new.school_id, year=new, name=h.name, starts=moved(h.starts), ends=moved(h.ends))
        for h in year.holidays.all()
        if moved(h.starts) <= moved(h.ends)
    )
    old_classes = list(year.classes.select_related("class_teacher"))
    staying = [
        SchoolClass(
            school_id=new.school_id,
            year=new,
            grade=c.grade + 1,
            letter=c.letter,
            class_teacher=c.class_teacher if c.class_teacher and not _left(c.class_teacher, starts) else None,
        )
        for c in old_classes
        if c.grade < 11
    ]
    first = [
        SchoolClass(school_id=new.school_id, year=new, grade=1, letter=c.letter) for c in old_classes if c.grade == 1
    ]
    for school_class in SchoolClass.objects.bulk_create(first + staying):
        class_group(school_class)
    week = selectors.school_week(year=year)
    if week != YearSettings.Week.FIVE:
        YearSettings.objects.create(school_id=new.school_id, year=new, week=week)
    from apps.curriculum.services import curriculum_copy  # the curriculum app builds on this one

    curriculum_copy(from_year=year, to_year=new)
    school_changed(new.school_id)  # bulk writes send no signals (the cached pages: apps.diary.cache)
    return new


def _left(staff: Staff, on: dt.date) -> bool:
    return staff.left_on is not None and staff.left_on < on


@transaction.atomic
def year_activate(*, year: AcademicYear, author) -> AcademicYear:
    """A planned year becomes the current one; a school has one current year at a time, and its
    periods must be right (ORG-2)."""
    year.status = AcademicYear.objects.select_for_update().values_list("status", flat=True).get(pk=year.pk)
    if year.status != Status.PLANNED:
        raise ValidationError(_("Текущим можно сделать только планируемый учебный год."))
    active = AcademicYear.objects.filter(school_id=year.school_id, status=Status.ACTIVE).first()
    if active is not None:
        raise ValidationError(
            _("Текущий учебный год уже есть — %(year)s. Сначала закройте его, затем сделайте текущим %(new)s.")
            % {"year": active.name, "new": year.name}
        )
    errors = rules.period_errors(year.periods.all(), year_starts=year.starts, year_ends=year.ends)
    if errors:
        raise ValidationError([_("Сначала исправьте учебные периоды.")] + errors)
    year.status = Status.ACTIVE
    year.save(update_fields=["status"])
    return year


@transaction.atomic
def year_close(*, year: AcademicYear, author, confirm: bool = False) -> AcademicYear:
    """The current year is closed: its journals become read-only (ORG-2; access.can_write_journal
    refuses writes into a closed year). Closing before the year's last day needs confirmation."""
    year.status = AcademicYear.objects.select_for_update().values_list("status", flat=True).get(pk=year.pk)
    if year.status != Status.ACTIVE:
        raise ValidationError(_("Закрыть можно только текущий учебный год."))
    if school_today(year.school) < year.ends and not confirm:
        raise ValidationError(
            _(
                "Учебный год %(year)s ещё не окончен (последний день — %(ends)s). После закрытия журналы "
                "станут доступны только для чтения. Подтвердите закрытие."
            )
            % {"year": year.name, "ends": rules.d(year.ends)},
            code="confirm",
        )
    year.status = Status.CLOSED
    year.save(update_fields=["status"])
    return year


@transaction.atomic
def year_update(*, year: AcademicYear, name: str, starts: dt.date, ends: dt.date, week: int, author) -> AcademicYear:
    """The year's name, dates and school week; its periods, holidays must stay inside the dates."""
    _open(year)
    name = name.strip()
    if not name:
        raise ValidationError(_("Укажите название учебного года, например «2027/2028»."))
    if starts >= ends:
        raise ValidationError(_("Начало учебного года должно быть раньше его окончания."))
    if AcademicYear.objects.filter(school_id=year.school_id, name=name).exclude(pk=year.pk).exists():
        raise ValidationError(_("Учебный год %(name)s уже есть.") % {"name": name})
    if week not in YearSettings.Week.values:
        raise ValidationError(_("Учебная неделя — пятидневная или шестидневная."))
    outside = [
        f"«{p.name}» ({rules.grades_label(p.grade_from, p.grade_to)})"
        for p in year.periods.all()
        if p.starts < starts or p.ends > ends
    ] + [f"«{h.name}»" for h in year.holidays.all() if h.starts < starts or h.ends > ends]
    if outside:
        raise ValidationError(
            _("Новые даты не вмещают: %(list)s. Сначала измените их даты.") % {"list": ", ".join(outside)}
        )
    year.name, year.starts, year.ends = name, starts, ends
    year.save(update_fields=["name", "starts", "ends"])
    YearSettings.objects.update_or_create(year=year, defaults={"school_id": year.school_id, "week": week})
    return year


# --- Periods ----------------------------------------------------------------------------------------


def periods_propose(*, year: AcademicYear, kind: str) -> list[tuple[str, dt.date, dt.date]]:
    """Proposed names and dates of the periods of `kind` from the year's study days (its dates, the
    production calendar, the school week and the holidays)."""
    days = selectors.study_days(year=year, ends=rules.study_span_end(year.starts, year.ends))
    return rules.propose(kind, days)


def _check_marks(periods) -> None:
    from apps.journal.models import PeriodMark

    if PeriodMark.objects.filter(period__in=periods).exists():
        raise ValidationError(_("Схему этих периодов изменить нельзя: по ним уже выставлены итоговые отметки."))


@transaction.atomic
def period_scheme_set(*, year: AcademicYear, grade_from: int, grade_to: int, kind: str, author) -> list[Period]:
    """Give the grades grade_from…grade_to periods of `kind` with proposed dates (to be checked and
    edited); the other schemes give up those grades (a 1–11 scheme set to 10–11 becomes 1–9)."""
    _open(year)
    if not 1 <= grade_from <= grade_to <= 11:
        raise ValidationError(_("Параллели — от 1 до 11, «с» не больше «по»."))
    if kind not in rules.COUNTS:
        raise ValidationError(_("Выберите вид периодов."))
    proposed = periods_propose(year=year, kind=kind)
    if not proposed:
        raise ValidationError(_("В датах учебного года слишком мало учебных дней, чтобы разделить его на периоды."))
    touched = [p for p in year.periods.all() if p.grade_from <= grade_to and p.grade_to >= grade_from]
    _check_marks(touched)
    trimmed, copies, dropped = [], [], []
    for p in touched:
        rest = []
        if p.grade_from < grade_from:
            rest.append((p.grade_from, grade_from - 1))
        if p.grade_to > grade_to:
            rest.append((grade_to + 1, p.grade_to))
        if not rest:
            dropped.append(p.pk)
            continue
        # The period keeps its row (and whatever refers to it) for the grades left to it; a
        # scheme cut in two gets a copy for its upper part.
        (p.grade_from, p.grade_to), *more = rest
        trimmed.append(p)
        copies += [
            Period(
                school_id=year.school_id,
                year=year,
                name=p.name,
                kind=p.kind,
                grade_from=r_from,
                grade_to=r_to,
                order=p.order,
                starts=p.starts,
                ends=p.ends,
            )
            for r_from, r_to in more
        ]
    try:
        with transaction.atomic():
            Period.objects.filter(pk__in=dropped).delete()
            Period.objects.bulk_update(trimmed, ["grade_from", "grade_to"])
    except ProtectedError:
        raise ValidationError(_("Эти периоды уже используются (отметки, расписание): схему изменить нельзя.")) from None
    except IntegrityError:
        raise ValidationError(_("Схемы периодов пересекаются: сначала исправьте их.")) from None
    new = [
        Period(
            school_id=year.school_id,
            year=year,
            name=name,
            kind=kind,
            grade_from=grade_from,
            grade_to=grade_to,
            order=i,
            starts=s,
            ends=e,
        )
        for i, (name, s, e) in enumerate(proposed, start=1)
    ]
    Period.objects.bulk_create(copies + new)
    school_changed(year.school_id)  # bulk writes send no signals (the cached pages: apps.diary.cache)
    return list(Period.objects.filter(year=year, grade_from=grade_from, grade_to=grade_to).order_by("order"))


@transaction.atomic
def periods_save(*, year: AcademicYear, changes: dict[int, tuple[str, dt.date | None, dt.date | None]], author):
    """Save the names and dates of the year's periods ({pk: (name, starts, ends)}) if the whole
    scheme stays right; otherwise nothing is written and every error is reported."""
    _open(year)
    periods = list(Period.objects.select_for_update().filter(year=year))
    by_pk = {p.pk: p for p in periods}
    if set(changes) - set(by_pk):
        raise ValidationError(_("Страница устарела: периоды изменились. Откройте её заново."))
    for pk, (name, starts, ends) in changes.items():
        p = by_pk[pk]
        p.name, p.starts, p.ends = name.strip(), starts, ends
    errors = rules.period_errors(periods, year_starts=year.starts, year_ends=year.ends)
    if errors:
        raise ValidationError(errors)
    Period.objects.bulk_update([by_pk[pk] for pk in changes], ["name", "starts", "ends"])
    school_changed(year.school_id)  # bulk writes send no signals (the cached pages: apps.diary.cache)
    return periods


# --- Holidays (каникулы) ------------------------------------------------------------------------------


@transaction.atomic
def holiday_save(
    *, year: AcademicYear, name: str, starts: dt.date, ends: dt.date, author, holiday: Holiday | None = None
) -> Holiday:
    """Add or change a holiday of the year: inside the year, not overlapping another (ORG-2)."""
    _open(year)
    name = name.strip()
    if not name:
        raise ValidationError(_("Укажите название каникул, например «Осенние каникулы»."))
    if starts > ends:
        raise ValidationError(_("Начало каникул должно быть не позже их окончания."))
    if starts < year.starts or ends > year.ends:
        raise ValidationError(
            _("Каникулы должны быть внутри учебного года (%(s)s — %(e)s).")
            % {"s": rules.d(year.starts), "e": rules.d(year.ends)}
        )
    clash = (
        Holiday.objects.filter(year=year, starts__lte=ends, ends__gte=starts)
        .exclude(pk=getattr(holiday, "pk", None))
        .first()
    )
    if clash:
        raise ValidationError(
            _("Каникулы пересекаются с «%(name)s» (%(s)s — %(e)s).")
            % {"name": clash.name, "s": rules.d(clash.starts), "e": rules.d(clash.ends)}
        )
    if holiday is None:
        holiday = Holiday(school_id=year.school_id, year=year)
    holiday.name, holiday.starts, holiday.ends = name, starts, ends
    holiday.save()
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, author) -> None:
    _open(holiday.year)
    holiday.delete()


# --- Classes (ORG-3) -------------------------------------------------------------------------------


def _letter(letter: str) -> str:
    letter = letter.strip().upper()
    if not letter or len(letter) > 3:
        raise ValidationError(_("Литера класса — от одного до трёх знаков, например «А»."))
    return letter


@transaction.atomic
def class_save(
    *,
    year: AcademicYear,
    grade: int,
    letter: str,
    class_teacher: Staff | None,
    author,
    school_class: SchoolClass | None = None,
) -> SchoolClass:
    """Add or change a class of the year (grade 1–11, letter, class teacher of the school's staff);
    a new class gets its whole-class group."""
    _open(year)
    if not 1 <= grade <= 11:
        raise ValidationError(_("Параллель класса — от 1 до 11."))
    letter = _letter(letter)
    if class_teacher is not None:
        if class_teacher.school_id != year.school_id:
            raise ValidationError(_("Классный руководитель — сотрудник этой школы."))
        if _left(class_teacher, year.starts):
            raise ValidationError(_("%(name)s уволен(а) до начала учебного года.") % {"name": class_teacher})
    if (
        SchoolClass.objects.filter(year=year, grade=grade, letter=letter)
        .exclude(pk=getattr(school_class, "pk", None))
        .exists()
    ):
        raise ValidationError(_("Класс %(g)d%(l)s в этом году уже есть.") % {"g": grade, "l": letter})
    created = school_class is None
    if created:
        school_class = SchoolClass(school_id=year.school_id, year=year)
    school_class.grade, school_class.letter, school_class.class_teacher = grade, letter, class_teacher
    try:
        with transaction.atomic():
            school_class.save()
    except IntegrityError:
        raise ValidationError(_("Класс %(g)d%(l)s в этом году уже есть.") % {"g": grade, "l": letter}) from None
    group = class_group(school_class)
    if not created and group.name != str(school_class):
        group.name = str(school_class)
        group.save(update_fields=["name"])
    return school_class


@transaction.atomic
def class_delete(*, school_class: SchoolClass, author) -> None:
    """Remove a class entered by mistake — only while nothing (students, journals, groups with
    members) refers to it."""
    _open(school_class.year)
    try:
        with transaction.atomic():
            Group.objects.filter(school_class=school_class, kind=Group.Kind.CLASS).delete()
            school_class.delete()
    except ProtectedError:
        raise ValidationError(
            _("Класс %(c)s удалить нельзя: с ним уже связаны учащиеся, журналы или группы.") % {"c": school_class}
        ) from None


# --- The production calendar ------------------------------------------------------------------------


@transaction.atomic
def calendar_day_set(*, school, day: dt.date, is_working: bool, note: str, author) -> CalendarDay:
    """The school's correction of one day of the production calendar; it wins over the library."""
    note = note.strip()
    if len(note) > 200:
        raise ValidationError(_("Основание — не длиннее 200 знаков."))
    correction, _created = CalendarDay.objects.update_or_create(
        school=school, date=day, defaults={"is_working": is_working, "note": note, "author": author}
    )
    return correction


@transaction.atomic
def calendar_day_clear(*, school, day: dt.date, author) -> bool:
    """Drop the correction of a day: the production calendar decides again."""
    deleted, _by_model = CalendarDay.objects.filter(school=school, date=day).delete()
    return bool(deleted)
