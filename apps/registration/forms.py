"""Forms of the access pages: they parse input; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.people.models import GuardianLink

from .models import AccessApplication, Consent, HandOver

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
SCAN_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
SCAN_MAX_BYTES = 10 * 1024 * 1024


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Код"),
        max_length=40,
        error_messages={"required": _("Введите код.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "autofocus": True}
        ),
        help_text=_("10 знаков, например KM7QX-4HTRC; регистр и дефисы не важны."),
    )


class NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Придумайте пароль.")},
    )
    password2 = forms.CharField(
        label=_("Пароль ещё раз"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Повторите пароль.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Пароли не совпадают."))
        return data


class AccountForm(NewPasswordMixin):
    username = forms.CharField(
        label=_("Имя пользователя (логин)"),
        max_length=150,
        error_messages={"required": _("Придумайте имя пользователя.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
        help_text=_("Латинские буквы, цифры и знаки @ . + - _"),
    )
    email = forms.EmailField(
        label=_("Электронная почта (необязательно)"),
        required=False,
        help_text=_("На неё придёт ссылка для подтверждения; подтверждённый адрес позволит восстановить пароль."),
    )
    field_order = ["username", "password1", "password2", "email"]


class RecoverForm(CodeForm, NewPasswordMixin):
    pass


class IssueForm(forms.Form):
    handed_over = forms.ChoiceField(
        label=_("Как код передан"), choices=HandOver.choices, widget=forms.RadioSelect, initial=HandOver.IN_PERSON
    )
    roles = forms.MultipleChoiceField(label=_("Роли"), required=False, widget=forms.CheckboxSelectMultiple, choices=())

    def __init__(self, *args, role_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if role_choices is None:
            del self.fields["roles"]
        else:
            self.fields["roles"].choices = role_choices


class ConsentForm(forms.Form):
    giver = forms.ChoiceField(label=_("Кто дал согласие"))
    given_on = forms.DateField(
        label=_("Дата согласия (день, когда его передали)"),
        input_formats=DATE_FORMATS,
        widget=DATE_INPUT,
        error_messages={"required": _("Укажите дату."), "invalid": _("Дата указана неверно.")},
    )
    allows_guardians = forms.BooleanField(
        label=_("Совершеннолетний учащийся согласен, чтобы родители видели его дневник"), required=False
    )
    scan = forms.FileField(label=_("Скан-копия (PDF, JPG или PNG, до 10 МБ; необязательно)"), required=False)
    note = forms.CharField(label=_("Примечание"), required=False, max_length=300)

    def __init__(self, *args, givers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["giver"].choices = givers

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan:
            name = scan.name.lower()
            if not any(name.endswith(ext) for ext in SCAN_TYPES):
                raise forms.ValidationError(_("Скан-копия — файл PDF, JPG или PNG."))
            if scan.size > SCAN_MAX_BYTES:
                raise forms.ValidationError(_("Скан-копия больше 10 МБ."))
        return scan


class ConsentEndForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Основание"),
        choices=[(v, lbl) for v, lbl in Consent.EndReason.choices if v != Consent.EndReason.STUDENT_LEFT],
        widget=forms.RadioSelect,
        initial=Consent.EndReason.WITHDRAWN,
    )
    ended_on = forms.DateField(
        label=_("Дата письменного заявления"),
        input_formats=DATE_FORMATS,
        widget=DATE_INPUT,
        error_messages={"required": _("Укажите дату."), "invalid": _("Дата указана неверно.")},
    )
    note = forms.CharField(label=_("Примечание"), required=False, max_length=300)


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Кто подаёт заявление"),
        choices=AccessApplication.Kind.choices,
        widget=forms.RadioSelect,
        initial=AccessApplication.Kind.PARENT,
    )
    last_name = forms.CharField(label=_("Фамилия заявителя"), max_length=100)
    first_name = forms.CharField(label=_("Имя заявителя"), max_length=100)
    middle_name = forms.CharField(label=_("Отчество заявителя"), max_length=100, required=False)
    relation = forms.ChoiceField(
        label=_("Кем приходится учащемуся (для родителя)"),
        choices=[("", "—")] + list(GuardianLink.Relation.choices),
        required=False,
    )
    student_last_name = forms.CharField(label=_("Фамилия учащегося"), max_length=100)
    student_first_name = forms.CharField(label=_("Имя учащегося"), max_length=100)
    student_middle_name = forms.CharField(label=_("Отчество учащегося"), max_length=100, required=False)
    student_birth_date = forms.DateField(
        label=_("Дата рождения учащегося"),
        input_formats=DATE_FORMATS,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Дата указана неверно.")},
    )
    school_class = forms.TypedChoiceField(label=_("Класс"), coerce=int)
    phone = forms.CharField(label=_("Телефон"), max_length=30, required=False)
    email = forms.EmailField(
        label=_("Электронная почта"),
        required=False,
        help_text=_("На неё придут номер заявления и решение по нему."),
    )
    preferred_handover = forms.ChoiceField(
        label=_("Как сообщить пригласительный код"),
        choices=[c for c in HandOver.choices if c[0] != HandOver.PAPER],
        widget=forms.RadioSelect,
        initial=HandOver.IN_PERSON,
    )
    documents = forms.MultipleChoiceField(
        label=_("Документы, которые вы представите в школе"),
        choices=AccessApplication.Document.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].choices = [("", "—")] + [(c.pk, str(c)) for c in classes]
        for name in ("last_name", "first_name", "student_last_name", "student_first_name", "student_birth_date"):
            self.fields[name].error_messages["required"] = _("Заполните это поле.")
        self.fields["school_class"].error_messages["required"] = _("Выберите класс.")

    def clean(self):
        data = super().clean()
        if data.get("kind") == AccessApplication.Kind.PARENT and not data.get("relation"):
            self.add_error("relation", _("Укажите, кем вы приходитесь учащемуся."))
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Укажите телефон или электронную почту, чтобы школа могла сообщить решение."))
        if data.get("preferred_handover") == HandOver.EMAIL and not data.get("email"):
            self.add_error("email", _("Чтобы получить код по электронной почте, укажите её адрес."))
        return data


class StatusForm(forms.Form):
    number = forms.IntegerField(
        label=_("Номер заявления"), min_value=1, error_messages={"required": _("Введите номер заявления.")}
    )
    secret = forms.CharField(
        label=_("Ключ заявления"),
        max_length=40,
        error_messages={"required": _("Введите ключ заявления.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("Выдан при подаче заявления (10 знаков)."),
    )


class DocumentsField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Представленные документы"),
            choices=AccessApplication.Document.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            **kwargs,
        )


class ApproveForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Учащийся"), coerce=int)
    guardian = forms.CharField(label=_("Родитель"), required=False)
    documents = DocumentsField()
    consent_presented = forms.BooleanField(
        label=_("Согласие на обработку персональных данных представлено вместе с заявлением (зарегистрировать)"),
        required=False,
    )
    handed_over = forms.ChoiceField(
        label=_("Как передать пригласительный код"), choices=HandOver.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, students=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [("", "—")] + [(s.pk, s.full_name) for s in students]
        self.fields["student"].error_messages["required"] = _("Выберите учащегося.")


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Основание отказа (исчерпывающий перечень)"),
        choices=AccessApplication.RefusalReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Выберите основание отказа из перечня."),
            "invalid_choice": _("Отказать можно только по одному из оснований, перечисленных в регламенте."),
        },
    )
    details = forms.CharField(label=_("Пояснение"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    documents = DocumentsField()


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Адрес электронной почты"),
        error_messages={"required": _("Введите адрес."), "invalid": _("Адрес указан неверно.")},
    )


class SettingsForm(forms.Form):
    invitation_days = forms.IntegerField(
        label=_("Срок действия пригласительного кода, дней"), min_value=1, max_value=90
    )
    recovery_days = forms.IntegerField(label=_("Срок действия кода восстановления, дней"), min_value=1, max_value=30)
    decision_working_days = forms.IntegerField(
        label=_("Срок рассмотрения заявления, рабочих дней"), min_value=1, max_value=30
    )
    staff_account_days = forms.IntegerField(
        label=_("Учётная запись сотруднику — не позднее, дней после приёма"), min_value=0, max_value=30
    )
    staff_removal_days = forms.IntegerField(
        label=_("Прекращение доступа — не позднее, дней после увольнения или выбытия"), min_value=0, max_value=30
    )
    family_account_working_days = forms.IntegerField(
        label=_("Доступ семье — не позднее, рабочих дней после согласия"), min_value=1, max_value=60
    )


class ResetRequestForm(forms.Form):
    """A request to reset a login shared with another school (issue 11)."""

    reason = forms.CharField(
        label=_("Основание"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Укажите основание: чьё заявление, почему нужен сброс.")},
        help_text=_("Например: «письменное заявление владельца от 20.11.2026, пароль утерян»."),
    )


class ResetDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Решение"),
        choices=[("approve", _("Одобрить")), ("refuse", _("Отклонить"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Выберите решение.")},
    )
    note = forms.CharField(
        label=_("Примечание"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("При отказе — обязательно: почему."),
    )
