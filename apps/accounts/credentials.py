"""Who may reset whose credentials — the one rule, asked by every path that sets a password for
somebody else (issue 11).

One login may hold roles in several schools (a teacher in two schools, a parent with children in
two). If one school could reset its password — a recovery code, a temporary password, the admin's
password form — that school's administrator (or a class teacher) could sign in as the login and
switch to the other school. So: **a school resets only a login whose every role is in that
school.** Not resettable by a school: a login with a role in any other school, a municipal
coordinator (apps.rights.MunicipalMembership: he works in every school of the municipality), a
superuser or a staff login (the server's own accounts), a login with no role in the school.

Otherwise the request goes up (CredentialResetRequest): the server's system administrator (a
superuser) approves it, or the journal administrators of every other school where the login holds
a role each approve it for their school. Once approved, the requesting school issues the recovery
code or the temporary password once. A coordinator's request needs the system administrator.

Paths that ask here: apps.registration.services.code_issue (at issue) and recover_with_code (at
use: a role may have been added in between), apps.compromise.services.temporary_password_issue,
apps.accounts.admin.UserAdmin (the admin's password form and every change of a login). Anything
later that sets another person's password (an API) must call `reset_authorize` too. Not here: a
user changing his own password (he knows the old one), and the e-mail reset, which sends a link
only to the address the owner confirmed himself (apps.registration.password_reset).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CredentialResetDecision, CredentialResetRequest, Membership, Role

log = logging.getLogger(__name__)

Purpose = CredentialResetRequest.Purpose
Status = CredentialResetRequest.Status
OPEN = (Status.PENDING, Status.APPROVED)


class ResetRefused(ValidationError):
    """This school may not reset this login's credentials; the message says why, in Russian."""


def _roles_text(memberships) -> str:
    """«Школа № 2» (администратор журнала, учитель); «Школа № 3» (родитель)"""
    by_school: dict[int, tuple[str, list[str]]] = {}
    labels = dict(Role.choices)
    for m in memberships:
        by_school.setdefault(m.school_id, (m.school.short_name, []))[1].append(str(labels.get(m.role, m.role)))
    return "; ".join(f"«{name}» ({', '.join(sorted(roles))})" for name, roles in sorted(by_school.values()))


def _is_server_account(user) -> bool:
    return user.is_superuser or user.is_staff


def _coordinated(user) -> list[str]:
    from apps.rights.models import MunicipalMembership

    return sorted(MunicipalMembership.objects.filter(user=user).values_list("municipality__name", flat=True))


def _memberships(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("school"))


def reset_refusal(*, school, user) -> str | None:
    """None if `school` may reset `user`'s credentials by itself; otherwise why not (Russian)."""
    if _is_server_account(user):
        return _(
            "Это служебная учётная запись сервера (суперпользователь или персонал): школа не сбрасывает её пароль. "
            "Его меняет системный администратор сервера."
        )
    if school is None:
        return _("Сбросить пароль может только школа, в которой у учётной записи есть роль.")
    municipalities = _coordinated(user)
    if municipalities:
        return _(
            "Эта учётная запись — муниципальный координатор (%(municipalities)s): она действует во всех школах "
            "муниципалитета. Сбросить её пароль может системный администратор сервера: направьте ему запрос."
        ) % {"municipalities": ", ".join(municipalities)}
    memberships = _memberships(user)
    others = [m for m in memberships if m.school_id != school.pk]
    if others:
        return _(
            "Эта учётная запись есть и в другой школе: %(schools)s. Сбросить её пароль может системный "
            "администратор сервера или — по запросу администратора журнала вашей школы, одобренному "
            "администраторами журнала этих школ, — ваша школа."
        ) % {"schools": _roles_text(others)}
    if not memberships:
        return _(
            "У этой учётной записи нет ролей в вашей школе. Сбросить её пароль может системный администратор сервера."
        )
    return None


def reset_check(*, school, user) -> None:
    """reset_refusal as an exception (ResetRefused)."""
    refusal = reset_refusal(school=school, user=user)
    if refusal is not None:
        raise ResetRefused(refusal, code="shared")


# ---------------------------------------------------------------------------------------------
# The escalation


def approving_schools(*, school, user) -> set[int] | None:
    """The schools whose journal administrators must each approve a request of `school` for
    `user`; None when only the system administrator may (a coordinator; no other school)."""
    if _is_server_account(user) or _coordinated(user):
        return None
    others = {m.school_id for m in Membership.objects.filter(user=user).exclude(school=school)}
    return others or None


def covers(req: CredentialResetRequest) -> bool:
    """Does the request, as decided so far, let its school reset its login's credentials now?
    Asked afresh at each use: a role added since the approvals needs its school's approval too."""
    if req.status == Status.REFUSED or _is_server_account(req.user):
        return False
    decisions = list(req.decisions.all())
    if any(not d.approved for d in decisions):
        return False
    if any(d.school_id is None for d in decisions):
        return True  # the system administrator decides for every school
    needed = approving_schools(school=req.school, user=req.user)
    return needed is not None and needed <= {d.school_id for d in decisions}


@dataclass
class ResetState:
    """What a page shows about resetting one login from one school."""

    refusal: str | None  # None: the school resets it by itself
    open_request: CredentialResetRequest | None = None  # pending or approved, not used
    approved: bool = False  # the open request lets the school issue now
    requestable: bool = False  # a request may be made (not for the server's own accounts)


def reset_state(*, school, user, purpose: str) -> ResetState:
    refusal = reset_refusal(school=school, user=user)
    if refusal is None:
        return ResetState(refusal=None)
    req = (
        CredentialResetRequest.objects.filter(school=school, user=user, purpose=purpose, status__in=OPEN)
        .select_related("user", "school")
        .order_by("-requested_at", "-pk")
        .first()
        if school is not None
        else None
    )
    return ResetState(
        refusal=refusal,
        open_request=req,
        approved=req is not None and covers(req),
        requestable=school is not None and not _is_server_account(user),
    )


@transaction.atomic
def reset_authorize(*, school, user, purpose: str, by) -> CredentialResetRequest | None:
    """Call inside the transaction that resets the credentials. None: the school may by itself.
    Otherwise the approved request it uses (marked used: one reset per request), or ResetRefused."""
    refusal = reset_refusal(school=school, user=user)
    if refusal is None:
        return None
    if school is not None and not _is_server_account(user):
        requests = CredentialResetRequest.objects.select_for_update().filter(
            school=school, user=user, purpose=purpose, status__in=OPEN
        )
        for req in requests.order_by("requested_at", "pk"):
            if covers(req):
                req.status, req.used_by, req.used_at = Status.USED, by, timezone.now()
                req.save(update_fields=["status", "used_by", "used_at"])
                log.info("credential reset request %s used by %s", req.pk, by.pk)
                return req
    raise ResetRefused(refusal, code="shared")


def reset_still_allowed(*, school, user, grant: CredentialResetRequest | None) -> None:
    """At use of something issued earlier (a recovery code): the rule again, since a role may have
    been added meanwhile; the request it was issued under must still cover the login."""
    refusal = reset_refusal(school=school, user=user)
    if refusal is None or (grant is not None and covers(grant)):
        return
    raise ResetRefused(
        _("Этот код больше не действует: %(why)s Обратитесь к тому, кто выдал код.") % {"why": refusal},
        code="shared",
    )


@transaction.atomic
def request_create(*, school, user, purpose: str, reason: str, requested_by) -> CredentialResetRequest:
    """A journal administrator asks to reset a login her school may not reset alone."""
    if purpose not in Purpose.values:
        raise ValidationError(_("Неизвестно, что нужно выдать."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Укажите основание: чьё заявление, почему нужен сброс.")]})
    if _is_server_account(user):
        raise ValidationError(
            _("Пароль служебной учётной записи сервера меняет сам системный администратор сервера, без запроса.")
        )
    if reset_refusal(school=school, user=user) is None:
        raise ValidationError(_("Эту учётную запись ваша школа сбрасывает сама: запрос не нужен."))
    existing = CredentialResetRequest.objects.filter(school=school, user=user, purpose=purpose, status__in=OPEN)
    if existing.exists():
        raise ValidationError(
            _("Запрос № %(number)s об этой учётной записи уже направлен.") % {"number": existing.first().pk}
        )
    req = CredentialResetRequest.objects.create(
        school=school,
        user=user,
        purpose=purpose,
        reason=reason,
        requested_by=requested_by,
        requested_at=timezone.now(),
    )
    log.info("credential reset request %s: school %s, user %s, %s", req.pk, school.pk, user.pk, purpose)
    return req


def decide_refusal(*, req: CredentialResetRequest, by, school) -> str | None:
    """None if `by` may decide `req` now — as the system administrator (a superuser; `school`
    ignored) or as a journal administrator of `school`, one of the login's other schools (the
    caller checks that he administers it). Otherwise why not."""
    if req.status not in OPEN:
        return _("Запрос уже рассмотрен: %(status)s.") % {"status": req.get_status_display()}
    if by.pk == req.user_id:
        return _("Решение о сбросе собственного пароля принимают другие.")
    if by.is_superuser:
        return None
    if by.pk == req.requested_by_id:
        return _("Решение по запросу принимает не тот, кто его направил.")
    needed = approving_schools(school=req.school, user=req.user)
    if school is None or needed is None or school.pk not in needed:
        return _("Решение по этому запросу принимает системный администратор сервера.")
    if req.decisions.filter(school=school).exists():
        return _("Ваша школа уже приняла решение по этому запросу.")
    return None


@transaction.atomic
def request_decide(*, req: CredentialResetRequest, by, school, approve: bool, note: str = "") -> CredentialResetRequest:
    """Register one approval or refusal (who, when, for which school). A refusal closes the request;
    it is approved once the system administrator or every other school of the login approved."""
    req = CredentialResetRequest.objects.select_for_update().select_related("user", "school").get(pk=req.pk)
    refusal = decide_refusal(req=req, by=by, school=school)
    if refusal is not None:
        raise ValidationError(refusal)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": [_("Укажите, почему запрос отклонён.")]})
    CredentialResetDecision.objects.create(
        request=req,
        school=None if by.is_superuser else school,
        by=by,
        at=timezone.now(),
        approved=approve,
        note=note,
    )
    if not approve:
        req.status = Status.REFUSED
    elif covers(req):
        req.status = Status.APPROVED
    req.save(update_fields=["status"])
    log.info("credential reset request %s: %s by %s", req.pk, "approved" if approve else "refused", by.pk)
    return req
