"""Requests to reset the credentials of a login one school may not reset alone (issue 11): one
with a role in another school, a municipal coordinator's. The rule and the writes are in
apps.accounts.credentials, who sees which request in apps.accounts.access.

The journal administrator asks (from the recovery-code page or the compromise case) and follows
her school's requests; the journal administrators of the login's other schools approve or refuse
for their school; the server's system administrator (a superuser, from the admin's «Запросы на
сброс пароля») decides any request for all. Everybody else: 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts import access, credentials
from apps.accounts.models import CredentialResetRequest, Membership, Role
from apps.people.models import Guardian, Staff, Student
from apps.schools.models import School

from . import forms
from .views import _errors, _int


def _sees(request) -> None:
    if not (request.user.is_superuser or access.administers_access(request)):
        raise Http404


def _deciding_school(request):
    """The school a decision is made for: none for the system administrator (he decides for all)."""
    return None if request.user.is_superuser else request.school


def _get(request, pk) -> CredentialResetRequest:
    req = (
        access.credential_requests(request)
        .select_related("school", "user", "requested_by", "used_by")
        .filter(pk=pk)
        .first()
    )
    if req is None:
        raise Http404
    return req


def _roles_by_school(user) -> list[tuple[str, str]]:
    labels = dict(Role.choices)
    by_school: dict[str, list[str]] = {}
    for m in Membership.objects.filter(user=user).select_related("school"):
        by_school.setdefault(m.school.short_name, []).append(str(labels.get(m.role, m.role)))
    return [(name, ", ".join(sorted(roles))) for name, roles in sorted(by_school.items())]


def _sent(req: CredentialResetRequest) -> str:
    schools = _school_names(credentials.approving_schools(school=req.school, user=req.user))
    if not schools:
        return _("Запрос № %(number)s направлен системному администратору сервера.") % {"number": req.pk}
    return _(
        "Запрос № %(number)s направлен: его одобряет системный администратор сервера или администраторы журнала "
        "школ: %(schools)s."
    ) % {"number": req.pk, "schools": ", ".join(f"«{s}»" for s in schools)}


def _decided(req: CredentialResetRequest) -> str:
    if req.status == credentials.Status.REFUSED:
        return _("Запрос № %(number)s отклонён.") % {"number": req.pk}
    if req.status == credentials.Status.APPROVED:
        return _("Запрос № %(number)s одобрен: школа «%(school)s» может выдать %(what)s один раз.") % {
            "number": req.pk,
            "school": req.school.short_name,
            "what": req.get_purpose_display(),
        }
    return _("Согласие вашей школы зарегистрировано. Запрос ждёт решения других школ.")


def _school_names(ids) -> list[str]:
    return list(School.objects.filter(pk__in=ids or ()).order_by("short_name").values_list("short_name", flat=True))


@login_required
@require_http_methods(["GET"])
def resets(request):
    """The register of requests: the school's own and those awaiting its decision (for the system
    administrator: all of them)."""
    _sees(request)
    school = _deciding_school(request)
    requests = list(
        access.credential_requests(request)
        .select_related("school", "user", "requested_by", "used_by")
        .order_by("-requested_at", "-pk")[:200]
    )
    awaiting = {
        r.pk
        for r in requests
        if r.status in credentials.OPEN
        and not credentials.covers(r)
        and credentials.decide_refusal(req=r, by=request.user, school=school) is None
    }
    return render(
        request,
        "registration_app/resets.html",
        {
            "rows": [{"req": r, "awaiting": r.pk in awaiting} for r in requests],
            "awaiting": len(awaiting),
            "is_root": request.user.is_superuser,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reset_new(request):
    """The journal administrator asks to reset a login her school may not reset alone."""
    if not access.administers_access(request):
        raise Http404
    purpose = request.POST.get("purpose") or request.GET.get("purpose")
    if purpose not in CredentialResetRequest.Purpose.values:
        raise Http404
    target = (
        access.credential_reset_targets(request)
        .filter(pk=_int(request.POST.get("user") or request.GET.get("user")))
        .first()
    )
    if target is None:
        raise Http404
    state = credentials.reset_state(school=request.school, user=target, purpose=purpose)
    form = forms.ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = credentials.request_create(
                school=request.school,
                user=target,
                purpose=purpose,
                reason=form.cleaned_data["reason"],
                requested_by=request.user,
            )
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, _sent(req))
            return redirect("registration:reset", pk=req.pk)
    return render(
        request,
        "registration_app/reset_new.html",
        {
            "form": form,
            "target": target,
            "purpose": purpose,
            "purpose_label": CredentialResetRequest.Purpose(purpose).label,
            "state": state,
            "roles": _roles_by_school(target),
            "approvers": _school_names(credentials.approving_schools(school=request.school, user=target)),
        },
    )


def _issue_links(request, req: CredentialResetRequest) -> list[tuple[str, str]]:
    """Where the requesting school issues what was approved: the login's people of the school (a
    recovery code), or its compromise cases (a temporary password)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    if req.school_id != getattr(request.school, "pk", None) or not access.administers_access(request):
        return []
    links = []
    if req.purpose == CredentialResetRequest.Purpose.RECOVERY:
        query = urlencode({"purpose": "recovery"})
        for kind, model in (("staff", Staff), ("guardian", Guardian), ("student", Student)):
            for person in model.objects.filter(school=req.school, user=req.user):
                url = reverse("registration:code_issue", args=[kind, person.pk])
                links.append((f"{url}?{query}", person.full_name))
    else:
        from apps.compromise.selectors import reports

        for report in reports(school=req.school).filter(user=req.user)[:1]:
            links.append((reverse("compromise:case", args=[report.pk]), str(report)))
    return links


@login_required
@require_http_methods(["GET", "POST"])
def reset(request, pk: int):
    """One request: who asked, for which school, what, when, why; every decision (who, when, for
    which school); the decision form for whoever may decide now."""
    _sees(request)
    req = _get(request, pk)
    school = _deciding_school(request)
    refusal = credentials.decide_refusal(req=req, by=request.user, school=school)
    form = forms.ResetDecisionForm(request.POST or None)
    if request.method == "POST":
        if refusal is not None:
            messages.error(request, refusal)
            return redirect("registration:reset", pk=req.pk)
        if form.is_valid():
            try:
                req = credentials.request_decide(
                    req=req,
                    by=request.user,
                    school=school,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as e:
                _errors(form, e)
            else:
                messages.success(request, _decided(req))
                return redirect("registration:reset", pk=req.pk)
    needed = credentials.approving_schools(school=req.school, user=req.user)
    decisions = list(req.decisions.select_related("by", "school"))
    decided = {d.school_id for d in decisions}
    return render(
        request,
        "registration_app/reset.html",
        {
            "req": req,
            "decisions": decisions,
            "roles": _roles_by_school(req.user),
            "waiting_for": _school_names((needed or set()) - decided),
            "root_only": needed is None,
            "covered": credentials.covers(req),
            "form": form if refusal is None else None,
            "issue_links": _issue_links(request, req) if req.status == credentials.Status.APPROVED else [],
            "is_root": request.user.is_superuser,
        },
    )
