"""Querysets compiled once, run many times (issue 5).

Building and compiling a queryset costs Django far more than PostgreSQL spends running it: the
diary's access query (apps.accounts.access.diary_students, with the consent rules of ACC-6 as
EXISTS subqueries) took 6.5 ms to compile and 1.4 ms to run. The hottest queries of the reading
pages are therefore compiled once per process and per *shape*, and later requests only bind their
parameters to the SQL already made. The rule itself stays written once, as a queryset.

How: `build(**kwargs)` returns the queryset. The integer parameters named in `ids` are first given
sentinel values — negative numbers no id can take — and the compiled parameters that equal a
sentinel become slots filled by each call; every other argument (dates, switches) is part of the
shape, the key under which the SQL is kept. If a sentinel does not come out as a parameter of its
own (the ORM folded it into the SQL, or dropped it), the shape is not prepared and every call
compiles its queryset as before — slower, never wrong.

Every value of the SQL that is not one of the `ids` is fixed when the shape is first compiled, so
whatever changes from call to call must be an id or part of the shape: a `build` that reads the
clock (timezone.now()) itself would keep the first call's moment. Pass the day in the shape.

    STUDENTS = Prepared("diary-students", build=..., ids=("school_id", "user_id"), fields=(...))
    rows = STUDENTS.rows(using, shape={"today": day}, school_id=1, user_id=5)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections

_SENTINEL_BASE = -7_301_000_000_000


class Prepared:
    """A values_list queryset compiled once per (database, shape); see the module's text."""

    MAX_SHAPES = 512  # shapes hold a date: a process that runs for months must not grow without end

    def __init__(self, name: str, *, build: Callable, ids: Iterable[str], fields: Iterable[str]):
        self.name = name
        self.build = build
        self.ids = tuple(ids)
        self.fields = tuple(fields)
        self._compiled: dict[tuple, tuple] = {}
        self._lock = threading.Lock()
        self.compilations = 0  # for tests: how often SQL was made

    def _sentinels(self) -> dict[str, int]:
        return {name: _SENTINEL_BASE - i for i, name in enumerate(self.ids)}

    def _queryset(self, shape: dict, ids: dict):
        return self.build(**shape, **ids).values_list(*self.fields)

    def _compile(self, using: str, shape: dict) -> tuple:
        """(sql, slots, converters): a slot is ("id", name) or ("const", value); the converters are
        the database's own for the selected columns (dates on SQLite, say)."""
        sentinels = self._sentinels()
        queryset = self._queryset(shape, sentinels)
        compiler = queryset.query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            # Perhaps the shape has no rows; perhaps a sentinel did it (Django drops a query whose
            # value is out of range of a positive or 32-bit field): the plain queryset decides.
            raise _NotPreparable from None
        converters = compiler.get_converters([col for col, _alias, _sql in compiler.select])
        by_value = {v: k for k, v in sentinels.items()}
        slots = []
        seen = set()
        for p in params:
            if type(p) is int and p in by_value:
                slots.append(("id", by_value[p]))
                seen.add(by_value[p])
            else:
                slots.append(("const", p))
        if seen != set(self.ids) or any(str(s) in sql for s in sentinels.values()):
            raise _NotPreparable
        return sql, tuple(slots), converters

    def rows(self, using: str, *, shape: dict | None = None, **ids: int) -> list[tuple]:
        """The rows of the queryset for these ids: tuples in the order of `fields`."""
        shape = shape or {}
        if set(ids) != set(self.ids):
            raise TypeError(f"{self.name}: expected ids {self.ids}, got {tuple(ids)}")
        key = (using, connections[using].vendor, tuple(sorted(shape.items())))
        try:
            compiled = self._compiled[key]
        except KeyError:
            try:
                compiled = self._compile(using, shape)
            except _NotPreparable:
                compiled = _UNPREPARED
            with self._lock:
                if len(self._compiled) >= self.MAX_SHAPES:
                    self._compiled.clear()
                self._compiled[key] = compiled
                self.compilations += 1
        if compiled is _UNPREPARED:
            return list(self._queryset(shape, ids).using(using))
        sql, slots, converters = compiled
        params = [ids[v] if kind == "id" else v for kind, v in slots]
        connection = connections[using]
        with _cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for pos, (functions, expression) in converters.items():
                    value = row[pos]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[pos] = value
            rows = [tuple(row) for row in rows]
        return rows


class _NotPreparable(Exception):
    pass


def _cursor(connection):
    """On PostgreSQL, a cursor with server-side binding whose statements are prepared on the
    server (PostgreSQL then plans the access query once per connection, not on every call: 0.7 ms
    of its 0.8). It goes through Django's cursor wrapper, so the statement is logged and counted
    like any other. Elsewhere, Django's own cursor."""
    if connection.vendor != "postgresql" or not _PSYCOPG3 or not getattr(settings, "DB_SERVER_PREPARE", True):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django opens its connections with prepare_threshold None, and with None psycopg prepares
        # nothing, prepare=True included. A threshold lets our cursor prepare; Django's own cursors
        # (client-side binding) still never do, so no other statement is prepared automatically.
        raw.prepare_threshold = _NO_AUTOMATIC_PREPARE
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_PreparingCursor(raw))


# A threshold no statement reaches by repetition: only the statements sent with prepare=True are.
_NO_AUTOMATIC_PREPARE = 2**62


def execute(connection, sql: str, params) -> list[tuple]:
    """Raw SQL run as a prepared statement where `_cursor` can (apps.diary.cache's versions)."""
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


try:
    import psycopg

    class _PreparingCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # psycopg records the statement (`_query`, which Django logs and counts) only when it
            # sends it unprepared; a prepared call would be logged as None.
            self._query = pgq
            return super()._send_query_prepared(name, pgq, binary=binary)

    _PSYCOPG3 = True
except ImportError:  # pragma: no cover - psycopg 3 is the project's driver
    _PSYCOPG3 = False


_UNPREPARED = ("unprepared", ())


def instances(model, fields: Iterable[str], rows: Iterable[tuple], using: str, *, offset: int = 0) -> list:
    """Model instances from rows whose columns `offset`… are the model's `fields` (attnames)."""
    fields = list(fields)
    end = offset + len(fields)
    return [model.from_db(using, fields, row[offset:end]) for row in rows]


def attnames(model) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)
