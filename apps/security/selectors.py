"""Reads: the school's policy and what it means for a session, the sessions and the history a
user sees, and whether signing in is locked (throttling)."""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

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


# --- Throttling ---------------------------------------------------------------------------------

COUNTED = (SignInEvent.Outcome.FAILURE, SignInEvent.Outcome.BAD_CODE)


def _limits():
    return (
        getattr(settings, "SIGNIN_ACCOUNT_FAILURES", 5),
        getattr(settings, "SIGNIN_IP_FAILURES", 20),
        dt.timedelta(minutes=getattr(settings, "SIGNIN_WINDOW_MINUTES", 15)),
        dt.timedelta(minutes=getattr(settings, "SIGNIN_LOCK_MINUTES", 15)),
    )


def _locked_until(times: list[dt.datetime], limit: int, window: dt.timedelta, lock: dt.timedelta, now):
    """`times` ascending. A failure that brings the count within `window` up to `limit` locks
    until `lock` after it; attempts while locked are not counted, so the lock cannot be
    stretched by hammering."""
    until = None
    for i, t in enumerate(times):
        in_window = sum(1 for s in times[: i + 1] if s > t - window)
        if in_window >= limit and t + lock > now:
            until = t + lock
    return until


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()[:150]


def sign_in_locked_minutes(*, username: str, ip: str | None, now=None) -> int:
    """Minutes until signing in as `username` from `ip` is allowed again; 0 when it is allowed.
    Per account: failures since its last success; per address: every failure from it."""
    now = now or timezone.now()
    account_limit, ip_limit, window, lock = _limits()
    since = now - window - lock
    until = []
    key = normalise_username(username)
    if key:
        last_success = (
            SignInEvent.objects.filter(username=key, outcome=SignInEvent.Outcome.SUCCESS, at__gt=since)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        times = list(
            SignInEvent.objects.filter(username=key, outcome__in=COUNTED, at__gt=since, pk__gt=last_success or 0)
            .order_by("at")
            .values_list("at", flat=True)
        )
        until.append(_locked_until(times, account_limit, window, lock, now))
    if ip:
        times = list(
            SignInEvent.objects.filter(ip=ip, outcome__in=COUNTED, at__gt=since)
            .order_by("at")
            .values_list("at", flat=True)
        )
        until.append(_locked_until(times, ip_limit, window, lock, now))
    latest = max((u for u in until if u is not None), default=None)
    if latest is None:
        return 0
    return max(1, math.ceil((latest - now).total_seconds() / 60))
