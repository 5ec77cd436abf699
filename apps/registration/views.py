"""Pages of getting and losing access (ACC-3…ACC-9).

Public: registering with an invitation code, recovering a password with a recovery code or by
e-mail, applying for diary access and following the application. Staff: the journal
administrator (the whole school, staff codes, reports, deadlines) and the class teacher (her
classes' families) — everything they may touch comes from apps.accounts.access (404 outside).
Reads come from selectors, writes go through services."""

from __future__ import annotations

import csv
import mimetypes
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import access, credentials
from apps.accounts.models import Role
from apps.ops.redirects import safe_back
from apps.people.models import GuardianLink
from apps.schools.models import AcademicYear, School, SchoolClass

from . import forms, selectors, services
from .deadlines import school_today
from .models import AccessApplication, AccessCode, AccessEnd, ConfirmedEmail, Consent

CODE_LIMIT = (10, 15)  # failed code entries per address: 10 in 15 minutes
STATUS_LIMIT = (10, 15)
APPLY_LIMIT = (5, 60)
MAIL_LIMIT = (5, 60)
SESSION_CODE = "registration_code_id"
SESSION_SHOWN = "registration_shown_codes"
SESSION_APPLICATION = "registration_application"
MODEL_BACKEND = "apps.accounts.backends.ModelBackend"


def _ip(request) -> str:
    from apps.security.services import client_ip  # the proxy-aware address the sign-in throttle uses

    return client_ip(request) or ""


def _limited(request, kind: str, limit: tuple[int, int]) -> bool:
    return selectors.attempts_exceeded(kind=kind, ip=_ip(request), limit=limit[0], minutes=limit[1])


def _too_many(minutes: int) -> str:
    return _("Слишком много попыток с этого адреса. Подождите %(minutes)s минут и попробуйте снова.") % {
        "minutes": minutes
    }


def _errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form (field errors where the form has the field)."""
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _manager(request) -> None:
    if not access.manages_access(request):
        raise Http404


def _admin(request) -> None:
    if not access.administers_access(request):
        raise Http404


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Registering with an invitation code (ACC-4)


@require_http_methods(["GET", "POST"])
def register(request):
    form = forms.CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _limited(request, "code", CODE_LIMIT):
            form.is_valid()
            form.add_error(None, _too_many(CODE_LIMIT[1]))
            status = 429
        elif form.is_valid():
            try:
                code = services.code_find(typed=form.cleaned_data["code"], purpose=AccessCode.Purpose.INVITATION)
            except ValidationError as e:
                services.attempt_record(kind="code", ip=_ip(request))
                _errors(form, e)
            else:
                request.session[SESSION_CODE] = code.pk
                return redirect("registration:register_account")
    return render(request, "registration_app/register.html", {"form": form}, status=status)


def _role_text(code: AccessCode) -> str:
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(r, r)) for r in code.role_list)


@require_http_methods(["GET", "POST"])
def register_account(request):
    code_id = request.session.get(SESSION_CODE)
    try:
        code = services.code_get(code_id=code_id, purpose=AccessCode.Purpose.INVITATION) if code_id else None
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        code = None
    if code is None:
        request.session.pop(SESSION_CODE, None)
        return redirect("registration:register")
    children = []
    if code.guardian_id:
        children = [
            lk.student for lk in GuardianLink.objects.filter(guardian_id=code.guardian_id).select_related("student")
        ]
    form = forms.AccountForm(None if request.user.is_authenticated else (request.POST or None))
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                user = services.register_with_code(code_id=code.pk, user=request.user)
            elif form.is_valid():
                user = services.register_with_code(
                    code_id=code.pk, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
                )
                login(request, user, backend=MODEL_BACKEND)
                _send_confirmation(request, user, form.cleaned_data.get("email", ""))
            else:
                user = None
        except ValidationError as e:
            _errors(form, e)
            user = None
        if user is not None:
            request.session.pop(SESSION_CODE, None)
            messages.success(
                request,
                _("Учётная запись готова: %(person)s — %(roles)s.")
                % {"person": code.person.full_name, "roles": _role_text(code)},
            )
            return redirect("home")
    return render(
        request,
        "registration_app/register_account.html",
        {"form": form, "code": code, "roles": _role_text(code), "children": children},
    )


def _send_confirmation(request, user, email: str) -> None:
    if not email:
        return
    try:
        services.email_confirmation_send(
            user=user,
            email=email,
            confirm_url=lambda token: request.build_absolute_uri(reverse("registration:email_confirm", args=[token])),
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.info(
            request,
            _("На адрес %(email)s отправлено письмо: откройте ссылку из него, чтобы подтвердить адрес.")
            % {"email": email},
        )


# ---------------------------------------------------------------------------------------------
# Lost password (ACC-9)


@require_http_methods(["GET"])
def forgot(request):
    return render(request, "registration_app/forgot.html")


@require_http_methods(["GET", "POST"])
def recover(request):
    form = forms.RecoverForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _limited(request, "code", CODE_LIMIT):
            form.is_valid()
            form.add_error(None, _too_many(CODE_LIMIT[1]))
            status = 429
        elif form.is_valid():
            try:
                user = services.recover_with_code(
                    typed=form.cleaned_data["code"], password=form.cleaned_data["password1"]
                )
            except ValidationError as e:
                if not hasattr(e, "error_dict"):
                    services.attempt_record(kind="code", ip=_ip(request))
                _errors(form, e)
            else:
                return render(request, "registration_app/recovered.html", {"username": user.username})
    return render(request, "registration_app/recover.html", {"form": form}, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, only to an address the user has confirmed (ACC-9)."""

    template_name = "registration_app/password_reset.html"
    email_template_name = "registration_app/email/password_reset.txt"
    subject_template_name = "registration_app/email/password_reset_subject.txt"
    success_url = reverse_lazy("registration:password_reset_done")

    def get_form_class(self):
        from .password_reset import ConfirmedEmailPasswordResetForm

        return ConfirmedEmailPasswordResetForm

    def post(self, request, *args, **kwargs):
        if _limited(request, "reset", MAIL_LIMIT):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _too_many(MAIL_LIMIT[1]))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        services.attempt_record(kind="reset", ip=_ip(request))
        return super().post(request, *args, **kwargs)


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration_app/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration_app/password_reset_confirm.html",
    success_url=reverse_lazy("registration:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration_app/password_reset_complete.html"
)


@login_required
@require_http_methods(["GET", "POST"])
def email(request):
    """The user's address for password recovery: confirmed by a link sent to it."""
    form = forms.EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _limited(request, "mail", MAIL_LIMIT):
            form.add_error(None, _too_many(MAIL_LIMIT[1]))
        else:
            services.attempt_record(kind="mail", ip=_ip(request))
            _send_confirmation(request, request.user, form.cleaned_data["email"])
            return redirect("registration:email")
    confirmed = ConfirmedEmail.objects.filter(user=request.user).first()
    return render(request, "registration_app/email.html", {"form": form, "confirmed": confirmed})


@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    try:
        user, address = services.email_confirmation_read(token)
    except ValidationError as e:
        return render(request, "registration_app/email_confirm.html", {"error": " ".join(e.messages)}, status=400)
    if request.method == "POST":
        services.email_confirm(token=token)
        messages.success(request, _("Адрес %(email)s подтверждён.") % {"email": address})
        return redirect("registration:email" if request.user.is_authenticated else "accounts:login")
    return render(request, "registration_app/email_confirm.html", {"address": address, "account": user})


# ---------------------------------------------------------------------------------------------
# The family's view of its access (ACC-6)


@login_required
@require_http_methods(["GET"])
def my_access(request):
    rows = []
    if request.school is not None:
        rows = selectors.diary_access_explained(
            user=request.user, school=request.school, today=school_today(request.school)
        )
    return render(request, "registration_app/my_access.html", {"rows": rows})


# ---------------------------------------------------------------------------------------------
# Applications: the public side (ACC-7, ACC-8)


def _open_classes(school):
    return (
        SchoolClass.objects.filter(school=school)
        .exclude(year__status=AcademicYear.Status.CLOSED)
        .select_related("year")
        .order_by("-year__starts", "grade", "letter")
    )


@require_http_methods(["GET", "POST"])
def apply(request):
    schools = list(School.objects.order_by("short_name"))
    school = None
    chosen = _int(request.POST.get("school") or request.GET.get("school"))
    if chosen is not None:
        school = next((s for s in schools if s.pk == chosen), None)
        if school is None:
            raise Http404
    elif len(schools) == 1:
        school = schools[0]
    if school is None:
        return render(request, "registration_app/apply_school.html", {"schools": schools})
    classes = list(_open_classes(school))
    form = forms.ApplicationForm(request.POST or None, classes=classes)
    status = 200
    if request.method == "POST":
        if _limited(request, "apply", APPLY_LIMIT):
            form.is_valid()
            form.add_error(None, _too_many(APPLY_LIMIT[1]))
            status = 429
        elif form.is_valid():
            data = dict(form.cleaned_data)
            data["school_class"] = next(c for c in classes if c.pk == data["school_class"])
            try:
                application, secret = services.application_submit(
                    school=school,
                    status_url=request.build_absolute_uri(reverse("registration:application_status")),
                    **data,
                )
            except ValidationError as e:
                _errors(form, e)
            else:
                services.attempt_record(kind="apply", ip=_ip(request))
                request.session[SESSION_APPLICATION] = {"id": application.pk, "secret": secret}
                return redirect("registration:apply_done")
    return render(
        request,
        "registration_app/apply.html",
        {"form": form, "school": school, "several_schools": len(schools) > 1},
        status=status,
    )


@require_http_methods(["GET"])
def apply_done(request):
    shown = request.session.pop(SESSION_APPLICATION, None)
    if not shown:
        return redirect("registration:application_status")
    application = AccessApplication.objects.select_related("school", "school_class").get(pk=shown["id"])
    return render(request, "registration_app/apply_done.html", {"application": application, "secret": shown["secret"]})


@require_http_methods(["GET", "POST"])
def application_status(request):
    form = forms.StatusForm(request.POST or None)
    application = None
    status = 200
    if request.method == "POST":
        if _limited(request, "status", STATUS_LIMIT):
            form.is_valid()
            form.add_error(None, _too_many(STATUS_LIMIT[1]))
            status = 429
        elif form.is_valid():
            application = selectors.find_application(
                number=form.cleaned_data["number"], secret=form.cleaned_data["secret"]
            )
            if application is None:
                services.attempt_record(kind="status", ip=_ip(request))
                form.add_error(None, _("Заявление не найдено: проверьте номер и ключ."))
    return render(
        request,
        "registration_app/application_status.html",
        {
            "form": form,
            "application": application,
            "overdue": application is not None
            and selectors.application_overdue(application, school_today(application.school)),
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# The staff's hub, people and codes (ACC-3, ACC-4)


@login_required
@require_http_methods(["GET"])
def index(request):
    _manager(request)
    today = school_today(request.school)
    pending = list(access.access_applications(request).filter(status=AccessApplication.Status.NEW))
    return render(
        request,
        "registration_app/index.html",
        {
            "classes": access.access_classes(request)
            .select_related("year", "class_teacher")
            .order_by("-year__starts", "grade", "letter"),
            "pending": len(pending),
            "overdue": sum(1 for a in pending if today > a.due_on),
            "is_admin": access.administers_access(request),
        },
    )


@login_required
@require_http_methods(["GET"])
def class_people(request, class_id: int):
    _manager(request)
    school_class = access.get_class_for_access(request, class_id)
    today = school_today(request.school)
    return render(
        request,
        "registration_app/class_people.html",
        {
            "school_class": school_class,
            "rows": selectors.class_people(school_class=school_class, today=today),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET"])
def staff_people(request):
    _admin(request)
    today = school_today(request.school)
    return render(
        request,
        "registration_app/staff_people.html",
        {"rows": selectors.staff_people(school=request.school, today=today), "today": today},
    )


PERSON_SCOPES = {
    "staff": access.access_staff,
    "guardian": access.access_guardians,
    "student": access.access_students,
}


def _person(request, kind: str, pk: int):
    scope = PERSON_SCOPES.get(kind)
    if scope is None:
        raise Http404
    person = scope(request).select_related("user").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def _class_for(request, kind: str, person):
    """The class a family's code is entered under in the register: one of this user's classes."""
    if kind == "staff":
        return None
    today = school_today(request.school)
    ids = (
        [person.pk]
        if kind == "student"
        else list(GuardianLink.objects.filter(guardian=person).values_list("student_id", flat=True))
    )
    mine = set(access.access_classes(request).values_list("pk", flat=True))
    classes = [c for sid, c in selectors.current_class_of(ids, today).items() if c.pk in mine]
    return classes[0] if classes else None


def _back(request, fallback: str) -> str:
    return safe_back(request, request.POST.get("back") or request.GET.get("back"), fallback)


@login_required
@require_http_methods(["GET", "POST"])
def code_issue(request, kind: str, pk: int):
    _manager(request)
    person = _person(request, kind, pk)
    purpose = request.POST.get("purpose") or request.GET.get("purpose") or AccessCode.Purpose.INVITATION
    if purpose not in AccessCode.Purpose.values:
        raise Http404
    role_choices = None
    initial = {}
    if kind == "staff" and purpose == AccessCode.Purpose.INVITATION:
        role_choices = services.staff_role_choices()
        leads = SchoolClass.objects.filter(class_teacher=person).exists()
        initial["roles"] = [Role.TEACHER] + ([Role.CLASS_TEACHER] if leads else [])
    form = forms.IssueForm(request.POST or None, role_choices=role_choices, initial=initial)
    today = school_today(request.school)
    warnings = []
    if kind == "guardian" and purpose == AccessCode.Purpose.INVITATION:
        in_force = selectors.consents_in_force(
            student_ids=GuardianLink.objects.filter(guardian=person).values_list("student_id", flat=True), today=today
        )
        if not any(c.guardian_id == person.pk for cs in in_force.values() for c in cs):
            warnings.append(
                _(
                    "Согласие этого родителя на обработку персональных данных не зарегистрировано: "
                    "зарегистрировавшись, он не увидит дневник, пока согласие не будет зарегистрировано."
                )
            )
    if request.method == "POST" and form.is_valid():
        try:
            code, raw = services.code_issue(
                school=request.school,
                purpose=purpose,
                issued_by=request.user,
                handed_over=form.cleaned_data["handed_over"],
                roles=form.cleaned_data.get("roles", ()),
                school_class=_class_for(request, kind, person),
                **{kind: person},
            )
        except credentials.ResetRefused:
            pass  # the page says why below, with the way to ask for it (issue 11)
        except ValidationError as e:
            _errors(form, e)
        else:
            shown = request.session.get(SESSION_SHOWN, {})
            shown[str(code.pk)] = raw
            request.session[SESSION_SHOWN] = shown
            url = reverse("registration:code_issued", args=[code.pk])
            return redirect(f"{url}?{urlencode({'back': _back(request, '')})}")
    return render(
        request,
        "registration_app/code_issue.html",
        {
            "form": form,
            "person": person,
            "kind": kind,
            "purpose": purpose,
            "is_recovery": purpose == AccessCode.Purpose.RECOVERY,
            "warnings": warnings,
            "children": [lk.student for lk in GuardianLink.objects.filter(guardian=person).select_related("student")]
            if kind == "guardian"
            else [],
            "back": _back(request, reverse("registration:index")),
            **_reset_context(request, person, purpose),
        },
    )


def _reset_context(request, person, purpose: str) -> dict:
    """A recovery code for a login this school may not reset alone: why, and the request (issue 11)."""
    if purpose != AccessCode.Purpose.RECOVERY or person.user_id is None:
        return {}
    return {
        "reset": credentials.reset_state(school=request.school, user=person.user, purpose=purpose),
        "reset_purpose": purpose,
        "target": person.user,
        "may_request": access.administers_access(request),
    }


@login_required
@require_http_methods(["GET"])
def code_issued(request, pk: int):
    """The code in clear, once, with a slip to print and hand over."""
    _manager(request)
    code = (
        access.access_codes(request)
        .select_related("school", "staff", "guardian", "student", "issued_by")
        .filter(pk=pk)
        .first()
    )
    if code is None:
        raise Http404
    shown = request.session.get(SESSION_SHOWN, {})
    raw = shown.pop(str(code.pk), None)
    request.session[SESSION_SHOWN] = shown
    return render(
        request,
        "registration_app/code_issued.html",
        {
            "code": code,
            "raw": raw,
            "roles": _role_text(code),
            "register_url": request.build_absolute_uri(
                reverse(
                    "registration:register" if code.purpose == AccessCode.Purpose.INVITATION else "registration:recover"
                )
            ),
            "back": _back(request, reverse("registration:codes")),
        },
    )


@login_required
@require_POST
def code_revoke(request, pk: int):
    _manager(request)
    code = access.access_codes(request).filter(pk=pk).first()
    if code is None:
        raise Http404
    try:
        services.code_revoke(code=code, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Код № %(number)s отозван.") % {"number": code.number})
    return redirect(_back(request, reverse("registration:codes")))


def _register_rows(request):
    qs = access.access_codes(request).select_related(
        "staff", "guardian", "student", "school_class", "issued_by", "user"
    )
    school_class = None
    class_id = _int(request.GET.get("class"))
    if class_id is not None:
        school_class = access.get_class_for_access(request, class_id)
        qs = qs.filter(school_class=school_class)
    purpose = request.GET.get("purpose", "")
    if purpose in AccessCode.Purpose.values:
        qs = qs.filter(purpose=purpose)
    codes_ = list(qs.order_by("number"))
    children = {}
    guardian_ids = [c.guardian_id for c in codes_ if c.guardian_id]
    for lk in GuardianLink.objects.filter(guardian_id__in=guardian_ids).select_related("student"):
        children.setdefault(lk.guardian_id, []).append(lk.student.short_name)
    now = timezone.now()
    labels = dict(Role.choices)
    rows = []
    for c in codes_:
        if c.staff_id:
            role = ", ".join(str(labels.get(r, r)) for r in c.role_list) or _("сотрудник")
        elif c.guardian_id:
            role = _("родитель") + (
                f" ({', '.join(children.get(c.guardian_id, []))})" if children.get(c.guardian_id) else ""
            )
        else:
            role = _("учащийся")
        if c.purpose == AccessCode.Purpose.RECOVERY:
            role = _("%(role)s — восстановление пароля") % {"role": role}
        if c.used_at:
            state = _("использован %(date)s") % {"date": timezone.localtime(c.used_at).strftime("%d.%m.%Y")}
        elif c.revoked_at:
            state = _("отозван %(date)s") % {"date": timezone.localtime(c.revoked_at).strftime("%d.%m.%Y")}
        elif c.expires_at <= now:
            state = _("срок истёк")
        else:
            state = _("не использован")
        rows.append(
            {
                "code": c,
                "person": c.person.full_name,
                "role": role,
                "state": state,
                "active": not c.used_at and not c.revoked_at and c.expires_at > now,
            }
        )
    return rows, school_class, purpose


@login_required
@require_http_methods(["GET"])
def codes_register(request):
    """«Учёт выдачи пригласительных кодов»: the register, printable (ACC-4)."""
    _manager(request)
    rows, school_class, purpose = _register_rows(request)
    return render(
        request,
        "registration_app/codes.html",
        {
            "rows": rows,
            "school_class": school_class,
            "purpose": purpose,
            "classes": access.access_classes(request)
            .select_related("year")
            .order_by("-year__starts", "grade", "letter"),
            "purposes": AccessCode.Purpose.choices,
            "printed_on": school_today(request.school),
            "query": request.GET.urlencode(),
        },
    )


def _cell(value) -> str:
    """A spreadsheet cell that is never taken for a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@login_required
@require_http_methods(["GET"])
def codes_csv(request):
    _manager(request)
    rows, _school_class, _purpose = _register_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="codes.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    out = csv.writer(response, delimiter=";")
    out.writerow(
        [
            _("№"),
            _("ФИО"),
            _("Роль"),
            _("Класс"),
            _("Дата выдачи"),
            _("Способ"),
            _("Кто выдал"),
            _("Срок"),
            _("Использован"),
        ]
    )
    for r in rows:
        c = r["code"]
        out.writerow(
            _cell(v)
            for v in [
                c.number,
                r["person"],
                r["role"],
                str(c.school_class or ""),
                timezone.localtime(c.issued_at).strftime("%d.%m.%Y"),
                c.get_handed_over_display(),
                c.issued_by.display_name,
                timezone.localtime(c.expires_at).strftime("%d.%m.%Y"),
                r["state"],
            ]
        )
    return response


# ---------------------------------------------------------------------------------------------
# Consents (ACC-6)


@login_required
@require_http_methods(["GET"])
def consents(request):
    """The register of consents (журнал регистрации согласий), printable."""
    _manager(request)
    qs = access.access_consents(request).select_related("student", "guardian", "recorded_by", "ended_by")
    school_class = None
    class_id = _int(request.GET.get("class"))
    if class_id is not None:
        school_class = access.get_class_for_access(request, class_id)
        qs = qs.filter(
            student__in=selectors.students_of_classes(classes=[school_class], today=school_today(request.school))
        )
    rows = list(qs.order_by("number"))
    today = school_today(request.school)
    classes = selectors.current_class_of([c.student_id for c in rows], today)
    return render(
        request,
        "registration_app/consents.html",
        {
            "rows": [(c, classes.get(c.student_id), c.ended_on is None or c.ended_on > today) for c in rows],
            "school_class": school_class,
            "classes": access.access_classes(request)
            .select_related("year")
            .order_by("-year__starts", "grade", "letter"),
            "printed_on": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_add(request, student_id: int):
    _manager(request)
    student = access.access_students(request).filter(pk=student_id).first()
    if student is None:
        raise Http404
    links = list(GuardianLink.objects.filter(student=student).select_related("guardian"))
    givers = [(f"g{lk.guardian_id}", f"{lk.guardian.full_name} ({lk.get_relation_display()})") for lk in links]
    givers.append(("self", _("сам учащийся (%(name)s)") % {"name": student.full_name}))
    today = school_today(request.school)
    form = forms.ConsentForm(
        request.POST or None, request.FILES or None, givers=givers, initial={"given_on": today, "giver": givers[0][0]}
    )
    if request.method == "POST" and form.is_valid():
        giver = form.cleaned_data["giver"]
        guardian = None if giver == "self" else next(lk.guardian for lk in links if f"g{lk.guardian_id}" == giver)
        try:
            consent = services.consent_record(
                student=student,
                guardian=guardian,
                given_on=form.cleaned_data["given_on"],
                recorded_by=request.user,
                scan=form.cleaned_data.get("scan"),
                note=form.cleaned_data.get("note", ""),
                allows_guardians=form.cleaned_data.get("allows_guardians", False),
            )
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(
                request,
                _("Согласие зарегистрировано под № %(number)s.") % {"number": consent.number},
            )
            return redirect(_back(request, reverse("registration:consents")))
    return render(
        request,
        "registration_app/consent_add.html",
        {"form": form, "student": student, "back": _back(request, reverse("registration:consents"))},
    )


def _consent(request, pk: int) -> Consent:
    consent = access.access_consents(request).select_related("student", "guardian", "school").filter(pk=pk).first()
    if consent is None:
        raise Http404
    return consent


@login_required
@require_http_methods(["GET", "POST"])
def consent_end(request, pk: int):
    """A parent's written withdrawal (of the consent, or of the diary service) (ACC-6, ACC-7)."""
    _manager(request)
    consent = _consent(request, pk)
    form = forms.ConsentEndForm(request.POST or None, initial={"ended_on": school_today(request.school)})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_end(
                consent=consent,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, _("Доступ по согласию № %(number)s прекращён.") % {"number": consent.number})
            return redirect(_back(request, reverse("registration:consents")))
    return render(
        request,
        "registration_app/consent_end.html",
        {"form": form, "consent": consent, "back": _back(request, reverse("registration:consents"))},
    )


@login_required
@require_http_methods(["GET"])
def consent_scan(request, pk: int):
    _manager(request)
    consent = _consent(request, pk)
    if not consent.scan:
        raise Http404
    try:
        handle = consent.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = Path(consent.scan.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type, filename=name)


# ---------------------------------------------------------------------------------------------
# Applications: the deciding side (ACC-7, ACC-8)


@login_required
@require_http_methods(["GET"])
def applications(request):
    _manager(request)
    today = school_today(request.school)
    qs = access.access_applications(request).select_related("school_class", "decided_by")
    rows = list(qs.order_by("status", "due_on", "number"))
    pending = [a for a in rows if a.status == AccessApplication.Status.NEW]
    decided = sorted((a for a in rows if a.status != AccessApplication.Status.NEW), key=lambda a: -a.number)
    return render(
        request,
        "registration_app/applications.html",
        {
            "pending": [(a, today > a.due_on) for a in pending],
            "decided": decided,
            "today": today,
        },
    )


def _application(request, pk: int) -> AccessApplication:
    application = (
        access.access_applications(request)
        .select_related("school", "school_class", "decided_by", "student", "guardian")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def _candidates(request, application):
    """Students the application may be about (its class first), and the guardians of them."""
    today = school_today(request.school)
    students = access.access_students(request)
    if application.school_class_id:
        in_class = selectors.students_of_classes(classes=[application.school_class_id], today=today)
        students = students.filter(pk__in=in_class.values("pk"))
    students = list(students.order_by("last_name", "first_name", "pk"))
    links = list(
        GuardianLink.objects.filter(student__in=students)
        .select_related("guardian", "student")
        .order_by("guardian__last_name")
    )
    return students, links


def _decision_forms(request, application, approve_data=None, refuse_data=None):
    students, links = _candidates(request, application)
    matched = next(
        (
            s
            for s in students
            if s.last_name.lower() == application.student_last_name.lower()
            and s.first_name.lower() == application.student_first_name.lower()
        ),
        None,
    )
    guardian_match = next(
        (
            lk.guardian
            for lk in links
            if matched is not None
            and lk.student_id == matched.pk
            and lk.guardian.last_name.lower() == application.last_name.lower()
            and lk.guardian.first_name.lower() == application.first_name.lower()
        ),
        None,
    )
    approve = forms.ApproveForm(
        approve_data,
        students=students,
        initial={
            "student": matched.pk if matched else "",
            "guardian": str(guardian_match.pk) if guardian_match else "new",
            "documents": application.document_list,
            "handed_over": application.preferred_handover,
        },
    )
    refuse = forms.RefuseForm(refuse_data, initial={"documents": application.document_list})
    return approve, refuse, links


def _status_url(request) -> str:
    return request.build_absolute_uri(reverse("registration:application_status"))


@login_required
@require_http_methods(["GET"])
def application_detail(request, pk: int):
    _manager(request)
    application = _application(request, pk)
    approve, refuse, links = _decision_forms(request, application)
    return _render_application(request, application, approve, refuse, links)


def _render_application(request, application, approve, refuse, links, status=200):
    today = school_today(request.school)
    return render(
        request,
        "registration_app/application.html",
        {
            "application": application,
            "approve": approve,
            "refuse": refuse,
            "links": links,
            "overdue": selectors.application_overdue(application, today),
            "required": [
                AccessApplication.Document(d).label
                for d in services.required_documents(application.kind, application.relation)
            ],
            "codes": list(application.codes.all()),
        },
        status=status,
    )


@login_required
@require_POST
def application_approve(request, pk: int):
    _manager(request)
    application = _application(request, pk)
    approve, refuse, links = _decision_forms(request, application, approve_data=request.POST)
    if approve.is_valid():
        student = access.access_students(request).filter(pk=approve.cleaned_data["student"]).first()
        choice = approve.cleaned_data.get("guardian") or ""
        guardian = None
        if choice not in ("", "new"):
            guardian = access.access_guardians(request).filter(pk=_int(choice) or 0).first()
            if guardian is None:
                approve.add_error("guardian", _("Выберите родителя из списка."))
        if student is None:
            approve.add_error("student", _("Выберите учащегося."))
        if approve.is_valid():
            try:
                code, raw = services.application_approve(
                    application=application,
                    decided_by=request.user,
                    student=student,
                    guardian=guardian,
                    new_guardian=choice == "new" and application.kind == AccessApplication.Kind.PARENT,
                    handed_over=approve.cleaned_data["handed_over"],
                    documents=approve.cleaned_data["documents"],
                    consent_presented=approve.cleaned_data["consent_presented"],
                    status_url=_status_url(request),
                )
            except ValidationError as e:
                _errors(approve, e)
            else:
                messages.success(request, _("Заявление № %(number)s удовлетворено.") % {"number": application.number})
                if code is None:
                    return redirect("registration:application", pk=application.pk)
                shown = request.session.get(SESSION_SHOWN, {})
                shown[str(code.pk)] = raw
                request.session[SESSION_SHOWN] = shown
                back = reverse("registration:application", args=[application.pk])
                url = reverse("registration:code_issued", args=[code.pk])
                return redirect(f"{url}?{urlencode({'back': back})}")
    return _render_application(request, application, approve, refuse, links, status=400)


@login_required
@require_POST
def application_refuse(request, pk: int):
    _manager(request)
    application = _application(request, pk)
    approve, refuse, links = _decision_forms(request, application, refuse_data=request.POST)
    if refuse.is_valid():
        try:
            services.application_refuse(
                application=application,
                decided_by=request.user,
                reason=refuse.cleaned_data["reason"],
                details=refuse.cleaned_data.get("details", ""),
                documents=refuse.cleaned_data["documents"],
                status_url=_status_url(request),
            )
        except ValidationError as e:
            _errors(refuse, e)
        else:
            messages.success(
                request,
                _("В заявлении № %(number)s отказано. Распечатайте решение и выдайте заявителю.")
                % {"number": application.number},
            )
            return redirect("registration:application_refusal", pk=application.pk)
    return _render_application(request, application, approve, refuse, links, status=400)


@login_required
@require_http_methods(["GET"])
def application_refusal(request, pk: int):
    """The written refusal with its reason, to print, sign and hand over (000 прил.3:2.13)."""
    _manager(request)
    application = _application(request, pk)
    if application.status != AccessApplication.Status.REFUSED:
        raise Http404
    reasons = list(AccessApplication.RefusalReason.choices)
    clause = next(i for i, (value, _label) in enumerate(reasons, start=1) if value == application.refusal_reason)
    return render(
        request,
        "registration_app/refusal.html",
        {"application": application, "clause": clause, "reasons": reasons},
    )


# ---------------------------------------------------------------------------------------------
# The administrator's reports and deadlines (ACC-5, ACC-7)


@login_required
@require_http_methods(["GET"])
def reports(request):
    _admin(request)
    today = school_today(request.school)
    return render(
        request,
        "registration_app/reports.html",
        {
            "report": selectors.overdue_report(school=request.school, today=today),
            "ended": AccessEnd.objects.filter(school=request.school).select_related("student", "by")[:100],
            "today": today,
        },
    )


@login_required
@require_POST
def end_access_now(request):
    _admin(request)
    ended = services.access_end_due(school=request.school, by=request.user)
    messages.success(request, _("Доступ прекращён: записей в журнале — %(count)s.") % {"count": len(ended)})
    return redirect("registration:reports")


@login_required
@require_http_methods(["GET", "POST"])
def access_settings(request):
    _admin(request)
    current = selectors.access_settings(request.school)
    form = forms.SettingsForm(
        request.POST or None, initial={name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        services.access_settings_save(school=request.school, **form.cleaned_data)
        messages.success(request, _("Сроки сохранены."))
        return redirect("registration:settings")
    return render(request, "registration_app/settings.html", {"form": form})
