from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M"]


class MomentField(forms.DateTimeField):
    """A moment typed in the school's local time (the view activates the school's zone)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", MOMENT_FORMATS)
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
        super().__init__(**kwargs)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.username})"


class ReportForm(forms.Form):
    """The administrator reports an account of the school."""

    user = UserChoiceField(label=_("Учётная запись"), queryset=None, empty_label=_("— выберите —"))
    moment = MomentField(
        label=_("Скомпрометирована с (дата и время)"),
        help_text=_(
            "Операции в журнале, сделанные с этой учётной записью начиная с этого момента, будут показаны для отката."
        ),
    )
    note = forms.CharField(label=_("Обстоятельства"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class OwnReportForm(forms.Form):
    """A user reports their own account."""

    moment = MomentField(
        label=_("С какого момента пароль мог знать кто-то другой (дата и время)"),
        help_text=_("Если не знаете точно, укажите момент пораньше: администратор проверит все операции с него."),
    )
    note = forms.CharField(label=_("Что случилось"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label=_(
            "Понимаю: все мои сеансы завершатся, а войти снова можно будет только с новым паролем от администратора."
        ),
        required=True,
    )


class TemporaryPasswordChangeForm(PasswordChangeForm):
    """Django's change form; the «old» password is the temporary one the administrator gave."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Временный пароль")
