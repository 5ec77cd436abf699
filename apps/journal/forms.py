"""Forms of the journal pages: they only parse input; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import LESSON_FIELDS

NUMBER_ERRORS = {
    "required": _("Укажите номер урока."),
    "invalid": _("Номер урока — целое число."),
    "min_value": _("Номер урока должен быть от 1 до 12."),
    "max_value": _("Номер урока должен быть от 1 до 12."),
}


class LessonAddForm(forms.Form):
    date = forms.DateField(
        label=_("Дата"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"required": _("Укажите дату урока."), "invalid": _("Дата урока указана неверно.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    number = forms.IntegerField(label=_("Урок №"), min_value=1, max_value=12, error_messages=NUMBER_ERRORS, initial=1)


class LessonForm(forms.Form):
    """The lesson panel: topic, homework or «Без задания», default work type, teacher comment."""

    topic = forms.CharField(label=_("Тема урока"), required=False, max_length=500)
    homework = forms.CharField(label=_("Домашнее задание"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    no_homework = forms.BooleanField(label=_("Без задания"), required=False)
    work_type = forms.TypedChoiceField(
        label=_("Вид работы для новых отметок"), required=False, coerce=int, empty_value=None
    )
    comment = forms.CharField(label=_("Комментарий учителя"), required=False, max_length=500)

    def __init__(self, *args, work_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_type"].choices = [("", _("по умолчанию школы"))] + [(wt.pk, wt.name) for wt in work_types]
        for f in self.fields.values():
            f.error_messages.setdefault("max_length", _("Не длиннее %(limit_value)d знаков."))
        self.fields["topic"].error_messages["max_length"] = _("Тема урока длиннее 500 знаков.")
        self.fields["comment"].error_messages["max_length"] = _("Комментарий длиннее 500 знаков.")
        self.fields["work_type"].error_messages["invalid_choice"] = _("Такого вида работы нет в этой школе.")

    def lesson_item(self, lesson) -> dict:
        """The item for services.journal_save(lessons=[…])."""
        data = {k: self.cleaned_data[k] for k in LESSON_FIELDS if k in self.cleaned_data}
        data["lesson"] = lesson.pk
        return data

    @classmethod
    def initial_for(cls, lesson) -> dict:
        return {
            "topic": lesson.topic,
            "homework": lesson.homework,
            "no_homework": lesson.no_homework,
            "work_type": lesson.work_type_id or "",
            "comment": lesson.comment,
        }
