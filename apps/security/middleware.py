"""Two middlewares: response headers (CSP and friends) and the session guard (idle timeout,
mandatory second factor, «last seen»). Both cost nothing on most requests: the guard reads the
session it already has and writes at most once a minute per session."""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from . import services, texts

# OPS-3: nothing inline is executed or applied, nothing is loaded from elsewhere, nobody frames us.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class SessionGuardMiddleware:
    """After authentication, the school and the messages: ends an idle session (ACC-11) with a
    message for the sign-in page, sends a journal administrator without the required second
    factor to set it up first, and keeps the session list's «last seen» (ACC-12)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def exempt_paths(self) -> set[str]:
        if self._exempt is None:
            self._exempt = {reverse(n) for n in ("security:totp", "accounts:logout", "set_language")}
        return self._exempt

    def __call__(self, request):
        if request.user.is_authenticated:
            response = self.guard(request)
            if response is not None:
                return response
        return self.get_response(request)

    def guard(self, request):
        session = request.session
        now = time.time()
        seen = session.get(services.SEEN)
        idle = session.get(services.IDLE)
        if seen is not None and idle is not None and now - seen > idle * 60:
            logout(request)
            request.school, request.roles, request.schools = None, set(), []
            messages.warning(request, texts.idle_ended(idle))
            return None  # the view now sees an anonymous user (login_required sends to sign in)
        if seen is None or now - seen >= services.TOUCH_EVERY:
            services.session_touch(request=request)
        if (
            session.get(services.TOTP_REQUIRED)
            and not session.get(services.HAS_TOTP)
            and request.path not in self.exempt_paths()
        ):
            return redirect("security:totp")  # the page itself says why
        return None
