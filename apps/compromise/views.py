"""Compromised credentials (ACC-10): the user reports their own account; the administrator (the
function «разбирать компрометацию», apps.rights.registry) reports any account of the school,
reviews what was done with it and confirms the revert, and issues a temporary password."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import access, credentials
from apps.rights import registry

from . import passwords, selectors, services
from .forms import OwnReportForm, ReportForm, TemporaryPasswordChangeForm


def _manager(request) -> None:
    if not access.can(request, registry.COMPROMISE_MANAGE):
        raise Http404


def _zone(request):
    return ZoneInfo(request.school.timezone) if request.school else timezone.get_current_timezone()


def _initial_moment(request) -> str:
    return timezone.localtime(timezone.now(), _zone(request)).strftime("%Y-%m-%dT%H:%M")


def _case(request, pk):
    _manager(request)
    report = selectors.report_for(school=request.school, pk=pk)
    if report is None:
        raise Http404
    return report


@login_required
def case_list(request):
    _manager(request)
    reports = selectors.reports(school=request.school)[:200]
    return render(request, "compromise/list.html", {"reports": reports, "zone": _zone(request)})


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    """The administrator reports an account of the school compromised."""
    _manager(request)
    users = selectors.reportable_users(school=request.school)
    if request.method == "POST":
        form = ReportForm(request.POST, users=users)
        with timezone.override(_zone(request)):
            valid = form.is_valid()
        if valid:
            try:
                reports = services.compromise_report(
                    user=form.cleaned_data["user"],
                    moment=form.cleaned_data["moment"],
                    reported_by=request.user,
                    school=request.school,
                    note=form.cleaned_data["note"],
                )
            except services.CompromiseError as exc:
                form.add_error(None, exc)
            else:
                if form.cleaned_data["user"].pk == request.user.pk:
                    logout(request)
                    messages.warning(request, _("Ваши сеансы завершены. Войти можно будет с новым паролем."))
                    return redirect("accounts:login")
                messages.success(
                    request,
                    _("Все сеансы учётной записи завершены, пароль отключён. Проверьте операции и подтвердите откат."),
                )
                return redirect("compromise:case", pk=reports[0].pk)
    else:
        form = ReportForm(users=users, initial={"moment": _initial_moment(request), "user": request.GET.get("user")})
    return render(request, "compromise/report.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def report_own(request):
    """Any user reports their own account (ACC-10): every session ends at once, this one too."""
    if request.method == "POST":
        form = OwnReportForm(request.POST)
        with timezone.override(_zone(request)):
            valid = form.is_valid()
        if valid:
            try:
                services.compromise_report(
                    user=request.user,
                    moment=form.cleaned_data["moment"],
                    reported_by=request.user,
                    school=request.school,
                    note=form.cleaned_data["note"],
                )
            except services.CompromiseError as exc:
                form.add_error(None, exc)
            else:
                logout(request)
                messages.warning(
                    request,
                    _(
                        "Сообщение о компрометации принято: все ваши сеансы завершены, пароль отключён. "
                        "Получите новый временный пароль у администратора журнала."
                    ),
                )
                return redirect("accounts:login")
    else:
        form = OwnReportForm(initial={"moment": _initial_moment(request)})
    return render(request, "compromise/report_own.html", {"form": form})


@login_required
def case(request, pk):
    report = _case(request, pk)
    rows = selectors.operation_rows(report=report)
    purpose = credentials.Purpose.TEMPORARY_PASSWORD
    return render(
        request,
        "compromise/case.html",
        {
            "report": report,
            "rows": rows,
            "to_revert": sum(1 for r in rows if r.result == services.Result.REVERTED),
            "zone": _zone(request),
            "password_usable": report.user.has_usable_password(),
            # A login shared with another school: its temporary password needs an approved request.
            "reset": credentials.reset_state(school=request.school, user=report.user, purpose=purpose),
            "reset_purpose": purpose,
            "may_request": access.administers_access(request),
        },
    )


@login_required
@require_POST
def revert(request, pk):
    report = _case(request, pk)
    try:
        outcome = services.compromise_revert(report=report, confirmed_by=request.user)
    except services.CompromiseError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Откат выполнен: откачено операций — %(reverted)d, оставлено для ручной проверки — %(later)d, "
                "уже были в прежнем состоянии — %(unchanged)d."
            )
            % outcome.as_dict(),
        )
    return HttpResponseRedirect(reverse("compromise:case", args=[report.pk]))


@login_required
@require_POST
def password(request, pk):
    """Issue a temporary password: shown once, here, for the administrator to hand over."""
    report = _case(request, pk)
    if report.user_id == request.user.pk:
        raise Http404  # nobody issues a password to himself
    try:
        new_password = services.temporary_password_issue(report=report, issued_by=request.user)
    except credentials.ResetRefused as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("compromise:case", args=[report.pk]))
    return render(request, "compromise/password_issued.html", {"report": report, "password": new_password})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """The owner replaces the temporary password (required at the first sign-in with it)."""
    form = TemporaryPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        services.password_change_done(user=user)
        request.session.pop(passwords.SESSION_KEY, None)
        messages.success(request, _("Пароль изменён."))
        return redirect("home")
    required = bool(request.session.get(passwords.SESSION_KEY))
    return render(request, "compromise/password_change.html", {"form": form, "required": required})
