"""Forms of the movement book: they only read what was typed; the rules are in services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.ops import days
from apps.people.models import Student
from apps.schools.models import AcademicYear, SchoolClass

from . import selectors
from .models import MovementEntry


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, required=True, help_text=""):
    # Bounded: a day far outside (0001-01-01) would overflow the reports' date arithmetic.
    return days.DayField(label=label, required=required, widget=DateInput(), help_text=help_text)


class ClassChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: SchoolClass) -> str:
        return _("%(class)s (%(year)s)") % {"class": obj, "year": obj.year}


class StudentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Student) -> str:
        born = f", {obj.birth_date:%d.%m.%Y}" if obj.birth_date else ""
        return f"{obj.full_name}{born}"


class StudentsChoice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Student) -> str:
        return obj.full_name


def _classes(school, *, open_only=False):
    qs = selectors.school_classes(school=school)
    if open_only:
        qs = qs.exclude(year__status=AcademicYear.Status.CLOSED)
    return qs


class OrderForm(forms.Form):
    """The order (приказ) every move is recorded with."""

    date = date_field(_("Дата движения"), help_text=_("день, с которого учащийся в новом классе (или выбыл)"))
    order_number = forms.CharField(label=_("Номер приказа"), max_length=50)
    order_date = date_field(_("Дата приказа"))
    note = forms.CharField(label=_("Примечание"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["date", "order_number", "order_date"]


class BookFilterForm(forms.Form):
    year = forms.ModelChoiceField(label=_("Учебный год"), queryset=AcademicYear.objects.none(), required=False)
    school_class = ClassChoice(label=_("Класс"), queryset=SchoolClass.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Вид"), required=False)
    date_from = date_field(_("С"), required=False)
    date_to = date_field(_("По"), required=False)
    late = forms.BooleanField(label=_("только внесённые позже 5 рабочих дней"), required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AcademicYear.objects.filter(school=school).order_by("-starts")
        self.fields["year"].empty_label = _("все годы")
        self.fields["school_class"].queryset = _classes(school)
        self.fields["school_class"].empty_label = _("все классы")
        self.fields["kind"].choices = [("", _("все виды")), *MovementEntry.Kind.choices]


class ClassPickForm(forms.Form):
    from_class = ClassChoice(label=_("Класс"), queryset=SchoolClass.objects.none())

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_class"].queryset = _classes(school)


class AdmitForm(OrderForm):
    student = StudentChoice(
        label=_("Учащийся, уже известный школе"),
        queryset=Student.objects.none(),
        required=False,
        help_text=_("выбывший раньше; для нового учащегося оставьте пустым и заполните ФИО"),
    )
    last_name = forms.CharField(label=_("Фамилия нового учащегося"), max_length=100, required=False)
    first_name = forms.CharField(label=_("Имя"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("Отчество"), max_length=100, required=False)
    birth_date = date_field(_("Дата рождения"), required=False)
    school_class = ClassChoice(label=_("В класс"), queryset=SchoolClass.objects.none())
    where = forms.CharField(label=_("Откуда прибыл"), max_length=300, required=False)

    field_order = ["student", "last_name", "first_name", "middle_name", "birth_date", "school_class", "where",
                   *OrderForm.field_order]  # fmt: skip

    def __init__(self, *args, school, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = selectors.students_out_of_class(school=school, day=today)
        self.fields["school_class"].queryset = _classes(school, open_only=True)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("student") and not (cleaned.get("last_name") and cleaned.get("first_name")):
            self.add_error("last_name", _("Выберите учащегося из списка или укажите фамилию и имя нового."))
        return cleaned


class _ClassMoveForm(OrderForm):
    """A move out of a chosen class: the student is one of the class's."""

    def __init__(self, *args, school, from_class: SchoolClass, students: list[Student], **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.from_class = school, from_class
        ids = [s.pk for s in students]
        for name in ("student", "students"):
            if name in self.fields:
                self.fields[name].queryset = Student.objects.filter(school=school, pk__in=ids).order_by(
                    "last_name", "first_name", "middle_name", "pk"
                )
        if "students" in self.fields and not self.is_bound:
            self.initial["students"] = ids


class TransferForm(_ClassMoveForm):
    student = StudentChoice(label=_("Учащийся"), queryset=Student.objects.none())
    to_class = ClassChoice(label=_("В класс"), queryset=SchoolClass.objects.none())

    field_order = ["student", "to_class", *OrderForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fc = self.from_class
        self.fields["to_class"].queryset = _classes(self.school).filter(year_id=fc.year_id).exclude(pk=fc.pk)


class WithdrawForm(_ClassMoveForm):
    student = StudentChoice(label=_("Учащийся"), queryset=Student.objects.none())
    where = forms.CharField(
        label=_("Куда выбыл"), max_length=300, required=False, help_text=_("школа, город, страна; причина")
    )

    field_order = ["student", "where", *OrderForm.field_order]


class _NextYearForm(_ClassMoveForm):
    def next_year_classes(self, grade: int):
        fc = self.from_class
        return _classes(self.school, open_only=True).filter(year__starts__gt=fc.year.starts, grade=grade)

    @property
    def missing_next_year(self) -> bool:
        return not self.fields["to_class"].queryset.exists()

    def start_of_next_year(self) -> None:
        """The move's date defaults to the first day of the nearest later year that has classes."""
        first = self.fields["to_class"].queryset.order_by("year__starts").first()
        self.initial["date"] = first.year.starts if first is not None else None


class PromoteForm(_NextYearForm):
    students = StudentsChoice(label=_("Переводятся"), queryset=Student.objects.none(), required=False)
    to_class = ClassChoice(label=_("В класс следующего года"), queryset=SchoolClass.objects.none())
    repeat_class = ClassChoice(
        label=_("Оставленные на повторное обучение — в класс"),
        queryset=SchoolClass.objects.none(),
        required=False,
        help_text=_("нужен, если отмечены не все"),
    )

    field_order = ["students", "to_class", "repeat_class", *OrderForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grade = self.from_class.grade
        self.fields["to_class"].queryset = self.next_year_classes(grade + 1)
        self.fields["repeat_class"].queryset = self.next_year_classes(grade)
        self.start_of_next_year()


class RepeatForm(_NextYearForm):
    student = StudentChoice(label=_("Учащийся"), queryset=Student.objects.none())
    to_class = ClassChoice(label=_("В класс следующего года той же параллели"), queryset=SchoolClass.objects.none())

    field_order = ["student", "to_class", *OrderForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_class"].queryset = self.next_year_classes(self.from_class.grade)
        self.start_of_next_year()


class GraduateForm(_ClassMoveForm):
    students = StudentsChoice(label=_("Выпускники"), queryset=Student.objects.none(), required=False)

    field_order = ["students", *OrderForm.field_order]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["date"] = None  # the graduation order's day, not today


class CorrectForm(forms.Form):
    order_number = forms.CharField(label=_("Номер приказа"), max_length=50)
    order_date = date_field(_("Дата приказа"))
    where = forms.CharField(label=_("Откуда прибыл / куда выбыл"), max_length=300, required=False)
    note = forms.CharField(label=_("Примечание"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Причина исправления"), max_length=300)


class ReportForm(forms.Form):
    year = forms.ModelChoiceField(label=_("Учебный год"), queryset=AcademicYear.objects.none(), required=False)
    starts = date_field(_("С"), required=False)
    ends = date_field(_("По"), required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AcademicYear.objects.filter(school=school).order_by("-starts")

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and starts > ends:
            self.add_error("ends", _("Конец периода раньше его начала."))
        return cleaned


class SizesForm(forms.Form):
    year = forms.ModelChoiceField(label=_("Учебный год"), queryset=AcademicYear.objects.none(), required=False)
    day = date_field(_("На дату"), required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AcademicYear.objects.filter(school=school).order_by("-starts")
