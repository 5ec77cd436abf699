"""Writes: sign-in history, the session list and its keys in the session, ending sessions,
the two-step sign-in (ACC-11, ACC-12, OPS-3)."""

import ipaddress
import time
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import totp
from .models import SignInEvent, TOTPDevice, UserSession
from .selectors import default_school_and_roles, normalise_username, session_rules

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
    """One line of the sign-in history (and of what throttling counts)."""
    if user is None and username:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        field = User.USERNAME_FIELD
        user = User._default_manager.filter(**{field: username}).first()
        if user is None:  # «ALICE », typed on a phone: hers too, as throttling counts it
            similar = list(User._default_manager.filter(**{f"{field}__iexact": username.strip()})[:2])
            user = similar[0] if len(similar) == 1 else None
    return SignInEvent.objects.create(
        at=timezone.now(),
        user=user,
        username=normalise_username(username),
        outcome=outcome,
        ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
    )


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
    import datetime as dt

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
    """Delete sign-in history older than `history_days` and list rows of sessions that are no
    longer in the store. Returns (events deleted, sessions dropped)."""
    import datetime as dt

    events, _ = SignInEvent.objects.filter(at__lt=timezone.now() - dt.timedelta(days=history_days)).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    gone = [
        key for key in UserSession.objects.values_list("session_key", flat=True).iterator() if not store.exists(key)
    ]
    UserSession.objects.filter(session_key__in=gone).delete()
    return events, len(gone)
