"""Reads: the school's policy and what it means for a session, the sessions and the history a
user sees, and what the sign-in counters say (locks and the slow-down)."""

import datetime as dt
import math
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum

from apps.accounts.models import Membership, Role

from .models import DEFAULT_STAFF_IDLE_MINUTES, SecurityPolicy, SignInEvent, UserSession

FAMILY_ROLES = frozenset({Role.PARENT, Role.STUDENT})


def policy_for(school) -> SecurityPolicy:
    """The school's policy; the defaults (unsaved) for a school that has not set one."""
    if school is None:
        return SecurityPolicy()
    return SecurityPolicy.objects.filter(school=school).first() or SecurityPolicy(school=school)


@dataclass(frozen=True)
class SessionRules:
    idle_minutes: int
    totp_required: bool


def session_rules(*, school, roles) -> SessionRules:
    """What applies to a session in `school` with `roles`: parents and students get the longer
    family timeout; anyone holding any other role (every staff role, present or future) or none
    gets the staff one — the shorter, safer default."""
    roles = set(roles)
    if school is None:
        return SessionRules(DEFAULT_STAFF_IDLE_MINUTES, False)
    policy = policy_for(school)
    family_only = bool(roles) and roles <= FAMILY_ROLES
    return SessionRules(
        idle_minutes=policy.family_idle_minutes if family_only else policy.staff_idle_minutes,
        totp_required=policy.require_totp_for_admins and Role.JOURNAL_ADMIN in roles,
    )


def default_school_and_roles(user, chosen_school_id=None):
    """The school a fresh session starts in and the roles there (as CurrentSchoolMiddleware picks)."""
    memberships = list(Membership.objects.filter(user=user).select_related("school"))
    schools = {m.school_id: m.school for m in memberships}
    if chosen_school_id not in schools:
        ordered = sorted(schools.values(), key=lambda s: s.short_name)
        chosen_school_id = ordered[0].pk if ordered else None
    if chosen_school_id is None:
        return None, set()
    return schools[chosen_school_id], {m.role for m in memberships if m.school_id == chosen_school_id}


def active_sessions(*, user) -> list[UserSession]:
    """The user's signed-in browsers, the most recently used first."""
    return list(UserSession.objects.filter(user=user).order_by("-last_seen_at", "-pk"))


def sign_in_history(*, user, limit: int = 30) -> list[SignInEvent]:
    return list(SignInEvent.objects.filter(user=user).order_by("-at", "-pk")[:limit])


# --- Sign-in protection (OPS-3; the policy: docs/operations.md «Sign-in protection») -----------------
#
# The counters are django-axes' AccessAttempt rows, one per (account as typed and normalised,
# address, kind of check): `user_agent` holds the kind — PASSWORD or CODE — instead of a browser,
# so that one account at one address has at most two rows whatever the client sends (the real
# browser is in SignInEvent). services.sign_in_admit counts an attempt before its password is
# checked, under a lock, so parallel attempts cannot slip past a limit.

PASSWORD, CODE = "password", "code"


@dataclass(frozen=True)
class SignInLimits:
    pair: int  # failures of one account from one address that lock that pair
    address: int  # failures from one address, all accounts together, that lock the address
    account: int  # failures of one account, all addresses together, that start its slow-down
    codes: int  # wrong codes of one account that lock its code checks
    cooloff: dt.timedelta  # a counter lives this long after its last failure; a lock lasts this long
    delay: int  # seconds between two password checks of a slowed-down account
    known_days: int  # an address the account signed in from within so many days is not slowed down


def sign_in_limits() -> SignInLimits:
    from axes.helpers import get_cool_off

    return SignInLimits(
        pair=settings.AXES_FAILURE_LIMIT,
        address=getattr(settings, "SIGNIN_IP_FAILURES", 20),
        account=getattr(settings, "SIGNIN_ACCOUNT_FAILURES", 10),
        codes=getattr(settings, "SIGNIN_CODE_FAILURES", 5),
        cooloff=get_cool_off() or dt.timedelta(minutes=15),
        delay=getattr(settings, "SIGNIN_ACCOUNT_DELAY_SECONDS", 30),
        known_days=getattr(settings, "SIGNIN_KNOWN_ADDRESS_DAYS", 30),
    )


def normalise_username(username: str) -> str:
    """The key an account is counted under: «ALICE » typed on a phone is alice."""
    return (username or "").strip().lower()[:150]


def _unlock_at(rows, limit: int, cooloff: dt.timedelta):
    """`rows`: (time of the last failure, failures) of live counters. While their sum is at
    `limit` or more: the moment enough of the oldest have expired to bring it under; else None."""
    total = sum(n for _at, n in rows)
    if total < limit:
        return None
    for at, n in sorted(rows):
        total -= n
        if total < limit:
            return at + cooloff
    return None  # not reached: the sum of no rows is under any positive limit


@dataclass(frozen=True)
class SignInState:
    """What the counters of one (account, address) say at one moment."""

    locked_until: dt.datetime | None  # the pair or the address is locked until then
    codes_locked_until: dt.datetime | None  # the account's code checks are locked until then
    slowed: bool  # the account collected enough failures for the slow-down
    next_check_at: dt.datetime | None  # a slowed account's password may be checked again then


def sign_in_state(*, username: str, ip: str | None, now, limits: SignInLimits) -> SignInState:
    """Two queries: the live counters of the address, and the account's totals."""
    live = AccessAttempt.objects.filter(attempt_time__gt=now - limits.cooloff)
    of_address = list(live.filter(ip_address=ip).values_list("username", "attempt_time", "failures_since_start"))
    pair = [(at, n) for name, at, n in of_address if name == username]
    address = [(at, n) for _name, at, n in of_address]
    account = live.filter(username=username).aggregate(
        failures=Sum("failures_since_start"),
        codes=Sum("failures_since_start", filter=Q(user_agent=CODE)),
        last_code=Max("attempt_time", filter=Q(user_agent=CODE)),
        last_password=Max("attempt_time", filter=Q(user_agent=PASSWORD)),
    )
    locks = [_unlock_at(pair, limits.pair, limits.cooloff), _unlock_at(address, limits.address, limits.cooloff)]
    slowed = (account["failures"] or 0) >= limits.account
    last = account["last_password"]
    return SignInState(
        locked_until=max((u for u in locks if u is not None), default=None),
        # Counted only after the right password (services.sign_in_code_check): nobody without it can set this lock.
        codes_locked_until=account["last_code"] + limits.cooloff if (account["codes"] or 0) >= limits.codes else None,
        slowed=slowed,
        next_check_at=last + dt.timedelta(seconds=limits.delay) if slowed and last else None,
    )


def known_address(*, user, ip: str | None, now, limits: SignInLimits) -> bool:
    """The account signed in from this address lately (its owner's school, home): not slowed down there."""
    if user is None or not ip or limits.known_days <= 0:
        return False
    return SignInEvent.objects.filter(
        user=user, ip=ip, outcome=SignInEvent.Outcome.SUCCESS, at__gte=now - dt.timedelta(days=limits.known_days)
    ).exists()


def user_for_username(username: str):
    """The account a typed name means: exactly, or — «ALICE » typed on a phone — the only one that
    matches ignoring case and spaces; None otherwise."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    field = User.USERNAME_FIELD
    user = User._default_manager.filter(**{field: username}).first()
    if user is None and username.strip():
        similar = list(User._default_manager.filter(**{f"{field}__iexact": username.strip()})[:2])
        user = similar[0] if len(similar) == 1 else None
    return user


def minutes_until(moment, now) -> int:
    return max(1, math.ceil((moment - now).total_seconds() / 60))


def seconds_until(moment, now) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))
