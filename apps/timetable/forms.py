"""Forms of the timetable pages: they only parse input; the rules live in services."""

import datetime as dt

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.ops import days

from .models import WEEKDAYS

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def date_field(label, *, required=True):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        validators=[days.check_in_range],  # a day far outside would overflow the date arithmetic
        error_messages={"required": _("Укажите дату."), "invalid": _("Дата указана неверно.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


NUMBER_ERRORS = {
    "required": _("Укажите номер урока."),
    "invalid": _("Номер урока — целое число."),
    "min_value": _("Номер урока должен быть от 1 до 12."),
    "max_value": _("Номер урока должен быть от 1 до 12."),
}


def number_field(label):
    return forms.IntegerField(label=label, min_value=1, max_value=12, error_messages=NUMBER_ERRORS)


def room_field():
    return forms.CharField(
        label=_("Кабинет"),
        required=False,
        max_length=30,
        error_messages={"max_length": _("Название кабинета длиннее 30 знаков.")},
    )


def period_label(period) -> str:
    """«2 четверть (05.11–27.12)», with the grades when the period is not for every grade."""
    label = f"{period.name} ({period.starts:%d.%m}–{period.ends:%d.%m})"
    if (period.grade_from, period.grade_to) != (1, 11):
        label += " " + gettext("%(a)d–%(b)d классы") % {"a": period.grade_from, "b": period.grade_to}
    return label


class EntryForm(forms.Form):
    """A lesson of the weekly timetable: weekday, number, journal (of the class or group), room."""

    weekday = forms.TypedChoiceField(
        label=_("День недели"),
        choices=WEEKDAYS,
        coerce=int,
        error_messages={"required": _("Выберите день недели."), "invalid_choice": _("Выберите день недели.")},
    )
    number = number_field(_("Урок №"))
    journal = forms.TypedChoiceField(
        label=_("Предмет, группа, учитель"),
        coerce=int,
        error_messages={"required": _("Выберите журнал."), "invalid_choice": _("Такого журнала здесь нет.")},
    )
    room = room_field()
    valid_from = date_field(_("Действует с"))

    def __init__(self, *args, journals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = [("", "—")] + [(j.pk, j.label) for j in journals]


class EndForm(forms.Form):
    on = date_field(_("Убрать с"))


class GenerateForm(forms.Form):
    """Make the journals' lessons from the timetable: a period of the year or two dates."""

    SCOPES = [("class", _("этот класс или группа")), ("school", _("вся школа"))]
    period = forms.TypedChoiceField(label=_("Учебный период"), coerce=int, required=False, empty_value=None)
    starts = date_field(_("или с"), required=False)
    ends = date_field(_("по"), required=False)
    scope = forms.ChoiceField(label=_("Для кого"), choices=SCOPES, initial="class", widget=forms.RadioSelect)

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.pk: p for p in periods}
        self.fields["period"].choices = [("", _("— даты ниже —"))] + [(p.pk, period_label(p)) for p in periods]
        self.fields["period"].error_messages["invalid_choice"] = _("Такого периода нет в этом учебном году.")

    def clean(self):
        data = super().clean()
        period = self.periods.get(data.get("period")) if data.get("period") else None
        starts, ends = data.get("starts"), data.get("ends")
        if period is not None:
            starts, ends = starts or period.starts, ends or period.ends
        if starts is None or ends is None:
            if not self.errors:
                raise forms.ValidationError(_("Выберите учебный период или укажите обе даты."))
            return data
        if ends < starts:
            raise forms.ValidationError(_("Дата окончания раньше даты начала."))
        if (ends - starts) > dt.timedelta(days=400):
            raise forms.ValidationError(_("Не больше одного учебного года за раз."))
        data["range"] = (starts, ends)
        return data


class MoveForm(forms.Form):
    date = date_field(_("Новая дата"))
    number = number_field(_("Новый номер урока"))
    room = room_field()


class RoomForm(forms.Form):
    room = room_field()


class SubstitutionForm(forms.Form):
    """ORG-8: who replaces the teacher at one lesson (nobody: the lesson is cancelled)."""

    lesson = forms.IntegerField(widget=forms.HiddenInput)
    substitute = forms.TypedChoiceField(label=_("Заменяющий учитель"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(
        label=_("Причина"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Причина длиннее 200 знаков.")},
    )
    cancel = forms.BooleanField(required=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].choices = [("", "—")] + [(s.pk, s.short_name) for s in staff]
        self.fields["substitute"].error_messages["invalid_choice"] = _("Такого сотрудника нет в этой школе.")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("cancel") and data.get("substitute") is None:
            raise forms.ValidationError(_("Выберите заменяющего учителя или отмените урок."))
        return data


class ReportForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Учебный период"), coerce=int, required=False, empty_value=None)
    starts = date_field(_("С"), required=False)
    ends = date_field(_("По"), required=False)
    teacher = forms.TypedChoiceField(label=_("Учитель"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, periods=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.pk: p for p in periods}
        self.staff = {s.pk: s for s in staff}
        self.fields["period"].choices = [("", _("— даты —"))] + [(p.pk, period_label(p)) for p in periods]
        self.fields["teacher"].choices = [("", _("все учителя"))] + [(s.pk, s.short_name) for s in staff]
        self.fields["period"].error_messages["invalid_choice"] = _("Такого периода нет в этом учебном году.")
        self.fields["teacher"].error_messages["invalid_choice"] = _("Такого сотрудника нет в этой школе.")


class ScheduleForm(forms.Form):
    name = forms.CharField(
        label=_("Название"), max_length=100, error_messages={"required": _("Укажите название расписания звонков.")}
    )


class BellDaysForm(forms.Form):
    schedule = forms.TypedChoiceField(
        label=_("Расписание звонков"),
        coerce=int,
        error_messages={"required": _("Выберите расписание звонков."), "invalid_choice": _("Такого расписания нет.")},
    )
    starts = date_field(_("Дата"))
    ends = date_field(_("по (если несколько дней)"), required=False)

    def __init__(self, *args, schedules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule"].choices = [("", "—")] + [(s.pk, s.name) for s in schedules]
