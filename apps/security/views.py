"""«Безопасность»: sessions and sign-in history (ACC-12), password change, two-step sign-in
(OPS-3), and the sign-in page with throttling and the code step."""

import time

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Role

from . import agents, selectors, services, texts, totp
from .forms import CodeForm, SignInForm
from .models import DEFAULT_STAFF_IDLE_MINUTES, SignInEvent, TOTPDevice, UserSession

PENDING_SECONDS = 5 * 60  # time to type the code after the password


class SignInView(LoginView):
    """Django's LoginView with the sign-in protection (SignInForm, OPS-3) and, for a user with a
    second factor who did not give the code with the password, a code step before the session is
    opened."""

    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not form.second_factor and TOTPDevice.objects.filter(user=user).exists():
            self.request.session[services.PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("security:sign_in_code")
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal is not None:  # the sign-in page with the message, as 429 with the time to wait
            response.status_code = 429
            response["Retry-After"] = str(form.refusal.retry_after)
        return response


def sign_in_code(request):
    """The second step: the six digits of the authenticator app."""
    if request.user.is_authenticated:
        return redirect("home")
    pending = request.session.get(services.PENDING)
    if not pending:
        return redirect("accounts:login")
    if time.time() - pending["at"] > PENDING_SECONDS:
        del request.session[services.PENDING]
        messages.error(request, _("Время на ввод кода истекло. Войдите снова."))
        return redirect("accounts:login")
    user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        del request.session[services.PENDING]
        return redirect("accounts:login")

    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        checked = services.sign_in_code_check(request=request, user=user, code=form.cleaned_data["code"])
        if checked:
            del request.session[services.PENDING]
            login(request, user, backend=pending["backend"])
            target = pending.get("next") or reverse("home")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("home")
            return redirect(target)
        services.sign_in_record(request=request, outcome=checked.refusal, username=user.get_username(), user=user)
        if checked.refusal == SignInEvent.Outcome.LOCKED:
            del request.session[services.PENDING]
            messages.error(request, checked.message)
            return redirect("accounts:login")
        form.add_error("code", _("Неверный код. Проверьте, что время на телефоне верное, и введите новый код."))
        status = 400
    return render(request, "security/sign_in_code.html", {"form": form}, status=status)


@login_required
def index(request):
    """The user's own security page: where they are signed in, how they signed in lately."""
    user = request.user
    idle = request.session.get(services.IDLE) or DEFAULT_STAFF_IDLE_MINUTES
    current = request.session.session_key
    services.sessions_prune(user=user, idle_minutes=idle, keep=current)
    sessions = [
        {"session": s, "device": agents.describe(s.user_agent), "current": s.session_key == current}
        for s in selectors.active_sessions(user=user)
    ]
    history = [{"event": e, "device": agents.describe(e.user_agent)} for e in selectors.sign_in_history(user=user)]
    return render(
        request,
        "security/index.html",
        {
            "sessions": sessions,
            "others": sum(1 for s in sessions if not s["current"]),
            "history": history,
            "idle_minutes": texts.minutes(idle),
            "has_totp": TOTPDevice.objects.filter(user=user).exists(),
            "manages_policy": user.is_superuser or Role.JOURNAL_ADMIN in getattr(request, "roles", ()),
        },
    )


@login_required
@require_POST
def session_end(request):
    try:
        row = UserSession.objects.get(pk=int(request.POST.get("session", "")), user=request.user)
    except (ValueError, UserSession.DoesNotExist):
        raise Http404 from None
    if row.session_key == request.session.session_key:
        logout(request)
        return redirect("accounts:login")
    services.session_end(user=request.user, session_key=row.session_key)
    messages.success(request, _("Сеанс завершён: на том устройстве нужно будет войти снова."))
    return redirect("security:index")


@login_required
@require_POST
def sessions_end_others(request):
    ended = services.sessions_end_all(user=request.user, except_key=request.session.session_key)
    if ended:
        messages.success(request, _("Все остальные сеансы завершены (%(n)s).") % {"n": ended})
    else:
        messages.info(request, _("Других сеансов нет."))
    return redirect("security:index")


class PasswordChange(PasswordChangeView):
    """Django's password change (old password, the validators in Russian); the user's other
    sessions end, this one stays signed in."""

    template_name = "security/password_change.html"
    success_url = reverse_lazy("security:index")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.sessions_end_all(user=self.request.user, except_key=self.request.session.session_key)
        messages.success(self.request, _("Пароль изменён. Остальные сеансы завершены."))
        return response


@login_required
def totp_setup(request):
    """Two-step sign-in: show a fresh secret (text, otpauth:// link and QR code) and switch it
    on once the app's first code is confirmed; or show that it is on."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None:
        if request.method == "POST":
            return redirect("security:totp")
        return render(
            request,
            "security/totp.html",
            {"device": device, "required": request.session.get(services.TOTP_REQUIRED), "form": CodeForm()},
        )

    secret = request.session.get(services.ENROL_SECRET)
    if request.method == "POST" and not secret:
        return redirect("security:totp")
    if not secret:
        secret = request.session[services.ENROL_SECRET] = totp.new_secret()
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if services.totp_enrol(user=user, secret=secret, code=form.cleaned_data["code"]):
            del request.session[services.ENROL_SECRET]
            request.session[services.HAS_TOTP] = True
            messages.success(request, _("Двухэтапный вход включён: при входе понадобится код из приложения."))
            return redirect("security:index")
        form.add_error("code", _("Код не подошёл. Введите код, который приложение показывает сейчас."))
        status = 400
    issuer = _("Электронный журнал")
    uri = totp.provisioning_uri(secret, account=user.get_username(), issuer=issuer)
    return render(
        request,
        "security/totp.html",
        {
            "secret": totp.grouped(secret),
            "uri": uri,
            "qr": totp.qr_svg_data_uri(uri),
            "form": form,
            "required": request.session.get(services.TOTP_REQUIRED),
        },
        status=status,
    )


@login_required
@require_POST
def totp_off(request):
    """Switch the second factor off, proving it with a current code; not where the school requires it."""
    if not TOTPDevice.objects.filter(user=request.user).exists():
        return redirect("security:totp")
    if request.session.get(services.TOTP_REQUIRED):
        messages.error(request, _("Школа требует двухэтапный вход от администратора журнала: отключить его нельзя."))
        return redirect("security:totp")
    form = CodeForm(request.POST)
    if form.is_valid() and services.totp_verify(user=request.user, code=form.cleaned_data["code"]):
        services.totp_disable(user=request.user)
        request.session[services.HAS_TOTP] = False
        messages.success(request, _("Двухэтапный вход отключён."))
        return redirect("security:index")
    messages.error(request, _("Код не подошёл: двухэтапный вход остался включённым."))
    return redirect("security:totp")
