from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import SignInEvent

CODE_WIDGET = {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"[0-9 ]*"}


class SignInForm(AuthenticationForm):
    """Django's sign-in form. Whether the password may be checked at all is decided first, by the
    guard backend (apps.security.lockout, OPS-3); a refusal is shown here with the time left.

    While an account is slowed down the page also offers the code of the authenticator app: a code
    given with the password lets both be checked at once, without waiting, and the code step is
    skipped. The answer does not say which of the two was wrong, so a password guessed this way
    learns nothing without the code. Wrong passwords are recorded by the user_login_failed signal."""

    code = forms.CharField(
        label=_("Код из приложения, если включён двухэтапный вход"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs=CODE_WIDGET),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Неверное имя пользователя или пароль."),
        "invalid_with_code": _("Неверное имя пользователя, пароль или код подтверждения."),
    }

    refusal = None  # services.Admission of a refused attempt
    second_factor = False  # the code came with the password and was right

    @property
    def offers_code(self) -> bool:
        delayed = self.refusal is not None and self.refusal.refusal == SignInEvent.Outcome.DELAYED
        return delayed or bool(self.data.get("code", "").strip())

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        code = "".join((self.cleaned_data.get("code") or "").split())
        if username is None or not password:
            return self.cleaned_data
        self.request.sign_in_admission = None
        self.user_cache = authenticate(
            self.request, username=username, password=password, **({"code": code} if code else {})
        )
        admission = self.request.sign_in_admission
        if admission is not None and not admission:
            self.refusal = admission
            raise ValidationError(admission.message, code="throttled")
        if self.user_cache is None:
            raise ValidationError(
                self.error_messages["invalid_with_code" if code else "invalid_login"], code="invalid_login"
            )
        if admission is not None:
            services.sign_in_password_right(request=self.request, username=username)
        if code:
            checked = services.sign_in_code_check(
                request=self.request, user=self.user_cache, code=code, after_password=True
            )
            if not checked:
                services.sign_in_record(
                    request=self.request, outcome=checked.refusal, username=username, user=self.user_cache
                )
                self.user_cache = None
                raise ValidationError(self.error_messages["invalid_with_code"], code="invalid_login")
            self.second_factor = True
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Код подтверждения"),
        max_length=12,
        widget=forms.TextInput(attrs={**CODE_WIDGET, "autofocus": True}),
    )
