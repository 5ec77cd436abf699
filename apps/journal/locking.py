"""The one lock order of every writer of journal data (docs/architecture.md §4, «Writing a cell or
a lesson field»).

A service that writes lessons, marks, attendance or period marks of a journal locks the journal's
row (`SELECT … FOR UPDATE`, journals in ascending id order) inside its transaction and before it
reads the rows it will change; then it reads, validates and writes; the change log's append
(which locks the school's chain head) comes last. So two saves of one journal run one after the
other, the second reads what the first committed, and no two writers ever wait on each other in
opposite orders. The lock is per journal, deliberately coarser than per cell: a journal has one
teacher, and every writer of the school already queues on the chain head at commit.

On SQLite the transaction begins with BEGIN IMMEDIATE (config/settings.py): it holds the
database's write lock from its first statement, so reading inside the transaction is what
serializes, and no statement is sent for the lock.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import OperationalError, router, transaction
from django.utils.translation import gettext as _

# The journals locked by the enclosing `journal_write` blocks of this thread (the locks live as
# long as those blocks' transactions or savepoints, so the set is scoped to the blocks).
_held: ContextVar[frozenset[int]] = ContextVar("journal_locks", default=frozenset())

# PostgreSQL's serialization_failure and deadlock_detected.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def _connection():
    from .models import Journal

    return transaction.get_connection(router.db_for_write(Journal))


def held(journal_id) -> bool:
    """Whether an enclosing journal_write block of this thread holds the journal's lock — then
    the caller read its rows under the lock, and a service called inside need not read them again."""
    return journal_id in _held.get()


def lock_journals(journal_ids: Iterable[int | None]) -> None:
    """Lock the journals' rows, ascending, for the rest of the current transaction. Must run inside
    one; journals already held by an enclosing journal_write block cost nothing."""
    connection = _connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_journals() needs a transaction: use journal_write()")
    ids = sorted({int(pk) for pk in journal_ids if pk is not None} - _held.get())
    if not ids or not connection.features.has_select_for_update:
        return  # SQLite: BEGIN IMMEDIATE already holds the whole database
    from .models import Journal

    list(Journal.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


@contextmanager
def journal_write(journal_ids: Iterable[int | None]):
    """A transaction (or a savepoint inside the caller's) that holds the journals' locks first.
    Inside a block that already holds them it adds nothing, not even a savepoint: the service then
    validates before its first write, as it always has, so a refusal leaves the caller's
    transaction usable."""
    ids = frozenset(int(pk) for pk in journal_ids if pk is not None)
    if ids and ids <= _held.get() and _connection().in_atomic_block:
        yield
        return
    with transaction.atomic():
        lock_journals(ids)
        token = _held.set(_held.get() | ids)
        try:
            yield
        finally:
            _held.reset(token)


def retryable(exc: BaseException) -> bool:
    """A serialization failure or a deadlock: the transaction was rolled back and may be run again."""
    cause = exc.__cause__
    return (
        getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES
        or getattr(getattr(cause, "diag", None), "sqlstate", None) in RETRYABLE_SQLSTATES
    )


class ConcurrentWriteFailed(ValidationError):
    """The save was rolled back twice by a deadlock or a serialization failure; the message is for
    the user (every service's ValidationError is shown as it is)."""

    def __init__(self):
        super().__init__(_("Сохранение не удалось: журнал в этот момент одновременно изменяли. Повторите сохранение."))


def retry_once(func):
    """Run the service again once when the database rolled it back (a deadlock or a serialization
    failure); a second failure raises ConcurrentWriteFailed. Only a service that owns the outermost
    transaction retries: inside the caller's transaction the failure is the caller's to handle."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if _connection().in_atomic_block:
            return func(*args, **kwargs)
        for attempt in (1, 2):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if not retryable(exc):
                    raise
                if attempt == 2:
                    raise ConcurrentWriteFailed from exc
        raise AssertionError("unreachable")

    return wrapper
