"""The small forms of the curriculum pages (the grids are read field by field in the views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.schools.models import Group

from .models import StaffAttestation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SubjectForm(forms.Form):
    name = forms.CharField(label=_("Новый предмет"), max_length=200)
    short_name = forms.CharField(label=_("Сокращение"), max_length=50, required=False)


class CrossGroupForm(forms.Form):
    kind = forms.ChoiceField(label=_("Вид"), choices=[(k.value, k.label) for k in Group.Kind if k in Group.CROSS_CLASS])
    name = forms.CharField(label=_("Название"), max_length=100)
    grade = forms.IntegerField(
        label=_("Параллель (если группа одной параллели)"), min_value=1, max_value=11, required=False
    )


class OneStudentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Вид"), choices=[(k.value, k.label) for k in Group.Kind if k in Group.ONE_STUDENT])
    student = forms.TypedChoiceField(label=_("Учащийся"), coerce=int)
    starts = forms.DateField(label=_("С"), widget=DateInput())
    name = forms.CharField(label=_("Название (необязательно)"), max_length=100, required=False)

    def __init__(self, *args, class_students=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [("", "—")] + [
            (str(c), [(s.pk, s.short_name) for s in students]) for c, students in class_students if students
        ]


class SplitForm(forms.Form):
    count = forms.TypedChoiceField(label=_("Число подгрупп"), choices=[(2, "2"), (3, "3"), (4, "4")], coerce=int)


class GroupSubjectForm(forms.Form):
    subject = forms.TypedChoiceField(label=_("Предмет"), coerce=int, required=False, empty_value=None)
    new_subject = forms.CharField(label=_("или новый предмет"), max_length=200, required=False)
    hours = forms.CharField(label=_("Часов в неделю"), max_length=10, required=False)

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "—")] + [(s.pk, s.name) for s in subjects]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("subject") and not (cleaned.get("new_subject") or "").strip():
            raise forms.ValidationError(_("Выберите предмет или введите название нового."))
        return cleaned


class AttestationForm(forms.Form):
    staff = forms.TypedChoiceField(label=_("Сотрудник"), coerce=int)
    date = forms.DateField(label=_("Дата аттестации"), widget=DateInput())
    category = forms.ChoiceField(label=_("Результат"), choices=StaffAttestation.Category.choices)
    order_number = forms.CharField(label=_("Номер приказа"), max_length=50, required=False)
    valid_until = forms.DateField(
        label=_("Действует до"),
        widget=DateInput(),
        required=False,
        help_text=_("Если не указать — пять лет со дня аттестации."),
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "—")] + [(s.pk, s.full_name) for s in staff]
