"""Forms of the grading settings: the fields only; the rules are checked in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.journal.grading import GradingSystem
from apps.schools.models import Subject

OPTIONAL = [c for c in GradingSystem.choices() if c[0] != GradingSystem.FIVE]


class SystemsForm(forms.Form):
    systems = forms.MultipleChoiceField(
        label=_("Системы оценивания школы"),
        choices=OPTIONAL,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Пятибалльная система используется всегда."),
    )


class RuleForm(forms.Form):
    subject = forms.ModelChoiceField(label=_("Предмет"), queryset=Subject.objects.none())
    grade_from = forms.IntegerField(label=_("С класса"), min_value=1, max_value=11)
    grade_to = forms.IntegerField(label=_("По класс"), min_value=1, max_value=11)
    system = forms.ChoiceField(label=_("Система оценивания"))

    def __init__(self, *args, school, systems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = Subject.objects.filter(school=school).order_by("name")
        self.fields["system"].choices = [(code, GradingSystem.label(code)) for code in systems]


class ConvertForm(forms.Form):
    value = forms.CharField(
        label=_("Отметка или средний балл"),
        max_length=10,
        help_text=_("Например: 85, 9, 4 или средний балл 84,5"),
    )
    from_system = forms.ChoiceField(label=_("Из системы"), choices=GradingSystem.choices())
    to_system = forms.ChoiceField(label=_("В систему"), choices=GradingSystem.choices())
