"""Input forms of the year's pages: types and required fields only; the rules are in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.schools.models import Period

from .models import YearSettings


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label):
    return forms.DateField(label=label, widget=DateInput())


class NextYearForm(forms.Form):
    starts = date_field(_("Начало"))
    ends = date_field(_("Окончание"))


class YearForm(forms.Form):
    name = forms.CharField(label=_("Название"), max_length=20, help_text=_("например, «2027/2028»"))
    starts = date_field(_("Начало"))
    ends = date_field(_("Окончание"))
    week = forms.TypedChoiceField(label=_("Учебная неделя"), choices=YearSettings.Week.choices, coerce=int)


class SchemeForm(forms.Form):
    grade_from = forms.TypedChoiceField(label=_("С параллели"), choices=[(g, g) for g in range(1, 12)], coerce=int)
    grade_to = forms.TypedChoiceField(
        label=_("По параллель"), choices=[(g, g) for g in range(1, 12)], coerce=int, initial=11
    )
    kind = forms.ChoiceField(label=_("Периоды"), choices=Period.Kind.choices)


class HolidayForm(forms.Form):
    name = forms.CharField(label=_("Название"), max_length=100, help_text=_("например, «Осенние каникулы»"))
    starts = date_field(_("Первый день"))
    ends = date_field(_("Последний день"))


class ClassForm(forms.Form):
    grade = forms.TypedChoiceField(label=_("Параллель"), choices=[(g, g) for g in range(1, 12)], coerce=int)
    letter = forms.CharField(label=_("Литера"), max_length=3)
    class_teacher = forms.ModelChoiceField(
        label=_("Классный руководитель"), queryset=None, required=False, empty_label=_("— не назначен —")
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_teacher"].queryset = staff


class CalendarDayForm(forms.Form):
    date = date_field(_("Дата"))
    is_working = forms.TypedChoiceField(
        label=_("День"),
        choices=[("1", _("рабочий")), ("0", _("выходной"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Основание"), max_length=200, required=False)
