"""Forms of the events calendar and the exam choices: they parse input; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.people.models import Student
from apps.schools.models import Subject

from .models import ExamChoice

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
WHOLE_SCHOOL = ""


class EventForm(forms.Form):
    school_class = forms.ChoiceField(label=_("Для кого"), choices=(), required=False)
    date = forms.DateField(
        label=_("Дата"),
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        error_messages={"required": _("Укажите дату события."), "invalid": _("Дата не распознана: ДД.ММ.ГГГГ.")},
    )
    ends = forms.DateField(
        label=_("Дата окончания (если событие длится несколько дней)"),
        required=False,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Дата не распознана: ДД.ММ.ГГГГ.")},
    )
    time = forms.TimeField(
        label=_("Время начала"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Время не распознано: ЧЧ:ММ.")},
    )
    title = forms.CharField(
        label=_("Название"), max_length=200, error_messages={"required": _("Укажите название события.")}
    )
    place = forms.CharField(label=_("Место"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Описание"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if scope.school_wide:
            choices.append((WHOLE_SCHOOL, _("Вся школа")))
        choices += [(str(c.pk), _("%(name)s класс") % {"name": c}) for c in scope.classes]
        self.fields["school_class"].choices = choices
        self.fields["school_class"].error_messages["invalid_choice"] = _("Выберите класс из списка.")
        self.classes = {str(c.pk): c for c in scope.classes}
        self.school_wide = scope.school_wide

    def clean_school_class(self):
        value = self.cleaned_data.get("school_class") or WHOLE_SCHOOL
        if value == WHOLE_SCHOOL and not self.school_wide:
            raise forms.ValidationError(_("Выберите класс из списка."))
        return value

    def chosen_class(self):
        """The SchoolClass chosen, or None for the whole school."""
        return self.classes.get(self.cleaned_data["school_class"])


class ExamChoiceForm(forms.Form):
    student = forms.ModelChoiceField(
        label=_("Учащийся"),
        queryset=Student.objects.none(),
        error_messages={
            "required": _("Выберите учащегося."),
            "invalid_choice": _("Такого учащегося в школе нет."),
        },
    )
    exam = forms.ChoiceField(
        label=_("Экзамен"), choices=ExamChoice.Exam.choices, error_messages={"required": _("Выберите экзамен.")}
    )
    subject = forms.ModelChoiceField(
        label=_("Предмет"),
        queryset=Subject.objects.none(),
        error_messages={"required": _("Выберите предмет."), "invalid_choice": _("Такого предмета в школе нет.")},
    )
    level = forms.ChoiceField(
        label=_("Уровень (ЕГЭ по математике)"),
        required=False,
        choices=[("", "—"), *ExamChoice.Level.choices],
    )
    note = forms.CharField(label=_("Примечание"), max_length=200, required=False)

    def __init__(self, *args, school, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = Student.objects.filter(school=school)
        if students is not None:  # the list shown: the students of the chosen class
            self.fields["student"].choices = [("", "—")] + [(s.pk, s.short_name) for s in students]
        self.fields["subject"].queryset = Subject.objects.filter(school=school).order_by("name")
