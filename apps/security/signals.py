"""Sign-ins, sign-outs and failed attempts feed the session list and the history (ACC-12)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services
from .models import SignInEvent


@receiver(user_logged_in, dispatch_uid="security_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    if request is not None:
        services.session_open(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="security_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        services.session_forget(session_key=session.session_key)


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    """A wrong password, or an attempt the sign-in protection refused before checking it."""
    username = credentials.get("username") or ""
    admission = getattr(request, "sign_in_admission", None)
    outcome = admission.refusal if admission is not None and not admission else SignInEvent.Outcome.FAILURE
    services.sign_in_record(request=request, outcome=outcome, username=username)
