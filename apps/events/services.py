"""Writes of the events calendar (ORG-10) and of the exam choices (ORG-11).

Who may write what is decided by the views (apps.events.permissions); the rules of the data
themselves are here: an event lies within one open school year and never ends before it starts;
an exam choice is for a student of grade 9 or 11, one per subject and year.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.people.models import Enrolment, Student
from apps.schools.models import AcademicYear, School, SchoolClass, Subject

from .models import Event, ExamChoice

# Which exam a grade takes: ОГЭ after the 9th grade, ЕГЭ after the 11th, ГВЭ (the state final
# exam in another form, for students with special needs) after either.
EXAM_GRADES = {
    ExamChoice.Exam.OGE: {9},
    ExamChoice.Exam.EGE: {11},
    ExamChoice.Exam.GVE: {9, 11},
}
EXAM_GRADE_LEVELS = (9, 11)


# ---------------------------------------------------------------------------------------------
# Events


def _year_for(*, school: School, school_class: SchoolClass | None, date: dt.date, ends: dt.date | None):
    if school_class is not None:
        if school_class.school_id != school.pk:
            raise ValidationError({"school_class": _("Такого класса в школе нет.")})
        year = school_class.year
    else:
        year = AcademicYear.objects.filter(school_id=school.pk, starts__lte=date, ends__gte=date).first()
        if year is None:
            raise ValidationError({"date": _("Дата события не входит ни в один учебный год школы.")})
    last = ends or date
    if not (year.starts <= date and last <= year.ends):
        raise ValidationError(
            {
                "date": _("Событие должно пройти в пределах учебного года %(year)s: с %(starts)s по %(ends)s.")
                % {
                    "year": year.name,
                    "starts": date_format(year.starts, "d.m.Y"),
                    "ends": date_format(year.ends, "d.m.Y"),
                }
            }
        )
    _year_open(year)
    return year


def _year_open(year: AcademicYear) -> None:
    if year.status == AcademicYear.Status.CLOSED:
        raise ValidationError(_("Учебный год %(year)s закрыт: его события не меняются.") % {"year": year.name})


def _check_event(*, date: dt.date, ends: dt.date | None, title: str) -> str:
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Укажите название события.")
    if date is None:
        errors["date"] = _("Укажите дату события.")
    elif ends is not None and ends < date:
        errors["ends"] = _("Дата окончания не может быть раньше даты начала.")
    if errors:
        raise ValidationError(errors)
    return title


@transaction.atomic
def event_create(
    *,
    school: School,
    school_class: SchoolClass | None,
    date: dt.date,
    ends: dt.date | None = None,
    time: dt.time | None = None,
    title: str,
    place: str = "",
    description: str = "",
    author,
) -> Event:
    """A new event of the whole school (`school_class` None) or of one class."""
    title = _check_event(date=date, ends=ends, title=title)
    year = _year_for(school=school, school_class=school_class, date=date, ends=ends)
    event = Event(
        school=school,
        year=year,
        school_class=school_class,
        date=date,
        ends=ends if ends != date else None,
        time=time,
        title=title,
        place=(place or "").strip(),
        description=(description or "").strip(),
        created_by=author,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_update(
    *,
    event: Event,
    school_class: SchoolClass | None,
    date: dt.date,
    ends: dt.date | None = None,
    time: dt.time | None = None,
    title: str,
    place: str = "",
    description: str = "",
) -> Event:
    """Change an event (also move it to another class or to the whole school)."""
    _year_open(event.year)
    title = _check_event(date=date, ends=ends, title=title)
    event.year = _year_for(school=event.school, school_class=school_class, date=date, ends=ends)
    event.school_class = school_class
    event.date = date
    event.ends = ends if ends != date else None
    event.time = time
    event.title = title
    event.place = (place or "").strip()
    event.description = (description or "").strip()
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_delete(*, event: Event) -> None:
    _year_open(event.year)
    event.delete()


# ---------------------------------------------------------------------------------------------
# Exam choices


def is_mathematics(subject: Subject) -> bool:
    """ЕГЭ in mathematics is taken at a basic or a profile level (the subject named «Математика…»)."""
    return subject.name.strip().lower().startswith("математика")


def exam_class_of(*, student: Student, today: dt.date) -> SchoolClass | None:
    """The class the student is in today (in a year that is not closed)."""
    enrolment = (
        Enrolment.objects.filter(school_id=student.school_id, student_id=student.pk, starts__lte=today)
        .filter(Q(ends__isnull=True) | Q(ends__gte=today))
        .exclude(school_class__year__status=AcademicYear.Status.CLOSED)
        .select_related("school_class__year")
        .order_by("-starts", "-pk")
        .first()
    )
    return enrolment.school_class if enrolment else None


@transaction.atomic
def exam_choice_add(
    *,
    school: School,
    student: Student,
    exam: str,
    subject: Subject,
    level: str = "",
    note: str = "",
    author,
    today: dt.date,
) -> ExamChoice:
    """Record that a student of grade 9 or 11 takes `exam` in `subject` this year."""
    if student.school_id != school.pk or subject.school_id != school.pk:
        raise ValidationError(_("Учащийся или предмет не из этой школы."))
    school_class = exam_class_of(student=student, today=today)
    if school_class is None or school_class.grade not in EXAM_GRADE_LEVELS:
        raise ValidationError(
            {
                "student": _("Экзамены выбирают учащиеся 9 и 11 классов; %(name)s учится не в них.")
                % {"name": student.short_name}
            }  # fmt: skip
        )
    if exam not in ExamChoice.Exam.values:
        raise ValidationError({"exam": _("Выберите экзамен: ЕГЭ, ОГЭ или ГВЭ.")})
    if school_class.grade not in EXAM_GRADES[exam]:
        raise ValidationError(
            {
                "exam": _("%(exam)s не сдают в %(grade)s классе: в 9 классе — ОГЭ или ГВЭ, в 11 — ЕГЭ или ГВЭ.")
                % {"exam": ExamChoice.Exam(exam).label, "grade": school_class.grade}
            }
        )
    level = level or ""
    if exam == ExamChoice.Exam.EGE and is_mathematics(subject):
        if level not in ExamChoice.Level.values:
            raise ValidationError({"level": _("Для ЕГЭ по математике укажите уровень: базовый или профильный.")})
    elif level:
        raise ValidationError({"level": _("Уровень указывается только для ЕГЭ по математике.")})
    if ExamChoice.objects.filter(year_id=school_class.year_id, student_id=student.pk, subject_id=subject.pk).exists():
        raise ValidationError(
            {
                "subject": _("У учащегося уже выбран экзамен по предмету «%(subject)s» в этом году.")
                % {"subject": subject.name}
            }  # fmt: skip
        )
    choice = ExamChoice(
        school=school,
        year=school_class.year,
        student=student,
        exam=exam,
        subject=subject,
        level=level,
        note=(note or "").strip(),
        created_by=author,
    )
    choice.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            choice.save()
    except IntegrityError:  # the same choice saved at the same moment by someone else
        raise ValidationError(
            {
                "subject": _("У учащегося уже выбран экзамен по предмету «%(subject)s» в этом году.")
                % {"subject": subject.name}
            }  # fmt: skip
        ) from None
    return choice


@transaction.atomic
def exam_choice_remove(*, choice: ExamChoice) -> None:
    if choice.year.status == AcademicYear.Status.CLOSED:
        raise ValidationError(
            _("Учебный год %(year)s закрыт: выбор экзаменов не меняется.") % {"year": choice.year.name}
        )
    choice.delete()
