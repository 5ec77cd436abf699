"""Writes of the movement book (ORG-9): each move writes its book entry and the enrolments the
journals follow, in one transaction, or nothing at all.

Dates. `date` is the day the move takes effect: the student is in the new class (or out of the
school) from that day on, and his last day in the old class is the day before. A student
transferred on 10 November is in the new class's journals from 10 November; the old class's
journals keep his marks up to 9 November.

A move is refused (ValidationError with a Russian message) when it cannot have happened: a date
outside the school year, a class of another year or of another school, the same class, a
student who is not in the class on the day before the move, or a move before one already
recorded (moves are recorded in the order they happen; a wrong one is undone by the opposite
move, not by editing the past).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.people import services as people
from apps.people.models import Enrolment, Student
from apps.registration.deadlines import school_today
from apps.schools.models import AcademicYear, School, SchoolClass

from .models import ENTRY_WORKING_DAYS, MovementEntry
from .selectors import class_students_to_move

Kind = MovementEntry.Kind
DAY = dt.timedelta(days=1)
# Grades a student may graduate from: the basic (9) and the secondary (11) school.
GRADUATION_GRADES = (9, 11)


# --- Working days (ORG-9: an order is entered within 5 working days) ------------------------------


def is_working_day(*, school: School, day: dt.date) -> bool:
    """The school's production calendar when the school year app has it, else Monday to Friday."""
    try:
        from apps.schoolyear.selectors import is_working_day as calendar_is_working_day
    except ImportError:
        return day.weekday() < 5
    return calendar_is_working_day(school=school, day=day)


def entered_late(*, school: School, order_date: dt.date, recorded_on: dt.date) -> bool:
    """Was the order written in the book more than 5 working days after its date? The days are
    counted from the day after the order; counting stops as soon as the answer is known."""
    counted = 0
    day = order_date
    while day < recorded_on:
        day += DAY
        if is_working_day(school=school, day=day):
            counted += 1
            if counted > ENTRY_WORKING_DAYS:
                return True
    return False


# --- Checks ----------------------------------------------------------------------------------------


def _d(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _same_school(school_id: int, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.school_id != school_id:
            raise ValidationError(_("Учащийся и классы должны быть одной школы."))


def _open_year(school_class: SchoolClass) -> None:
    if school_class.year.status == AcademicYear.Status.CLOSED:
        raise ValidationError(
            _("Учебный год %(year)s закрыт: движение в его классах не записывается.") % {"year": school_class.year}
        )


def legal_year_end(year: AcademicYear) -> dt.date:
    """The last day of the school year in law (31 August), or the year's own end if later."""
    return max(year.ends, dt.date(year.ends.year, 8, 31))


def _date_in_year(date: dt.date, year: AcademicYear, *, leaving: bool = False) -> None:
    """A move into a class happens within its year; leaving one happens from its second day to the
    day after the year ends in law (a graduation in June, a withdrawal in the summer)."""
    first, last = (year.starts + DAY, legal_year_end(year) + DAY) if leaving else (year.starts, year.ends)
    if not first <= date <= last:
        raise ValidationError(
            {
                "date": _("Дата %(date)s вне учебного года %(year)s (%(first)s — %(last)s).")
                % {"date": _d(date), "year": year, "first": _d(first), "last": _d(last)}
            }
        )


def _check_order(*, school: School, order_number: str, order_date: dt.date | None) -> None:
    errors = {}
    if not (order_number or "").strip():
        errors["order_number"] = _("Укажите номер приказа.")
    if order_date is None:
        errors["order_date"] = _("Укажите дату приказа.")
    elif order_date > school_today(school):
        errors["order_date"] = _("Дата приказа не может быть позже сегодняшнего дня.")
    if errors:
        raise ValidationError(errors)


def _lock(student: Student) -> Student:
    """One move of a student at a time: the moves of a student are checked against each other."""
    return Student.objects.select_for_update().get(pk=student.pk)


def _stay_on(*, student: Student, day: dt.date) -> Enrolment | None:
    """The student's stay in any class that covers `day`, or one that starts after it."""
    return (
        Enrolment.objects.filter(student=student)
        .filter(Q(ends__isnull=True) | Q(ends__gte=day))
        .select_related("school_class")
        .order_by("starts")
        .first()
    )


def _leaving_stay(*, student: Student, school_class: SchoolClass, last_day: dt.date) -> Enrolment:
    """The student's stay in the class that covers his last day in it; refused when he is not in
    the class that day, or when a later move of his is already recorded."""
    stay = (
        Enrolment.objects.filter(student=student, school_class=school_class, starts__lte=last_day)
        .filter(Q(ends__isnull=True) | Q(ends__gte=last_day))
        .order_by("-starts")
        .first()
    )
    if stay is None:
        raise ValidationError(
            {
                "student": _("%(student)s не числится в классе %(class)s на %(day)s (последний день перед движением).")
                % {"student": student.full_name, "class": school_class, "day": _d(last_day)}
            }
        )
    later = Enrolment.objects.filter(student=student, starts__gt=last_day).select_related("school_class").first()
    if later is None and stay.ends is not None and stay.ends > last_day:
        later = stay
    if later is not None:
        raise ValidationError(
            {
                "student": _(
                    "У %(student)s уже записано более позднее движение (%(stay)s): новое движение должно быть "
                    "последним. Ошибочное движение исправляют обратным движением."
                )
                % {"student": student.full_name, "stay": later}
            }
        )
    return stay


# --- Writing an entry --------------------------------------------------------------------------------


def _next_number(school_id: int) -> int:
    """The next № of the school's book. The school's row is locked so that two entries written at
    the same moment do not take the same number."""
    list(School.objects.select_for_update().filter(pk=school_id).values_list("pk", flat=True))
    last = MovementEntry.objects.filter(school_id=school_id).order_by("-number").values_list("number", flat=True)
    return (last.first() or 0) + 1


def _write(
    *,
    school: School,
    student: Student,
    kind: str,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    from_class: SchoolClass | None = None,
    to_class: SchoolClass | None = None,
    where: str = "",
    note: str = "",
    corrects: MovementEntry | None = None,
    correction_reason: str = "",
) -> MovementEntry:
    recorded_on = corrects.recorded_on if corrects is not None else school_today(school)
    return MovementEntry.objects.create(
        school_id=school.pk,
        number=_next_number(school.pk),
        student=student,
        kind=kind,
        date=date,
        order_number=order_number.strip(),
        order_date=order_date,
        from_class=from_class,
        to_class=to_class,
        where=where.strip(),
        note=note.strip(),
        author=author,
        created_at=timezone.now(),
        recorded_on=recorded_on,
        is_late=entered_late(school=school, order_date=order_date, recorded_on=recorded_on),
        corrects=corrects,
        correction_reason=correction_reason.strip(),
    )


# --- The moves ---------------------------------------------------------------------------------------


@transaction.atomic
def student_admit(
    *,
    school: School,
    school_class: SchoolClass,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    student: Student | None = None,
    last_name: str = "",
    first_name: str = "",
    middle_name: str = "",
    birth_date: dt.date | None = None,
    where: str = "",
    note: str = "",
) -> MovementEntry:
    """Admit a student (one already known to the school, or a new one by name) into a class from
    `date`: he is in the class's journals from that day."""
    _same_school(school.pk, school_class, student)
    _check_order(school=school, order_number=order_number, order_date=order_date)
    _open_year(school_class)
    _date_in_year(date, school_class.year)
    if student is None:
        if not last_name.strip() or not first_name.strip():
            raise ValidationError({"last_name": _("Выберите учащегося из списка или укажите фамилию и имя нового.")})
        student = Student.objects.create(
            school_id=school.pk,
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            middle_name=middle_name.strip(),
            birth_date=birth_date,
        )
    else:
        student = _lock(student)
        stay = _stay_on(student=student, day=date)
        if stay is not None:
            raise ValidationError(
                {
                    "student": _("%(student)s уже числится в классе %(stay)s: зачислить можно только выбывшего.")
                    % {"student": student.full_name, "stay": stay}
                }
            )
    people.student_enrol(student=student, school_class=school_class, starts=date, order_number=order_number.strip())
    return _write(
        school=school,
        student=student,
        kind=Kind.ADMISSION,
        date=date,
        order_number=order_number,
        order_date=order_date,
        author=author,
        to_class=school_class,
        where=where,
        note=note,
    )


@transaction.atomic
def student_transfer(
    *,
    student: Student,
    from_class: SchoolClass,
    to_class: SchoolClass,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    note: str = "",
) -> MovementEntry:
    """Transfer a student to another class of the same year from `date`: his stay in the old class
    and his membership of its groups (the whole class, its subgroups) end the day before; he joins
    the new class's whole-class group on `date`. His marks stay in the old class's journals."""
    school = from_class.school
    _same_school(student.school_id, from_class, to_class)
    _check_order(school=school, order_number=order_number, order_date=order_date)
    if to_class.pk == from_class.pk:
        raise ValidationError(
            {"to_class": _("Учащийся уже в классе %(class)s: выберите другой класс.") % {"class": to_class}}
        )
    if to_class.year_id != from_class.year_id:
        raise ValidationError(
            {
                "to_class": _(
                    "Перевод в другой класс — в пределах одного учебного года; в класс следующего года переводят "
                    "«переводом в следующий класс»."
                )
            }
        )
    _open_year(from_class)
    _date_in_year(date, from_class.year)
    student = _lock(student)
    _leaving_stay(student=student, school_class=from_class, last_day=date - DAY)
    people.student_leave_class(student=student, school_class=from_class, last_day=date - DAY)
    people.student_enrol(student=student, school_class=to_class, starts=date, order_number=order_number.strip())
    return _write(
        school=school,
        student=student,
        kind=Kind.TRANSFER,
        date=date,
        order_number=order_number,
        order_date=order_date,
        author=author,
        from_class=from_class,
        to_class=to_class,
        note=note,
    )


def _leave_school(
    *,
    kind: str,
    student: Student,
    school_class: SchoolClass,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    where: str,
    note: str,
) -> MovementEntry:
    """Withdrawal and graduation: the stay in the class and every group membership end the day
    before `date`."""
    school = school_class.school
    _same_school(student.school_id, school_class)
    _check_order(school=school, order_number=order_number, order_date=order_date)
    _date_in_year(date, school_class.year, leaving=True)
    student = _lock(student)
    last_day = date - DAY
    # A stay the year already closed on its last day still counts as being in the class.
    _leaving_stay(student=student, school_class=school_class, last_day=min(last_day, school_class.year.ends))
    people.student_leave_class(student=student, school_class=school_class, last_day=last_day)
    people.student_leave_groups(student=student, last_day=last_day)
    return _write(
        school=school,
        student=student,
        kind=kind,
        date=date,
        order_number=order_number,
        order_date=order_date,
        author=author,
        from_class=school_class,
        where=where,
        note=note,
    )


@transaction.atomic
def student_withdraw(
    *,
    student: Student,
    school_class: SchoolClass,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    where: str = "",
    note: str = "",
) -> MovementEntry:
    """Withdraw a student (выбытие: to another school, abroad, …) from `date`: he leaves his class
    and every group; his last day is the day before."""
    _open_year(school_class)
    return _leave_school(
        kind=Kind.WITHDRAWAL,
        student=student,
        school_class=school_class,
        date=date,
        order_number=order_number,
        order_date=order_date,
        author=author,
        where=where,
        note=note,
    )


def _next_year_move(
    *,
    kind: str,
    student: Student,
    from_class: SchoolClass,
    to_class: SchoolClass,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    note: str,
) -> MovementEntry:
    """Into a class of a later year from `date` (promotion or repeating the grade): the stay in the
    old class and the memberships of the old year's groups end the day before."""
    student = _lock(student)
    last_day = date - DAY
    # A stay the old year already closed on its last day still counts as being in the class.
    _leaving_stay(student=student, school_class=from_class, last_day=min(last_day, from_class.year.ends))
    people.student_leave_class(student=student, school_class=from_class, last_day=last_day)
    people.student_leave_groups(student=student, last_day=last_day, year=from_class.year)
    people.student_enrol(student=student, school_class=to_class, starts=date, order_number=order_number.strip())
    return _write(
        school=from_class.school,
        student=student,
        kind=kind,
        date=date,
        order_number=order_number,
        order_date=order_date,
        author=author,
        from_class=from_class,
        to_class=to_class,
        note=note,
    )


def _check_next_year(*, from_class: SchoolClass, to_class: SchoolClass | None, date: dt.date, field: str) -> None:
    if to_class is None:
        raise ValidationError({field: _("Выберите класс следующего учебного года.")})
    _same_school(from_class.school_id, to_class)
    if to_class.year.starts <= from_class.year.starts:
        raise ValidationError(
            {
                field: _("Класс %(class)s не следующего учебного года, а %(year)s.")
                % {"class": to_class, "year": to_class.year}
            }
        )
    _open_year(to_class)
    _date_in_year(date, to_class.year)


@transaction.atomic
def student_repeat(
    *,
    student: Student,
    from_class: SchoolClass,
    to_class: SchoolClass | None,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    note: str = "",
) -> MovementEntry:
    """Keep a student down a year (оставлен на повторное обучение): from `date` he is in a class of
    the same grade of the next year."""
    _same_school(student.school_id, from_class)
    _check_order(school=from_class.school, order_number=order_number, order_date=order_date)
    _check_next_year(from_class=from_class, to_class=to_class, date=date, field="to_class")
    if to_class.grade != from_class.grade:
        raise ValidationError(
            {
                "to_class": _("На повторное обучение оставляют в классе той же параллели (%(grade)s).")
                % {"grade": from_class.grade}
            }
        )
    return _next_year_move(
        kind=Kind.REPEAT,
        student=student,
        from_class=from_class,
        to_class=to_class,
        date=date,
        order_number=order_number,
        order_date=order_date,
        author=author,
        note=note,
    )


@transaction.atomic
def class_promote(
    *,
    from_class: SchoolClass,
    to_class: SchoolClass | None,
    date: dt.date,
    students: Iterable[Student],
    order_number: str,
    order_date: dt.date,
    author: User | None,
    repeat_class: SchoolClass | None = None,
    note: str = "",
) -> list[MovementEntry]:
    """Promote a class to a class of the next grade of the next year from `date` (usually
    1 September): the chosen students move there; the others of the class are kept down a year in
    `repeat_class` (same grade, next year). Returns the promotions and then the repeats."""
    _check_order(school=from_class.school, order_number=order_number, order_date=order_date)
    if from_class.grade >= 11:
        raise ValidationError({"to_class": _("Из 11 класса не переводят в следующий: запишите выпуск.")})
    _check_next_year(from_class=from_class, to_class=to_class, date=date, field="to_class")
    if to_class.grade != from_class.grade + 1:
        raise ValidationError(
            {
                "to_class": _("В следующий класс переводят в %(grade)s-ю параллель, а не в %(class)s.")
                % {"grade": from_class.grade + 1, "class": to_class}
            }
        )
    chosen = {s.pk: s for s in students}
    if not chosen:
        raise ValidationError({"students": _("Отметьте учащихся, которых переводят.")})
    _same_school(from_class.school_id, *chosen.values())
    in_class = class_students_to_move(school_class=from_class, day=min(date - DAY, from_class.year.ends))
    strangers = [s for pk, s in chosen.items() if pk not in {c.pk for c in in_class}]
    if strangers:
        raise ValidationError(
            {
                "students": _("Не числятся в классе %(class)s к концу года или уже выбыли из него: %(names)s.")
                % {"class": from_class, "names": ", ".join(s.full_name for s in strangers)}
            }
        )
    left_behind = [s for s in in_class if s.pk not in chosen]
    if left_behind and repeat_class is None:
        raise ValidationError(
            {
                "repeat_class": _(
                    "Переводятся не все: выберите класс, в котором оставлены на повторное обучение %(names)s."
                )
                % {"names": ", ".join(s.full_name for s in left_behind)}
            }
        )
    entries = [
        _next_year_move(
            kind=Kind.PROMOTION,
            student=s,
            from_class=from_class,
            to_class=to_class,
            date=date,
            order_number=order_number,
            order_date=order_date,
            author=author,
            note=note,
        )
        for s in in_class
        if s.pk in chosen
    ]
    for s in left_behind:
        entries.append(
            student_repeat(
                student=s,
                from_class=from_class,
                to_class=repeat_class,
                date=date,
                order_number=order_number,
                order_date=order_date,
                author=author,
                note=note,
            )
        )
    return entries


def _check_graduation(school_class: SchoolClass) -> None:
    if school_class.grade not in GRADUATION_GRADES:
        raise ValidationError(
            {"students": _("Выпускают из 9 и 11 классов, а %(class)s — нет.") % {"class": school_class}}
        )


@transaction.atomic
def student_graduate(
    *,
    student: Student,
    school_class: SchoolClass,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    note: str = "",
) -> MovementEntry:
    """A student of grade 9 or 11 finishes school (выпуск): from `date` he is in no class."""
    _check_graduation(school_class)
    return _leave_school(
        kind=Kind.GRADUATION,
        student=student,
        school_class=school_class,
        date=date,
        order_number=order_number,
        order_date=order_date,
        author=author,
        where="",
        note=note,
    )


@transaction.atomic
def class_graduate(
    *,
    school_class: SchoolClass,
    date: dt.date,
    order_number: str,
    order_date: dt.date,
    author: User | None,
    students: Iterable[Student] | None = None,
    note: str = "",
) -> list[MovementEntry]:
    """Graduate a class (every student in it at the end of the year, or the chosen ones)."""
    _check_graduation(school_class)
    _check_order(school=school_class.school, order_number=order_number, order_date=order_date)
    _date_in_year(date, school_class.year, leaving=True)
    in_class = class_students_to_move(school_class=school_class, day=min(date - DAY, school_class.year.ends))
    if students is not None:
        chosen = {s.pk for s in students}
        strangers = chosen - {s.pk for s in in_class}
        if strangers:
            raise ValidationError({"students": _("Выбраны учащиеся не из класса %(class)s.") % {"class": school_class}})
        in_class = [s for s in in_class if s.pk in chosen]
    if not in_class:
        raise ValidationError({"students": _("Отметьте выпускников.")})
    return [
        student_graduate(
            student=s,
            school_class=school_class,
            date=date,
            order_number=order_number,
            order_date=order_date,
            author=author,
            note=note,
        )
        for s in in_class
    ]


# --- Corrections -------------------------------------------------------------------------------------


@transaction.atomic
def entry_correct(
    *,
    entry: MovementEntry,
    author: User | None,
    order_number: str,
    order_date: dt.date,
    reason: str,
    where: str = "",
    note: str = "",
) -> MovementEntry:
    """Correct the order's number or date, «откуда/куда» or the note of an entry: a new entry of
    the same move that points to the one it corrects; the old one stays in the book. The move
    itself (student, class, date) is not corrected here: a wrong move is undone by the opposite
    move. The 5-day check keeps the day the move was first entered."""
    school = entry.school
    entry = MovementEntry.objects.select_for_update().get(pk=entry.pk)
    if MovementEntry.objects.filter(corrects=entry).exists():
        raise ValidationError(
            _("Запись № %(number)s уже исправлена: исправляйте последнюю запись.") % {"number": entry.number}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Укажите причину исправления.")})
    _check_order(school=school, order_number=order_number, order_date=order_date)
    same = (order_number.strip(), order_date, where.strip(), note.strip()) == (
        entry.order_number,
        entry.order_date,
        entry.where,
        entry.note,
    )
    if same:
        raise ValidationError(_("Ничего не изменено: исправление должно что-то исправлять."))
    return _write(
        school=school,
        student=entry.student,
        kind=entry.kind,
        date=entry.date,
        order_number=order_number,
        order_date=order_date,
        author=author,
        from_class=entry.from_class,
        to_class=entry.to_class,
        where=where,
        note=note,
        corrects=entry,
        correction_reason=reason,
    )
