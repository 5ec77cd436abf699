from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services, texts
from .models import SignInEvent
from .selectors import sign_in_locked_minutes


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing early while the account or the address is locked
    (too many failures, OPS-3). Failures themselves are recorded by the user_login_failed signal."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Неверное имя пользователя или пароль."),
    }

    throttled = False

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            locked = sign_in_locked_minutes(username=username, ip=services.client_ip(self.request))
            if locked:
                self.throttled = True
                services.sign_in_record(request=self.request, outcome=SignInEvent.Outcome.LOCKED, username=username)
                raise ValidationError(texts.throttled(locked), code="throttled")
        return super().clean()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Код подтверждения"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "pattern": r"[0-9 ]*"}
        ),
    )
