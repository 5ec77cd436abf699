"""django-axes, fitted to our rules (OPS-3; the policy: docs/operations.md «Sign-in protection»).

Axes keeps the counters (its AccessAttempt rows, with its `axes_reset_username`, `axes_reset_ip`
and `axes_list_attempts` commands) and asks its handler before any backend checks a password. Its
own database handler checks the count first and adds the failure only after the password proved
wrong, so parallel attempts all pass the check before any of them is counted; and it has one
limit for every kind of counter. The handler below decides and counts in one locked step
(services.sign_in_admit), keeps separate limits for the pair (account, address), the address and
the account's slow-down, and leaves the refusal to the sign-in page (no AxesMiddleware: the page
shows the Russian message with the time left, and the history records it).
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.db.models import Sum

from . import services
from .selectors import normalise_username


def username_of(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the key axes files an attempt under, as our counters do."""
    return normalise_username((credentials or {}).get("username") or "")


class SignInGuardBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses a locked or delayed attempt before
    apps.accounts.backends.ModelBackend (which loads and checks the user) is asked.

    Without a request there is no address to count by: the product always passes one (the
    sign-in form), Django's test Client.login does not — such a call is not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SignInHandler(AxesDatabaseHandler):
    """AXES_HANDLER. The attempt is counted when it is admitted (is_allowed), so a failed password
    adds nothing afterwards; a sign-in starts the pair's counters again."""

    def is_allowed(self, request, credentials=None) -> bool:
        credentials = credentials or {}
        admission = services.sign_in_admit(
            request=request, username=credentials.get("username") or "", with_code=bool(credentials.get("code"))
        )
        request.sign_in_admission = admission  # the form shows the refusal, the history records it
        return bool(admission)

    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures (for axes' own is_locked; our decision is is_allowed's)."""
        ip = getattr(request, "axes_ip_address", None)
        rows = AccessAttempt.objects.filter(username=username_of(request, credentials), ip_address=ip)
        return rows.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        pass  # counted when admitted

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None:
            services.sign_in_release(request=request, username=user.get_username())

    def user_logged_out(self, sender, request, user, **kwargs):
        pass  # no access log: the history is security.SignInEvent

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        # `axes_reset_username Alice` finds alice's counters: they are kept under the normalised name.
        username = normalise_username(username) if username else username
        return super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username)
