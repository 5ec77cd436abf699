"""Writes: sign-in history, the sign-in counters (locks and the slow-down), the session list and
its keys in the session, ending sessions, the two-step sign-in (ACC-11, ACC-12, OPS-3)."""

import datetime as dt
import ipaddress
import time
from dataclasses import dataclass
from importlib import import_module

from axes.models import AccessAttempt
from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from . import selectors, texts, totp
from .models import SignInEvent, TOTPDevice, UserSession
from .selectors import CODE, PASSWORD, default_school_and_roles, normalise_username, session_rules

# Keys kept in the session itself, so the middleware needs no query on most requests.
SEEN = "_security_seen"  # time.time() of the last recorded activity (updated at most once a minute)
IDLE = "_security_idle"  # minutes of inactivity that end this session
TOTP_REQUIRED = "_security_totp_required"  # the school requires a second factor of this user
HAS_TOTP = "_security_totp"  # the user has a confirmed second factor
PENDING = "_security_pending"  # password accepted, code still to be entered
ENROL_SECRET = "_security_enrol_secret"  # the secret being enrolled, until confirmed

TOUCH_EVERY = 60  # seconds


def client_ip(request) -> str | None:
    """The address the request came from: REMOTE_ADDR, or — behind the school's reverse proxy —
    the last address of the header named by JOURNAL_CLIENT_IP_HEADER (the one the proxy saw)."""
    value = request.META.get("REMOTE_ADDR", "")
    header = getattr(settings, "JOURNAL_CLIENT_IP_HEADER", "")
    if header:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        value = forwarded.split(",")[-1].strip() or value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def sign_in_record(*, request, outcome: str, username: str, user=None) -> SignInEvent:
    """One line of the sign-in history: «ALICE », typed on a phone, is in alice's."""
    if user is None and username:
        user = selectors.user_for_username(username)
    return SignInEvent.objects.create(
        at=timezone.now(),
        user=user,
        username=normalise_username(username),
        outcome=outcome,
        ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
    )


# --- Sign-in protection (OPS-3) -------------------------------------------------------------------
#
# Every check of a password or a code is decided and counted in one short transaction that holds
# the address's and the account's locks (in that order, everywhere): a password attempt is counted
# as a failure *before* the password is checked and given back if it was right, so 40 parallel
# attempts find the count at 0, 1, 2 … in turn and only the first `limit` are checked.


@dataclass(frozen=True)
class Admission:
    refusal: str = ""  # empty: go on and check; else the SignInEvent outcome of the refusal
    message: str = ""
    retry_after: int = 0  # seconds

    def __bool__(self):
        return not self.refusal


ADMITTED = Admission()


def _serialise(using: str, *keys: str) -> None:
    """Transaction-scoped locks on `keys`. PostgreSQL: advisory locks, nothing to create or clean up.
    SQLite: the IMMEDIATE transaction (config/settings.py) already holds the database's one write lock."""
    connection = transaction.get_connection(using)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for key in keys:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _keys(request, username: str) -> tuple[str, str | None]:
    return normalise_username(username), client_ip(request)


def _count_failure(*, request, username: str, ip: str | None, kind: str, now, limits) -> None:
    """One more failure of (account, address, kind); a counter idle for the cool-off starts again at 1."""
    path = request.path[:255] if request is not None else ""
    attempt, created = AccessAttempt.objects.get_or_create(
        username=username,
        ip_address=ip,
        user_agent=kind,
        defaults={"failures_since_start": 1, "get_data": "", "post_data": "", "http_accept": "", "path_info": path},
    )
    if not created:
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            failures_since_start=Case(
                When(Q(attempt_time__gt=now - limits.cooloff), then=F("failures_since_start") + 1), default=Value(1)
            ),
            attempt_time=now,
            path_info=path,
        )


def _locked(until, now) -> Admission:
    minutes = selectors.minutes_until(until, now)
    return Admission(SignInEvent.Outcome.LOCKED, texts.throttled(minutes), minutes * 60)


def sign_in_admit(*, request, username: str, with_code: bool = False) -> Admission:
    """May a password for `username` be checked now, from this address? If so, the attempt is
    counted as a failure at once (sign_in_password_right gives it back).

    Refused without checking: while the (account, address) pair or the address is locked; and,
    when the account is slowed down (many failures from many addresses), within the delay after its
    last password check — except from an address it signed in from lately, or when a code from the
    authenticator app comes with the password (`with_code`: the form then needs both right, and
    says the same whichever was wrong, so the password alone learns nothing)."""
    limits = selectors.sign_in_limits()
    key, ip = _keys(request, username)
    now = timezone.now()
    using = router.db_for_write(AccessAttempt)
    with transaction.atomic(using=using):
        _serialise(using, f"signin-address:{ip}", f"signin-account:{key}")
        state = selectors.sign_in_state(username=key, ip=ip, now=now, limits=limits)
        if state.locked_until:
            return _locked(state.locked_until, now)
        if not with_code and state.next_check_at and state.next_check_at > now:
            user = selectors.user_for_username(username)
            if not selectors.known_address(user=user, ip=ip, now=now, limits=limits):
                seconds = selectors.seconds_until(state.next_check_at, now)
                return Admission(SignInEvent.Outcome.DELAYED, texts.delayed(seconds), seconds)
        _count_failure(request=request, username=key, ip=ip, kind=PASSWORD, now=now, limits=limits)
    return ADMITTED


def sign_in_password_right(*, request, username: str) -> None:
    """The password was right: its attempt is no failure (a code step counts its own codes)."""
    key, ip = _keys(request, username)
    AccessAttempt.objects.filter(username=key, ip_address=ip, user_agent=PASSWORD, failures_since_start__gt=0).update(
        failures_since_start=F("failures_since_start") - 1
    )


def sign_in_code_check(*, request, user, code: str, after_password: bool = False) -> Admission:
    """Check a code of the user's authenticator app, each code accepted once; a wrong one is counted
    for the (account, address) pair and for the account (SIGNIN_CODE_FAILURES lock its code checks —
    counted only after the right password, so nobody without it can set that lock).

    The code step checks the locks of the pair and the address first; a code given with the
    password (`after_password`) was admitted with that password already."""
    limits = selectors.sign_in_limits()
    key, ip = _keys(request, user.get_username())
    now = timezone.now()
    using = router.db_for_write(AccessAttempt)
    with transaction.atomic(using=using):
        _serialise(using, f"signin-address:{ip}", f"signin-account:{key}")
        state = selectors.sign_in_state(username=key, ip=ip, now=now, limits=limits)
        if not after_password and state.locked_until:
            return _locked(state.locked_until, now)
        if state.codes_locked_until and state.codes_locked_until > now:
            return _locked(state.codes_locked_until, now)
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        step = totp.matching_step(device.secret, code, after_step=device.last_step) if device else None
        if step is None:
            _count_failure(request=request, username=key, ip=ip, kind=CODE, now=now, limits=limits)
            return Admission(SignInEvent.Outcome.BAD_CODE)
        device.last_step = step
        device.save(update_fields=["last_step"])
    return ADMITTED


def sign_in_release(*, request, username: str) -> int:
    """Signed in: the counters of this account at this address start again. Returns rows removed."""
    key, ip = _keys(request, username)
    deleted, _ = AccessAttempt.objects.filter(username=key, ip_address=ip).delete()
    return deleted


def sign_in_counters_prune(*, now=None) -> int:
    """Counters idle for longer than the cool-off count for nothing: delete them."""
    now = now or timezone.now()
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lte=now - selectors.sign_in_limits().cooloff).delete()
    return deleted


def session_rules_store(session, *, school, roles) -> None:
    rules = session_rules(school=school, roles=roles)
    session[IDLE] = rules.idle_minutes
    session[TOTP_REQUIRED] = rules.totp_required


def session_open(*, request, user) -> None:
    """On sign-in: the session enters the user's list, the history records the success, and the
    session learns its rules (timeout, second factor) so later requests need no query."""
    session = getattr(request, "session", None)
    if session is None:
        return
    sign_in_record(request=request, outcome=SignInEvent.Outcome.SUCCESS, username=user.get_username(), user=user)
    school, roles = default_school_and_roles(user, session.get("school_id"))
    session_rules_store(session, school=school, roles=roles)
    session[SEEN] = time.time()
    session[HAS_TOTP] = TOTPDevice.objects.filter(user=user).exists()
    if session.session_key is None:
        session.save()
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip": client_ip(request),
            "user_agent": user_agent(request),
            "started_at": now,
            "last_seen_at": now,
        },
    )


def session_touch(*, request) -> None:
    """At most once a minute per session: the activity time, the rules of the current school
    and roles, and «last seen» in the session list."""
    session = request.session
    session[SEEN] = time.time()
    session_rules_store(session, school=getattr(request, "school", None), roles=getattr(request, "roles", ()))
    key = session.session_key
    if key is None:
        return
    now = timezone.now()
    ip = client_ip(request)
    if not UserSession.objects.filter(session_key=key).update(last_seen_at=now, ip=ip):
        try:  # a session from before this list existed
            with transaction.atomic():
                UserSession.objects.create(
                    session_key=key,
                    user=request.user,
                    ip=ip,
                    user_agent=user_agent(request),
                    started_at=now,
                    last_seen_at=now,
                )
        except IntegrityError:
            pass


def session_forget(*, session_key: str | None) -> None:
    """Signed out or expired: the session leaves the list."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def _store_delete(session_key: str) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore().delete(session_key)


def session_end(*, user, session_key: str) -> bool:
    """End one of the user's sessions: that browser is signed out at its next request."""
    deleted, _ = UserSession.objects.filter(user=user, session_key=session_key).delete()
    if deleted:
        _store_delete(session_key)
    return bool(deleted)


def sessions_end_all(*, user, except_key: str | None = None) -> int:
    """End every session of the user but `except_key` (also for a compromised account, ACC-10)."""
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=except_key or "")
        .values_list("session_key", flat=True)
    )
    for key in keys:
        _store_delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


# --- Two-step sign-in --------------------------------------------------------------------------


def totp_enrol(*, user, secret: str, code: str) -> TOTPDevice | None:
    """Confirm a new second factor with a code from the app; None when the code is wrong."""
    step = totp.matching_step(secret, code)
    if step is None:
        return None
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": step}
    )
    return device


def totp_verify(*, user, code: str) -> bool:
    """A code of the user's device, each accepted once."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return False
        step = totp.matching_step(device.secret, code, after_step=device.last_step)
        if step is None:
            return False
        device.last_step = step
        device.save(update_fields=["last_step"])
        return True


def totp_disable(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()


def sessions_prune(*, user, idle_minutes: int, keep: str | None = None) -> None:
    """Sessions idle longer than the timeout are over (their browsers would be signed out at the
    next request anyway), and so are those gone from the store (expired, cleared, or replaced by
    another user's sign-in in that browser): they leave the list, and the store, now."""
    cutoff = timezone.now() - dt.timedelta(minutes=idle_minutes, seconds=TOUCH_EVERY)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    over = [
        key
        for key, seen in UserSession.objects.filter(user=user).values_list("session_key", "last_seen_at")
        if key != keep and (seen < cutoff or not store.exists(key))
    ]
    for key in over:
        _store_delete(key)
    UserSession.objects.filter(session_key__in=over).delete()


HISTORY_DAYS = 365


def security_cleanup(*, history_days: int = HISTORY_DAYS) -> tuple[int, int]:
    """Delete sign-in history older than `history_days`, list rows of sessions that are no longer
    in the store, and sign-in counters past their cool-off. Returns (events deleted, sessions dropped)."""
    sign_in_counters_prune()
    events, _ = SignInEvent.objects.filter(at__lt=timezone.now() - dt.timedelta(days=history_days)).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    gone = [
        key for key in UserSession.objects.values_list("session_key", flat=True).iterator() if not store.exists(key)
    ]
    UserSession.objects.filter(session_key__in=gone).delete()
    return events, len(gone)
