"""Reads from a PostgreSQL streaming replica (docs/architecture.md, «Read replicas»).

Which reads may go to the replica is decided here; config/db_router.py only asks.

- A view opts in with ``@replica_reads`` (the diary pages). Only its GET/HEAD requests read from
  the replica, and only while (1) a replica is configured (``DATABASES["replica"]``, from
  ``DATABASE_REPLICA_URL``), (2) it is considered healthy, and (3) this browser has not written
  anything in the last ``REPLICA_READ_AFTER_WRITE_SECONDS`` (read-after-write, see
  ``ReplicaMiddleware``). Everything else — the journal grid, every write, the admin, sign-in,
  sessions, users and roles — reads from the primary.
- Failover: if the replica fails during such a view (refused or timed-out connection, a dropped
  connection, a query cancelled by recovery — Django's ``OperationalError`` on the replica's
  connection), the replica is marked unhealthy for ``REPLICA_RETRY_SECONDS`` in this process and
  the view runs again on the primary. Decorated views must be read-only and render eagerly
  (``render()``, not a lazy ``TemplateResponse``), so running them twice is harmless and every
  query happens inside the decorator.
"""

import contextvars
import logging
import sys
import time
from contextlib import contextmanager, suppress
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
READ_METHODS = frozenset({"GET", "HEAD"})
# Read-after-write marker: a signed cookie whose signature carries its time (TimestampSigner).
COOKIE = "journal_recent_write"
COOKIE_SALT = "config.replica.recent-write"
# Sign-in, sessions, users and roles are always read from the primary: a role just granted or
# taken away, or a session just created, must count at once.
PRIMARY_ONLY_APPS = frozenset({"admin", "auth", "accounts", "contenttypes", "sessions"})


class ReplicaReads:
    """The state of one replica-allowed block: whether a read was actually sent to the replica."""

    __slots__ = ("used",)

    def __init__(self):
        self.used = False


_reads: contextvars.ContextVar[ReplicaReads | None] = contextvars.ContextVar("replica_reads", default=None)
_unhealthy_until = 0.0  # time.monotonic(); process-local


def read_after_write_seconds() -> int:
    return getattr(settings, "REPLICA_READ_AFTER_WRITE_SECONDS", 5)


def retry_seconds() -> int:
    return getattr(settings, "REPLICA_RETRY_SECONDS", 30)


def _under_test_runner() -> bool:
    utils = sys.modules.get("django.test.utils")
    return utils is not None and hasattr(utils._TestState, "saved_data")


def is_configured() -> bool:
    """A replica alias exists — and is not a test mirror: under Django's test runner a replica
    with TEST={"MIRROR": "default"} (as settings.py declares it) stands for the test database
    itself, whose uncommitted test data no real replica could see, so reads stay on default."""
    conf = connections.settings.get(REPLICA)
    if conf is None:
        return False
    return not (conf.get("TEST", {}).get("MIRROR") and _under_test_runner())


def is_healthy() -> bool:
    return time.monotonic() >= _unhealthy_until


def mark_unhealthy(seconds: float | None = None) -> None:
    global _unhealthy_until
    _unhealthy_until = time.monotonic() + (retry_seconds() if seconds is None else seconds)


def mark_healthy() -> None:
    global _unhealthy_until
    _unhealthy_until = 0.0


def wrote_recently(request) -> bool:
    return (
        request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT, max_age=read_after_write_seconds())
        is not None
    )


def replica_usable(request) -> bool:
    """May this request's reads go to the replica (the view having opted in)?"""
    return request.method in READ_METHODS and is_configured() and is_healthy() and not wrote_recently(request)


def read_alias(app_label: str) -> str:
    """The router's answer for a read of a model of `app_label`."""
    state = _reads.get()
    if state is None or app_label in PRIMARY_ONLY_APPS:
        return DEFAULT_DB_ALIAS
    state.used = True
    return REPLICA


@contextmanager
def reading_from_replica():
    """Reads inside the block go to the replica (callers check ``replica_usable`` first)."""
    state = ReplicaReads()
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


def _replica_failed(state: ReplicaReads) -> bool:
    return state.used and REPLICA in connections.settings and connections[REPLICA].errors_occurred


def replica_reads(view):
    """The view's reads may be served by the replica; if the replica fails, by the primary."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not replica_usable(request):
            return view(request, *args, **kwargs)
        connection = connections[REPLICA]
        # Django sets errors_occurred on a connection whose query or connect failed: that is how a
        # failure of the replica is told apart from one of the primary.
        connection.errors_occurred = False
        with reading_from_replica() as state:
            try:
                return view(request, *args, **kwargs)
            except OperationalError as exc:
                if not _replica_failed(state):
                    raise
                failure = exc
        logger.warning(
            "Replica unavailable (%s); reads go to the primary for %s s",
            str(failure).strip().splitlines()[0] if str(failure).strip() else type(failure).__name__,
            retry_seconds(),
        )
        mark_unhealthy()
        with suppress(Exception):
            connection.close()
        return view(request, *args, **kwargs)

    return wrapper


class ReplicaMiddleware:
    """Read-after-write: after a successful POST/PUT/PATCH/DELETE, a signed cookie that lasts
    REPLICA_READ_AFTER_WRITE_SECONDS keeps this browser's reads on the primary, so a parent or
    teacher who has just saved something sees it on the next page even if the replica lags."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in READ_METHODS and request.method != "OPTIONS" and response.status_code < 400:
            if is_configured():
                response.set_signed_cookie(
                    COOKIE,
                    "1",
                    salt=COOKIE_SALT,
                    max_age=read_after_write_seconds(),
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        return response
