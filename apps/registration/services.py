"""Writes of getting and losing access (ACC-3…ACC-9). Keyword-only, validating, each in one
transaction; Russian messages in ValidationError for the person at the keyboard."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts import credentials
from apps.accounts.models import Membership, Role, User
from apps.diary.cache import school_changed
from apps.people.models import Guardian, GuardianLink, Staff, Student

from . import codes, selectors
from .deadlines import add_working_days, age, eighteenth_birthday, is_adult, school_today
from .models import (
    AccessApplication,
    AccessCode,
    AccessEnd,
    AccessSettings,
    Attempt,
    ConfirmedEmail,
    Consent,
    HandOver,
)

log = logging.getLogger(__name__)

FAMILY_ROLES = {Role.PARENT, Role.STUDENT}
EMAIL_SALT = "apps.registration.email"
EMAIL_CONFIRM_DAYS = 3


def _fmt(day) -> str:
    return date_format(day, "d.m.Y")


def _next_number(model, school) -> int:
    return (model.objects.filter(school=school).aggregate(m=Max("number"))["m"] or 0) + 1


def _notify(*, to: str, subject: str, template: str, context: dict) -> bool:
    """Send one letter; a mail server that is down does not undo the decision (it is logged)."""
    if not to:
        return False
    try:
        send_mail(subject, render_to_string(template, context), None, [to])
    except Exception:  # noqa: BLE001 — any transport failure: the decision stands, the log tells
        log.exception("mail to %s failed", to)
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Codes (ACC-3, ACC-4, ACC-9)


def staff_role_choices() -> list[tuple[str, str]]:
    """Roles an invitation may give a member of staff: every role but the family ones."""
    return [(value, label) for value, label in Role.choices if value not in FAMILY_ROLES]


@transaction.atomic
def code_issue(
    *,
    school,
    purpose: str,
    issued_by,
    handed_over: str,
    staff: Staff | None = None,
    guardian: Guardian | None = None,
    student: Student | None = None,
    roles=(),
    school_class=None,
    application: AccessApplication | None = None,
) -> tuple[AccessCode, str]:
    """Issue a code for one person and return it with the code in clear (shown once). A new code
    for the same person and purpose replaces the unused one."""
    targets = [p for p in (staff, guardian, student) if p is not None]
    if len(targets) != 1:
        raise ValidationError(_("Код выдаётся одному человеку."))
    person = targets[0]
    if person.school_id != school.pk:
        raise ValidationError(_("Этот человек не из вашей школы."))
    if handed_over not in HandOver.values:
        raise ValidationError(_("Укажите, как код передан."))
    settings = selectors.access_settings(school)
    today = school_today(school)
    now = timezone.now()
    roles = [r for r in roles if r]
    if purpose == AccessCode.Purpose.INVITATION:
        if person.user_id is not None:
            raise ValidationError(
                _(
                    "У этого человека уже есть учётная запись «%(username)s». Если пароль утерян, выдайте "
                    "код восстановления."
                )
                % {"username": person.user.username}
            )
        if staff is not None:
            allowed = {v for v, _label in staff_role_choices()}
            if not roles:
                raise ValidationError(_("Отметьте хотя бы одну роль сотрудника."))
            if not set(roles) <= allowed:
                raise ValidationError(
                    _("Родителей и учащихся приглашает классный руководитель, не по коду сотрудника.")
                )
            if staff.left_on is not None and staff.left_on < today:
                raise ValidationError(_("Сотрудник уволен %(date)s.") % {"date": _fmt(staff.left_on)})
        else:
            roles = [Role.PARENT] if guardian is not None else [Role.STUDENT]
        if guardian is not None and not GuardianLink.objects.filter(guardian=guardian).exists():
            raise ValidationError(_("Этот родитель не связан ни с одним учащимся."))
        days = settings.invitation_days
        user = None
        reset_request = None
    elif purpose == AccessCode.Purpose.RECOVERY:
        if person.user_id is None:
            raise ValidationError(_("У этого человека ещё нет учётной записи: выдайте пригласительный код."))
        if not person.user.is_active:
            raise ValidationError(_("Учётная запись отключена: доступ этого человека прекращён."))
        user = person.user
        # Only a login whose every role is in this school (issue 11); else an approved request.
        reset_request = credentials.reset_authorize(school=school, user=user, purpose=purpose, by=issued_by)
        days = settings.recovery_days
        roles = []
    else:
        raise ValidationError(_("Неизвестный вид кода."))

    AccessCode.objects.filter(
        school=school,
        purpose=purpose,
        staff=staff,
        guardian=guardian,
        student=student,
        used_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    if school_class is None and student is not None:
        school_class = selectors.current_class_of([student.pk], today).get(student.pk)
    if school_class is None and guardian is not None:
        children = list(GuardianLink.objects.filter(guardian=guardian).values_list("student_id", flat=True))
        classes = selectors.current_class_of(children, today)
        school_class = next(iter(classes.values()), None)
    for _attempt in range(5):
        raw = codes.generate()
        try:
            with transaction.atomic():
                code = AccessCode.objects.create(
                    school=school,
                    number=_next_number(AccessCode, school),
                    purpose=purpose,
                    code_hash=codes.digest(raw),
                    staff=staff,
                    guardian=guardian,
                    student=student,
                    roles=",".join(roles),
                    school_class=school_class,
                    user=user,
                    application=application,
                    issued_by=issued_by,
                    reset_request=reset_request,
                    issued_at=now,
                    handed_over=handed_over,
                    expires_at=now + dt.timedelta(days=days),
                )
            return code, raw
        except IntegrityError:  # a number or a code taken at the same moment: draw again
            continue
    raise ValidationError(_("Не удалось выдать код, попробуйте ещё раз."))


@transaction.atomic
def code_revoke(*, code: AccessCode, by) -> AccessCode:
    if code.used_at is not None:
        raise ValidationError(_("Код уже использован, отозвать его нельзя."))
    if code.revoked_at is None:
        code.revoked_at = timezone.now()
        code.save(update_fields=["revoked_at"])
    return code


def _check_code(code: AccessCode | None, *, purpose: str, now) -> AccessCode:
    if code is None:
        raise ValidationError(
            _("Код не найден. Проверьте, правильно ли он введён: 10 знаков, например KM7QX-4HTRC."), code="wrong"
        )
    if code.purpose != purpose:
        if code.purpose == AccessCode.Purpose.RECOVERY:
            raise ValidationError(
                _("Это код восстановления пароля: введите его на странице «Восстановление пароля по коду»."),
                code="purpose",
            )
        raise ValidationError(
            _("Это пригласительный код: введите его на странице «Регистрация по коду»."), code="purpose"
        )
    if code.used_at is not None:
        raise ValidationError(
            _(
                "Этот код уже использован %(date)s. Каждый код действует один раз. Если это сделали не вы, "
                "сообщите тому, кто выдал код."
            )
            % {"date": _fmt(timezone.localtime(code.used_at))},
            code="used",
        )
    if code.revoked_at is not None:
        raise ValidationError(
            _("Этот код отозван: вместо него выдан новый, или выдача отменена. Обратитесь к тому, кто выдал код."),
            code="revoked",
        )
    if code.expires_at <= now:
        raise ValidationError(
            _("Срок действия кода истёк %(date)s. Попросите выдать новый код.")
            % {"date": _fmt(timezone.localtime(code.expires_at))},
            code="expired",
        )
    return code


def _codes(lock: bool):
    qs = AccessCode.objects.select_related("school", "staff", "guardian", "student", "user", "school_class")
    return qs.select_for_update(of=("self",)) if lock else qs


def code_find(*, typed: str, purpose: str, lock: bool = False) -> AccessCode:
    """The code behind what was typed, if it may still be used; else ValidationError saying why."""
    code = _codes(lock).filter(code_hash=codes.digest(typed)).first() if codes.looks_valid(typed) else None
    return _check_code(code, purpose=purpose, now=timezone.now())


def code_get(*, code_id: int, purpose: str, lock: bool = False) -> AccessCode:
    """A code already entered correctly (its id kept in the session between two steps)."""
    return _check_code(_codes(lock).filter(pk=code_id).first(), purpose=purpose, now=timezone.now())


def _validate_new_user(username: str, password: str, person) -> User:
    username = (username or "").strip()
    errors = {}
    user = User(
        username=username,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=getattr(person, "middle_name", ""),
    )
    try:
        User._meta.get_field("username").run_validators(username)
        if not username:
            raise ValidationError(_("Придумайте имя пользователя."))
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Имя пользователя «%(username)s» уже занято.") % {"username": username})
    except ValidationError as e:
        errors["username"] = e.messages
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        errors["password1"] = e.messages
    if errors:
        raise ValidationError(errors)
    return user


def _link_person(code: AccessCode, user: User) -> None:
    """Bind the account to the person the code was made for, and give the code's roles."""
    school = code.school
    if code.staff_id:
        if Staff.objects.filter(school=school, user=user).exclude(pk=code.staff_id).exists():
            raise ValidationError(_("Ваша учётная запись уже привязана к другому сотруднику этой школы."))
        Staff.objects.filter(pk=code.staff_id).update(user=user)
    elif code.guardian_id:
        Guardian.objects.filter(pk=code.guardian_id).update(user=user)
    else:
        Student.objects.filter(pk=code.student_id).update(user=user)
    for role in code.role_list:
        Membership.objects.get_or_create(user=user, school=school, role=role)
    school_changed(school.pk)  # queryset updates send no signals: the cached pages name the school's version


@transaction.atomic
def register_with_code(*, code_id: int, username: str = "", password: str = "", user: User | None = None) -> User:
    """Create the account of the person the invitation was made for (or, for someone already
    signed in, add that person to their account) and mark the code used (ACC-4)."""
    code = code_get(code_id=code_id, purpose=AccessCode.Purpose.INVITATION, lock=True)
    person = code.person
    if person.user_id is not None:
        raise ValidationError(_("Для этого человека учётная запись уже создана. Войдите под ней."))
    if user is None:
        user = _validate_new_user(username, password, person)
        user.set_password(password)
        user.save()
    _link_person(code, user)
    code.used_at = timezone.now()
    code.user = user
    code.save(update_fields=["used_at", "user"])
    return user


@transaction.atomic
def recover_with_code(*, typed: str, password: str) -> User:
    """Set a new password with a recovery code (ACC-9); the other sessions of the account end
    (Django ties a session to the password hash)."""
    code = code_find(typed=typed, purpose=AccessCode.Purpose.RECOVERY, lock=True)
    user = code.user
    if user is None or not user.is_active:
        raise ValidationError(_("Учётная запись отключена. Обратитесь к администратору журнала."))
    # Asked again at use: a role in another school may have been added since the code was issued.
    credentials.reset_still_allowed(school=code.school, user=user, grant=code.reset_request)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise ValidationError({"password1": e.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    return user


# ---------------------------------------------------------------------------------------------
# Consents (ACC-6)


@transaction.atomic
def consent_record(
    *,
    student: Student,
    guardian: Guardian | None,
    given_on: dt.date,
    recorded_by,
    scan=None,
    note: str = "",
    allows_guardians: bool = False,
) -> Consent:
    """Register a written consent on the day it is handed in."""
    school = student.school
    today = school_today(school)
    if given_on > today:
        raise ValidationError(_("Дата согласия не может быть позже сегодняшней."))
    if guardian is not None:
        if not GuardianLink.objects.filter(guardian=guardian, student=student).exists():
            raise ValidationError(_("Этот человек не указан законным представителем учащегося."))
        if allows_guardians:
            raise ValidationError(_("Согласие на доступ родителей даёт сам совершеннолетний учащийся."))
    elif allows_guardians and not is_adult(student.birth_date, today):
        raise ValidationError(_("Учащемуся нет 18 лет: его дневник родители видят по своему согласию."))
    existing = (
        Consent.objects.filter(selectors.valid_consent_q(today), student=student, guardian=guardian)
        .order_by("number")
        .first()
    )
    if existing is not None:
        raise ValidationError(
            _("Согласие уже зарегистрировано: № %(number)s от %(date)s.")
            % {"number": existing.number, "date": _fmt(existing.given_on)}
        )
    consent = Consent(
        school=school,
        number=_next_number(Consent, school),
        student=student,
        guardian=guardian,
        given_on=given_on,
        allows_guardians=allows_guardians,
        note=note,
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
    )
    if scan:
        consent.scan = scan
    consent.save()
    return consent


@transaction.atomic
def consent_end(*, consent: Consent, ended_on: dt.date, reason: str, by, note: str = "") -> Consent:
    """A written withdrawal (of the consent, or of the diary service): from `ended_on` the person
    who gave it no longer reads the child's diary (ACC-6, ACC-7)."""
    today = school_today(consent.school)
    if consent.ended_on is not None:
        raise ValidationError(_("Действие этого согласия уже прекращено %(date)s.") % {"date": _fmt(consent.ended_on)})
    if reason not in Consent.EndReason.values:
        raise ValidationError(_("Укажите основание прекращения."))
    if ended_on > today:
        raise ValidationError(_("Дата заявления не может быть позже сегодняшней."))
    consent.ended_on = max(ended_on, consent.given_on)
    consent.end_reason = reason
    consent.end_note = note
    consent.ended_by = by
    consent.save(update_fields=["ended_on", "end_reason", "end_note", "ended_by"])
    person = consent.guardian or consent.student
    if person.user_id:
        AccessEnd.objects.create(
            school=consent.school,
            user_id=person.user_id,
            username=person.user.username,
            person=person.full_name,
            student=consent.student,
            reason=AccessEnd.Reason.STUDENT_LEFT
            if reason == Consent.EndReason.STUDENT_LEFT
            else AccessEnd.Reason.CONSENT_ENDED,
            details=_("Согласие № %(number)s: %(reason)s.")
            % {"number": consent.number, "reason": consent.get_end_reason_display()},
            happened_at=timezone.now(),
            by=by,
        )
    return consent


# ---------------------------------------------------------------------------------------------
# Applications (ACC-7, ACC-8)


@transaction.atomic
def application_submit(
    *,
    school,
    kind: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    relation: str = "",
    phone: str = "",
    email: str = "",
    student_last_name: str,
    student_first_name: str,
    student_middle_name: str = "",
    student_birth_date: dt.date | None = None,
    school_class=None,
    preferred_handover: str = HandOver.IN_PERSON,
    documents=(),
    status_url: str = "",
) -> tuple[AccessApplication, str]:
    """Register an application; the applicant gets its number and a secret for the status page."""
    if school_class is not None and school_class.school_id != school.pk:
        raise ValidationError(_("Выберите класс этой школы."))
    if kind not in AccessApplication.Kind.values:
        raise ValidationError(_("Укажите, кто подаёт заявление."))
    settings = selectors.access_settings(school)
    today = school_today(school)
    now = timezone.now()
    for _attempt in range(5):
        secret = codes.generate()
        try:
            with transaction.atomic():
                application = AccessApplication.objects.create(
                    school=school,
                    number=_next_number(AccessApplication, school),
                    secret_hash=codes.digest(secret, purpose="application"),
                    kind=kind,
                    last_name=last_name.strip(),
                    first_name=first_name.strip(),
                    middle_name=middle_name.strip(),
                    relation=relation,
                    phone=phone.strip(),
                    email=email.strip(),
                    student_last_name=student_last_name.strip(),
                    student_first_name=student_first_name.strip(),
                    student_middle_name=student_middle_name.strip(),
                    student_birth_date=student_birth_date,
                    school_class=school_class,
                    preferred_handover=preferred_handover,
                    documents=",".join(d for d in documents if d in AccessApplication.Document.values),
                    submitted_at=now,
                    received_on=today,
                    due_on=add_working_days(today, settings.decision_working_days, school=school),
                )
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError(_("Не удалось зарегистрировать заявление, попробуйте ещё раз."))
    _notify(
        to=application.email,
        subject=_("Заявление № %(number)s о доступе к электронному дневнику зарегистрировано")
        % {"number": application.number},
        template="registration_app/email/application_received.txt",
        context={"application": application, "secret": secret, "status_url": status_url},
    )
    return application, secret


REQUIRED_DOCUMENTS = {
    # (kind, relation) → documents without which the application cannot be granted (000 прил.3:2.6)
    AccessApplication.Kind.PARENT: [AccessApplication.Document.IDENTITY, AccessApplication.Document.BIRTH_CERTIFICATE],
    AccessApplication.Kind.STUDENT_14: [
        AccessApplication.Document.IDENTITY,
        AccessApplication.Document.PARENT_CONSENT,
    ],
    AccessApplication.Kind.ADULT_STUDENT: [AccessApplication.Document.IDENTITY],
}


def required_documents(kind: str, relation: str) -> list[str]:
    if kind == AccessApplication.Kind.PARENT and relation in (
        GuardianLink.Relation.GUARDIAN,
        GuardianLink.Relation.OTHER,
    ):
        return [AccessApplication.Document.IDENTITY, AccessApplication.Document.GUARDIANSHIP]
    return list(REQUIRED_DOCUMENTS[kind])


def _decidable(application: AccessApplication) -> None:
    if application.status != AccessApplication.Status.NEW:
        raise ValidationError(
            _("По заявлению уже принято решение: %(status)s.") % {"status": application.get_status_display()}
        )


@transaction.atomic
def application_approve(
    *,
    application: AccessApplication,
    decided_by,
    student: Student,
    guardian: Guardian | None = None,
    new_guardian: bool = False,
    handed_over: str,
    documents=(),
    consent_presented: bool = False,
    status_url: str = "",
) -> tuple[AccessCode | None, str]:
    """Grant the application: link the applicant to the student (a new guardian record if asked),
    register the consent handed in with it, and issue the invitation code (None when the person
    already has an account: the child is then simply added to it)."""
    application = AccessApplication.objects.select_for_update().get(pk=application.pk)
    _decidable(application)
    school = application.school
    today = school_today(school)
    kind = application.kind
    if student.school_id != school.pk:
        raise ValidationError(_("Учащийся не из этой школы."))
    documents = [d for d in documents if d in AccessApplication.Document.values]
    missing = [
        str(AccessApplication.Document(d).label)
        for d in required_documents(kind, application.relation)
        if d not in documents
    ]
    if missing:
        raise ValidationError(
            _(
                "Не представлены документы: %(docs)s. Без них в доступе отказывают по основанию «представленные "
                "заявителем документы не соответствуют установленным требованиям»."
            )
            % {"docs": "; ".join(missing)}
        )
    years = age(student.birth_date, today)
    if kind == AccessApplication.Kind.STUDENT_14 and (years is None or years < 14):
        raise ValidationError(_("Учащемуся нет 14 лет: заявление подаёт родитель."))
    if kind == AccessApplication.Kind.ADULT_STUDENT and not is_adult(student.birth_date, today):
        raise ValidationError(_("Учащемуся нет 18 лет: заявление подаёт родитель или сам учащийся от 14 лет."))
    if kind == AccessApplication.Kind.PARENT:
        if new_guardian:
            guardian = Guardian.objects.create(
                school=school,
                last_name=application.last_name,
                first_name=application.first_name,
                middle_name=application.middle_name,
                phone=application.phone,
                email=application.email,
            )
            GuardianLink.objects.create(
                school=school,
                guardian=guardian,
                student=student,
                relation=application.relation or GuardianLink.Relation.OTHER,
            )
        if guardian is None:
            raise ValidationError(_("Выберите родителя из списка или отметьте, что его нужно добавить."))
        if not GuardianLink.objects.filter(guardian=guardian, student=student).exists():
            raise ValidationError(_("Этот человек не указан законным представителем учащегося."))
        if (
            is_adult(student.birth_date, today)
            and not Consent.objects.filter(
                selectors.valid_consent_q(today), student=student, guardian__isnull=True, allows_guardians=True
            ).exists()
        ):
            raise ValidationError(
                _(
                    "Учащемуся исполнилось 18 лет, его согласия на доступ родителей нет: откажите по основанию "
                    "«обучающийся достиг возраста 18 лет»."
                )
            )
        giver, target = guardian, {"guardian": guardian}
    else:
        guardian = None
        giver, target = None, {"student": student}
    has_consent = Consent.objects.filter(selectors.valid_consent_q(today), student=student, guardian=giver).exists()
    if kind == AccessApplication.Kind.STUDENT_14:
        has_consent = (
            has_consent
            or Consent.objects.filter(
                selectors.valid_consent_q(today), student=student, guardian__isnull=False
            ).exists()
        )
    if not has_consent:
        if not consent_presented:
            raise ValidationError(
                _(
                    "Согласие на обработку персональных данных не зарегистрировано. Отметьте, что оно представлено "
                    "вместе с заявлением, или откажите по этому основанию."
                )
            )
        consent_record(
            student=student,
            guardian=giver,
            given_on=today,
            recorded_by=decided_by,
            note=_("представлено с заявлением № %(number)s") % {"number": application.number},
        )
    person = target.get("guardian") or target.get("student")
    code, raw = None, ""
    if person.user_id is None:
        code, raw = code_issue(
            school=school,
            purpose=AccessCode.Purpose.INVITATION,
            issued_by=decided_by,
            handed_over=handed_over,
            application=application,
            **target,
        )
    application.status = AccessApplication.Status.APPROVED
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.student = student
    application.guardian = guardian
    application.documents = ",".join(documents)
    application.save(update_fields=["status", "decided_at", "decided_by", "student", "guardian", "documents"])
    _notify(
        to=application.email,
        subject=_("Заявление № %(number)s удовлетворено") % {"number": application.number},
        template="registration_app/email/application_approved.txt",
        context={
            "application": application,
            "code": raw if handed_over == HandOver.EMAIL else "",
            "has_account": code is None,
            "handed_over": HandOver(handed_over).label,
            "status_url": status_url,
        },
    )
    return code, raw


@transaction.atomic
def application_refuse(
    *, application: AccessApplication, decided_by, reason: str, details: str = "", documents=(), status_url: str = ""
) -> AccessApplication:
    """Refuse, only for a reason of the exhaustive list (000 прил.3:2.11–2.13)."""
    application = AccessApplication.objects.select_for_update().get(pk=application.pk)
    _decidable(application)
    if reason not in AccessApplication.RefusalReason.values:
        raise ValidationError(_("Отказать можно только по одному из оснований, перечисленных в регламенте."))
    application.status = AccessApplication.Status.REFUSED
    application.refusal_reason = reason
    application.refusal_details = details.strip()
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.documents = ",".join(d for d in documents if d in AccessApplication.Document.values)
    application.save(
        update_fields=["status", "refusal_reason", "refusal_details", "decided_at", "decided_by", "documents"]
    )
    _notify(
        to=application.email,
        subject=_("Решение по заявлению № %(number)s") % {"number": application.number},
        template="registration_app/email/application_refused.txt",
        context={"application": application, "status_url": status_url},
    )
    return application


# ---------------------------------------------------------------------------------------------
# Ending access (ACC-5, ACC-7)


def _remove_roles(*, user: User, school, roles=None, exclude=None) -> tuple[list[str], bool]:
    """Remove the user's roles in the school; switch the account off when no role is left
    anywhere. Returns (roles removed, deactivated)."""
    qs = Membership.objects.filter(user=user, school=school)
    if roles is not None:
        qs = qs.filter(role__in=roles)
    if exclude is not None:
        qs = qs.exclude(role__in=exclude)
    removed = sorted(qs.values_list("role", flat=True))
    qs.delete()
    deactivated = False
    if removed and user.is_active and not Membership.objects.filter(user=user).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
        deactivated = True
    return removed, deactivated


def _role_labels(roles) -> str:
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(r, r)) for r in roles)


@transaction.atomic
def access_end_due(*, school, today: dt.date | None = None, by=None) -> list[AccessEnd]:
    """What the daily `manage.py end_access` does for one school (and the administrator may run
    at once): students who left and their parents, staff after their leaving day, parents of
    students who turned 18 without the student's consent. Each change is logged with its reason.
    Running it twice changes nothing more."""
    today = today or school_today(school)
    now = timezone.now()
    logged: list[AccessEnd] = []

    # 1. Students who left: their consents end the day after their last day; the student's own
    #    role ends; a parent's role ends when no child of theirs is at the school any more.
    departed = selectors.departed_students(school=school, today=today)
    guardian_users = {}
    for student, enrolment in departed:
        ended = list(Consent.objects.filter(selectors.valid_consent_q(today), student=student))
        after = enrolment.ends + dt.timedelta(days=1)
        for c in ended:
            c.ended_on = max(after, c.given_on)
            c.end_reason = Consent.EndReason.STUDENT_LEFT
            c.end_note = _("последний день в классе %(cls)s — %(date)s") % {
                "cls": enrolment.school_class,
                "date": _fmt(enrolment.ends),
            }
            c.save(update_fields=["ended_on", "end_reason", "end_note"])
        details = _("Последний день в классе %(cls)s — %(date)s.") % {
            "cls": enrolment.school_class,
            "date": _fmt(enrolment.ends),
        }
        if student.user_id:
            user = student.user
            removed, off = _remove_roles(user=user, school=school, roles=[Role.STUDENT])
            if removed or any(c.guardian_id is None for c in ended):
                logged.append(
                    AccessEnd(
                        school=school,
                        user=user,
                        username=user.username,
                        person=student.full_name,
                        student=student,
                        reason=AccessEnd.Reason.STUDENT_LEFT,
                        details=details,
                        roles_removed=_role_labels(removed),
                        deactivated=off,
                        happened_at=now,
                        by=by,
                    )
                )
        for link in GuardianLink.objects.filter(student=student, guardian__user__isnull=False).select_related(
            "guardian__user"
        ):
            guardian_users.setdefault(link.guardian.user_id, []).append(
                (link.guardian, student, details, any(c.guardian_id == link.guardian_id for c in ended))
            )
    still_parents = selectors.current_guardian_users(school=school, today=today, user_ids=guardian_users.keys())
    for user_id, items in guardian_users.items():
        removed, off = [], False
        if user_id not in still_parents:
            removed, off = _remove_roles(user=items[0][0].user, school=school, roles=[Role.PARENT])
        for guardian, student, details, consent_ended in items:
            if removed or consent_ended:
                logged.append(
                    AccessEnd(
                        school=school,
                        user=guardian.user,
                        username=guardian.user.username,
                        person=guardian.full_name,
                        student=student,
                        reason=AccessEnd.Reason.STUDENT_LEFT,
                        details=details,
                        roles_removed=_role_labels(removed),
                        deactivated=off,
                        happened_at=now,
                        by=by,
                    )
                )
                removed, off = [], False  # the roles are logged once per person

    # 2. Staff after the leaving day (ACC-5: removed within 2 days; the daily run does it the next day).
    for staff in Staff.objects.filter(school=school, user__isnull=False, left_on__lt=today).select_related("user"):
        removed, off = _remove_roles(user=staff.user, school=school, exclude=FAMILY_ROLES)
        if removed:
            logged.append(
                AccessEnd(
                    school=school,
                    user=staff.user,
                    username=staff.user.username,
                    person=staff.full_name,
                    reason=AccessEnd.Reason.STAFF_LEFT,
                    details=_("Дата увольнения — %(date)s.") % {"date": _fmt(staff.left_on)},
                    roles_removed=_role_labels(removed),
                    deactivated=off,
                    happened_at=now,
                    by=by,
                )
            )

    # 3. Parents of students who turned 18 without the student's consent: the diary closes by
    #    itself (apps.accounts.access); this records it once.
    adults = Student.objects.filter(school=school).exclude(selectors.minor_q(today))
    agreeing = Consent.objects.filter(
        selectors.valid_consent_q(today), student__in=adults, guardian__isnull=True, allows_guardians=True
    ).values("student_id")
    already = set(
        AccessEnd.objects.filter(school=school, reason=AccessEnd.Reason.TURNED_18).values_list("user_id", "student_id")
    )
    for link in (
        GuardianLink.objects.filter(student__in=adults, guardian__user__isnull=False)
        .exclude(student_id__in=agreeing)
        .select_related("guardian__user", "student")
    ):
        if (link.guardian.user_id, link.student_id) in already:
            continue
        logged.append(
            AccessEnd(
                school=school,
                user=link.guardian.user,
                username=link.guardian.user.username,
                person=link.guardian.full_name,
                student=link.student,
                reason=AccessEnd.Reason.TURNED_18,
                details=_("Учащемуся %(name)s исполнилось 18 лет %(date)s.")
                % {"name": link.student.full_name, "date": _fmt(eighteenth_birthday(link.student.birth_date))},
                happened_at=now,
                by=by,
            )
        )

    AccessEnd.objects.bulk_create(logged)
    Attempt.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
    return logged


# ---------------------------------------------------------------------------------------------
# E-mail confirmation (ACC-9)


def email_confirmation_send(*, user: User, email: str, confirm_url) -> str:
    """Send a link that proves the address is the user's; returns the token. `confirm_url(token)`
    makes the absolute link."""
    token = signing.dumps({"u": user.pk, "e": email.strip()}, salt=EMAIL_SALT, compress=True)
    sent = _notify(
        to=email.strip(),
        subject=_("Подтверждение адреса электронной почты"),
        template="registration_app/email/email_confirm.txt",
        context={"user": user, "url": confirm_url(token), "days": EMAIL_CONFIRM_DAYS},
    )
    if not sent:
        raise ValidationError(_("Письмо отправить не удалось. Попробуйте позже или обратитесь к администратору."))
    return token


def email_confirmation_read(token: str) -> tuple[User, str]:
    try:
        data = signing.loads(token, salt=EMAIL_SALT, max_age=dt.timedelta(days=EMAIL_CONFIRM_DAYS))
        user = User.objects.get(pk=data["u"], is_active=True)
    except signing.SignatureExpired:
        raise ValidationError(_("Ссылка устарела. Укажите адрес ещё раз — придёт новая.")) from None
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        raise ValidationError(_("Ссылка неверна. Скопируйте её из письма целиком.")) from None
    return user, data["e"]


@transaction.atomic
def email_confirm(*, token: str) -> ConfirmedEmail:
    user, email = email_confirmation_read(token)
    user.email = email
    user.save(update_fields=["email"])
    confirmed, _created = ConfirmedEmail.objects.update_or_create(
        user=user, defaults={"email": email, "confirmed_at": timezone.now()}
    )
    return confirmed


# ---------------------------------------------------------------------------------------------
# Settings and rate limiting


SETTINGS_FIELDS = (
    "invitation_days",
    "recovery_days",
    "decision_working_days",
    "staff_account_days",
    "staff_removal_days",
    "family_account_working_days",
)


@transaction.atomic
def access_settings_save(*, school, **values) -> AccessSettings:
    settings, _created = AccessSettings.objects.get_or_create(school=school)
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(settings, name, int(values[name]))
    settings.full_clean()
    settings.save()
    return settings


def attempt_record(*, kind: str, ip: str) -> None:
    Attempt.objects.create(kind=kind, ip=ip or "", at=timezone.now())
