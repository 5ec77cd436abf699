"""A temporary password must be replaced at the first sign-in (ACC-10).

At sign-in (user_logged_in) one query notes in the session whether the account must change its
password; the middleware then reads only the session, so other requests cost nothing. While
the note is there, every page except the change form, signing out and the language switch
sends the user to the change form.
"""

from django.shortcuts import redirect
from django.urls import reverse

from .models import PasswordChangeRequired

SESSION_KEY = "compromise_password_change"


def remember_password_change(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        if PasswordChangeRequired.objects.filter(user=user).exists():
            request.session[SESSION_KEY] = True
        else:
            request.session.pop(SESSION_KEY, None)


class PasswordChangeRequiredMiddleware:
    """Place after AuthenticationMiddleware."""

    ALLOWED = ("compromise:password_change", "accounts:logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths = None

    def __call__(self, request):
        if request.session.get(SESSION_KEY) and request.user.is_authenticated:
            if self._allowed_paths is None:
                self._allowed_paths = {reverse(name) for name in self.ALLOWED}
            if request.path not in self._allowed_paths:
                return redirect("compromise:password_change")
        return self.get_response(request)
