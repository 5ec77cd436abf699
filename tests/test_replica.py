"""Reads from a PostgreSQL streaming replica through the database router (issue 5, «Scale past
one machine»; OPS-1, DIA-1, DIA-3).

Part 1 — the router's choice, no database: which alias serves a read or a write inside and outside
a replica-allowed view, after a recent write, with an unhealthy replica, with no replica at all.

Part 2 — for real, on PostgreSQL only: scripts/pg-replica.sh starts a second local PostgreSQL as a
streaming replica of the test server (pg_basebackup over loopback, hot_standby = on) once for the
module, and stops and removes it at the end. The test database exists before the base backup, so
the replica carries it. The data of these tests is committed (a replica sees nothing else), so they
do not use pytest-django's transaction-wrapped `db`: a module fixture unblocks the database, builds
the school and flushes the primary's test database afterwards, as a TransactionTestCase does.
"""

import contextlib
import copy
import json
import logging
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import User
from apps.diary.tests.helpers import add_mark, d, page_text
from apps.journal.models import Lesson, Mark
from config import replica
from config.db_router import ReplicaRouter
from conftest import NOW, build_world
from tests import factories as f

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pg-replica.sh"
WAIT_SECONDS = 30  # the longest a wait for the replica may take


# ---------------------------------------------------------------------------------------------
# Part 1: the router's choice


@pytest.fixture
def replica_alias():
    """A "replica" alias in the connection settings (never connected to in Part 1)."""
    conf = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    conf["TEST"] = {**conf.get("TEST", {}), "MIRROR": None}
    with _replica_alias(conf):
        yield conf


@contextlib.contextmanager
def _replica_alias(conf: dict):
    """The "replica" alias set to `conf` for the block; whatever was there before comes back."""
    previous = connections.settings.get(replica.REPLICA)

    def forget():
        with contextlib.suppress(Exception):
            connections[replica.REPLICA].close()
        with contextlib.suppress(AttributeError, KeyError):
            del connections[replica.REPLICA]

    forget()
    connections.settings[replica.REPLICA] = conf
    replica.mark_healthy()
    try:
        yield
    finally:
        forget()
        if previous is None:
            connections.settings.pop(replica.REPLICA, None)
        else:
            connections.settings[replica.REPLICA] = previous
        replica.mark_healthy()


@replica.replica_reads
def seen_by_view(request):
    """A replica-allowed view that reports where the router sends its reads and writes."""
    return {
        "mark": router.db_for_read(Mark),
        "lesson": router.db_for_read(Lesson),
        "user": router.db_for_read(User),
        "session": router.db_for_read(Session),
        "write": router.db_for_write(Mark),
    }


def test_replica_view_reads_journal_data_from_the_replica_but_users_and_sessions_from_the_primary(replica_alias):
    """OPS-1: inside a replica-allowed view a diary's reads (lessons, marks) go to the replica;
    users and sessions (sign-in, roles) and every write stay on the primary."""
    assert seen_by_view(RequestFactory().get("/")) == {
        "mark": "replica",
        "lesson": "replica",
        "user": "default",
        "session": "default",
        "write": "default",
    }


def test_outside_a_replica_view_everything_uses_the_primary(replica_alias):
    """OPS-1: the journal grid, saves and the admin are not replica-allowed: reads and writes go
    to the primary even when a replica is configured; so does a POST to a replica-allowed view."""
    assert router.db_for_read(Mark) == "default"
    assert router.db_for_write(Mark) == "default"
    assert seen_by_view(RequestFactory().post("/"))["mark"] == "default"


def test_without_a_replica_the_diary_reads_the_primary(monkeypatch):
    """OPS-1: with no DATABASE_REPLICA_URL nothing changes: the diary reads the only database."""
    monkeypatch.delitem(connections.settings, replica.REPLICA, raising=False)
    assert seen_by_view(RequestFactory().get("/"))["mark"] == "default"


def test_a_test_mirror_is_the_test_database_itself(replica_alias):
    """OPS-1: settings.py declares the replica as a test mirror of default; under the test runner
    it is the same database, whose uncommitted test data a real replica could not see, so the
    diary's reads stay on default and the rest of the suite runs unchanged with a replica set."""
    replica_alias["TEST"]["MIRROR"] = "default"
    assert seen_by_view(RequestFactory().get("/"))["mark"] == "default"


def _through_middleware(request, status):
    return replica.ReplicaMiddleware(lambda r: HttpResponse(status=status))(request)


def test_after_a_successful_write_this_browsers_reads_stay_on_the_primary_for_a_few_seconds(replica_alias):
    """DIA-1 (read-after-write): a parent or teacher who has just saved something reads the
    primary for REPLICA_READ_AFTER_WRITE_SECONDS, so the next page shows what was saved even if
    the replica lags; a refused write sets no marker; afterwards reads go back to the replica."""
    rf = RequestFactory()
    with time_machine.travel(NOW, tick=False) as traveller:
        refused = _through_middleware(rf.post("/"), 400)
        assert replica.COOKIE not in refused.cookies
        assert replica.COOKIE not in _through_middleware(rf.get("/"), 200).cookies

        saved = _through_middleware(rf.post("/"), 302)
        cookie = saved.cookies[replica.COOKIE]
        assert cookie["max-age"] == settings.REPLICA_READ_AFTER_WRITE_SECONDS
        assert cookie["httponly"]

        def next_page():
            request = rf.get("/")
            request.COOKIES[replica.COOKIE] = cookie.value
            return seen_by_view(request)["mark"]

        assert next_page() == "default"
        traveller.shift(settings.REPLICA_READ_AFTER_WRITE_SECONDS - 1)
        assert next_page() == "default"
        traveller.shift(2)
        assert next_page() == "replica"

    forged = rf.get("/")
    forged.COOKIES[replica.COOKIE] = "1"  # unsigned: ignored
    assert seen_by_view(forged)["mark"] == "replica"


def test_an_unhealthy_replica_is_left_alone_until_its_retry_time(replica_alias):
    """OPS-1: a replica marked unhealthy (it failed) is not used; after the retry time it is
    tried again."""
    replica.mark_unhealthy(0.2)
    assert not replica.is_healthy()
    assert seen_by_view(RequestFactory().get("/"))["mark"] == "default"
    time.sleep(0.25)
    assert seen_by_view(RequestFactory().get("/"))["mark"] == "replica"


def test_migrations_only_on_the_primary_and_relations_across_both():
    """OPS-1: the replica gets its schema by replication, never by migrate; an object read from
    the replica may be related to one of the primary."""
    r = ReplicaRouter()
    assert r.allow_migrate("default", "journal") is True
    assert r.allow_migrate("replica", "journal") is False
    a, b = Mark(), Lesson()
    a._state.db, b._state.db = "replica", "default"
    assert r.allow_relation(a, b) is True


# ---------------------------------------------------------------------------------------------
# Part 2: a real streaming replica


def _skip_or_fail(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and PostgreSQL is here, so the replica test must run: {reason}")
    pytest.skip(reason)


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _script(command: str, port: int, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), command, str(port)],
        env={**os.environ, "PG_REPLICA_TIMEOUT": "90", **env},
        capture_output=True,
        text=True,
        timeout=300,  # the script bounds each of its steps; this bounds them all
    )


def _started(result: subprocess.CompletedProcess, what: str):
    if result.returncode != 0:
        _skip_or_fail(f"scripts/pg-replica.sh: {what} failed: {(result.stderr or result.stdout).strip()[-800:]}")


class LiveReplica:
    def __init__(self, port: int, primary_port: int, primary_user: str, throwaway_primary: bool):
        self.port = port
        self.env = {
            "PRIMARY_HOST": "127.0.0.1",
            "PRIMARY_PORT": str(primary_port),
            "PRIMARY_USER": primary_user,
            "PG_REPLICA_DIR": f"/tmp/journal-replica-test-{port}",
        }
        self.throwaway_primary = throwaway_primary

    def start(self):
        _started(_script("start", self.port, **self.env), "starting the replica")

    def stop(self):
        result = _script("stop", self.port, **self.env)
        assert result.returncode == 0, result.stderr

    def sql(self, sql: str, params=()):
        with connections[replica.REPLICA].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def wait_for_replay(self):
        """Until the replica has replayed everything the primary has written so far (bounded)."""
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            lsn = cursor.fetchone()[0]
        deadline = time.monotonic() + WAIT_SECONDS
        while not self.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]):
            assert time.monotonic() < deadline, f"the replica did not replay up to {lsn} in {WAIT_SECONDS} s"
            time.sleep(0.05)

    @contextlib.contextmanager
    def replay_paused(self):
        """The replica stops applying WAL: it keeps serving what it had (a lagging replica)."""
        self.sql("SELECT pg_wal_replay_pause()::text")
        try:
            yield
        finally:
            self.sql("SELECT pg_wal_replay_resume()::text")


COPY_TEST_DATABASE = """set -euo pipefail
createdb -h 127.0.0.1 -p "$TO_PORT" -U postgres "$NAME"
PGPASSWORD="$FROM_PASSWORD" pg_dump -h "$FROM_HOST" -p "$FROM_PORT" -U "$FROM_USER" --no-owner --no-privileges "$NAME" |
    psql -h 127.0.0.1 -p "$TO_PORT" -U postgres -X -q -v ON_ERROR_STOP=1 -d "$NAME" >/dev/null
"""


@contextlib.contextmanager
def _default_on_throwaway_primary(conf: dict, port: int):
    """A throwaway primary on `port` holding a copy of the (migrated, still empty) test database;
    the "default" alias points at it for the duration."""
    primary_env = {"PG_REPLICA_DIR": f"/tmp/journal-replica-test-{port}"}
    try:
        _started(_script("primary", port, **primary_env), "starting a throwaway primary")
        copied = subprocess.run(
            ["bash", "-c", COPY_TEST_DATABASE],
            env={
                **os.environ,
                "NAME": conf["NAME"],
                "TO_PORT": str(port),
                "FROM_HOST": conf["HOST"] or "127.0.0.1",
                "FROM_PORT": str(conf["PORT"] or 5432),
                "FROM_USER": conf["USER"] or "postgres",
                "FROM_PASSWORD": conf["PASSWORD"] or "",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        _started(copied, "copying the test database to the throwaway primary")
        default = connections[DEFAULT_DB_ALIAS]
        saved = {key: default.settings_dict[key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
        default.close()
        default.settings_dict.update(HOST="127.0.0.1", PORT=str(port), USER="postgres", PASSWORD="")
        try:
            yield
        finally:
            default.close()
            default.settings_dict.update(saved)
    finally:
        result = _script("stop", port, **primary_env)
        assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def live_replica(django_db_setup, django_db_blocker):
    """A streaming replica on a free port, as the "replica" alias, of a throwaway primary that
    holds a copy of the test database and serves as "default" meanwhile — or, with
    JOURNAL_REPLICA_TEST_PRIMARY=server, of the test server itself (a base backup copies the
    whole cluster, so that takes as long as every database on the server is large)."""
    with django_db_blocker.unblock():
        primary = connections[DEFAULT_DB_ALIAS]
        if primary.vendor != "postgresql":
            pytest.skip(
                "The replica tests need PostgreSQL (skipped on SQLite): "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/journal .venv/bin/pytest tests/test_replica.py"
            )
        conf = copy.deepcopy(primary.settings_dict)  # NAME is the test database's by now
    on_server = os.environ.get("JOURNAL_REPLICA_TEST_PRIMARY") == "server"
    if on_server and conf["HOST"] not in ("127.0.0.1", "localhost"):
        _skip_or_fail(f"the primary is at {conf['HOST']}, not on this machine: no base backup on loopback")
    primary_port, replica_port = _free_ports(2)
    with contextlib.ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        if on_server:
            primary_port = int(conf["PORT"] or 5432)
        else:
            stack.enter_context(_default_on_throwaway_primary(conf, primary_port))
        user = (conf["USER"] or "postgres") if on_server else "postgres"
        live = LiveReplica(replica_port, primary_port, user, throwaway_primary=not on_server)
        stack.callback(live.stop)
        if on_server and conf["PASSWORD"]:
            live.env["PGPASSWORD"] = conf["PASSWORD"]
        live.start()
        replica_conf = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
        replica_conf.update(
            HOST="127.0.0.1",
            PORT=str(replica_port),
            OPTIONS={**replica_conf.get("OPTIONS", {}), "connect_timeout": 2},
            TEST={**replica_conf["TEST"], "MIRROR": None},
        )
        stack.enter_context(_replica_alias(replica_conf))
        yield live


@pytest.fixture(scope="module")
def school(live_replica, django_db_blocker):
    """The fixture school, committed on the primary. The test server's database is flushed
    afterwards so that later tests find it empty (a throwaway primary is simply removed)."""
    with django_db_blocker.unblock():
        try:
            with time_machine.travel(NOW, tick=False):
                world = build_world()
                monday = f.make_lesson(world.journal, d(11, 16), number=2, topic="Сложение дробей")
                add_mark(world, monday, world.anna, "5", "Контрольная работа")
                world.wednesday = f.make_lesson(world.journal, d(11, 18), number=1, topic="")
            yield world
        finally:
            if not live_replica.throwaway_primary:
                call_command("flush", database=DEFAULT_DB_ALIAS, interactive=False, verbosity=0)


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """This module's own `db`: plain access to the test database, no transaction around the test
    (a replica only sees committed data). Named `db` so that pytest-django creates the test
    database even when only this module runs."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def live(db, live_replica, school, frozen_now):
    replica.mark_healthy()
    return live_replica


def week_url(world):
    return reverse("diary:week", args=[world.anna.pk])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


DATA_TABLES = re.compile(r'FROM "(journal|people|schools)_')


def data_queries(captured) -> list[str]:
    """The SQL of the captured queries that read the journal's data (not sessions, users, roles)."""
    return [q["sql"] for q in captured.captured_queries if DATA_TABLES.search(q["sql"])]


def test_the_replica_is_a_read_only_copy_that_follows_the_primary(live, school):
    """OPS-1: the second server is a hot standby of the first: it refuses writes, and a mark
    written on the primary through Django appears on it."""
    assert live.sql("SELECT pg_is_in_recovery()") is True
    with pytest.raises(DatabaseError, match="read-only transaction"), connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("CREATE TABLE replica_write_probe (id int)")

    mark = add_mark(school, school.wednesday, school.boris, "3")
    live.wait_for_replay()
    assert Mark.objects.using(replica.REPLICA).get(pk=mark.pk).value == "3"
    mark.delete()


def test_the_diary_reads_its_data_from_the_replica(live, school):
    """OPS-1, DIA-3: a parent's diary week is served from the replica: every query of lessons,
    marks and people runs there; the primary answers only for the session, the user and roles."""
    live.wait_for_replay()
    client = signed_in(school.pat)
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
    ):
        response = client.get(week_url(school))

    assert response.status_code == 200
    assert "5 — Контрольная работа" in page_text(response)
    replica_sql = " ".join(data_queries(on_replica))
    assert '"journal_lesson"' in replica_sql and '"journal_mark"' in replica_sql
    assert data_queries(on_primary) == []
    assert on_primary.captured_queries  # the session and the user: always the primary


def test_a_save_goes_to_the_primary_and_the_saver_then_reads_the_primary(live, school, frozen_now):
    """DIA-1, OPS-1: the teacher's save and her grid run on the primary only. While the replica
    lags (replay paused) the parent's diary — read from the replica — does not show the new mark
    yet; right after the parent herself saves something (a successful POST) her pages read the
    primary and show it; a few seconds later she is back on the replica; once the replica catches
    up, the diary shows the mark from there."""
    lesson = school.wednesday
    teacher = signed_in(school.alice)
    parent = signed_in(school.pat)
    with live.replay_paused():
        with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
            saved = teacher.post(
                reverse("journal:save", args=[school.journal.pk]),
                data=json.dumps(
                    {
                        "cells": [{"lesson": lesson.pk, "student": school.anna.pk, "value": "4"}],
                        "lessons": [{"lesson": lesson.pk, "topic": "Проценты и доли"}],
                    }
                ),
                content_type="application/json",
            )
            grid = teacher.get(reverse("journal:grid", args=[school.journal.pk]))
        assert saved.status_code == 200 and saved.json()["ok"], saved.content
        assert grid.status_code == 200
        assert on_replica.captured_queries == []
        assert Mark.objects.filter(lesson=lesson, student=school.anna).values_list("value", flat=True).get() == "4"

        before = page_text(parent.get(week_url(school)))
        assert "Сложение дробей" in before
        assert "Проценты и доли" not in before  # the replica has not replayed the save yet

        # The parent saves something of her own: the language switcher (a POST that succeeds).
        switched = parent.post(reverse("set_language"), {"language": "ru", "next": week_url(school)})
        assert switched.status_code == 302
        with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
            after_write = page_text(parent.get(week_url(school)))
        assert "Тема: Проценты и доли" in after_write and "4 — Ответ на уроке" in after_write
        assert on_replica.captured_queries == []

        frozen_now.shift(settings.REPLICA_READ_AFTER_WRITE_SECONDS + 1)
        assert "Проценты и доли" not in page_text(parent.get(week_url(school)))  # the replica again

    live.wait_for_replay()
    caught_up = page_text(parent.get(week_url(school)))
    assert "Тема: Проценты и доли" in caught_up and "4 — Ответ на уроке" in caught_up


def test_with_the_replica_stopped_the_diary_is_served_by_the_primary(live, school, caplog):
    """OPS-1: the replica goes away (stopped): the diary page still answers, with the right
    content, from the primary; the replica is marked unhealthy and not tried again until its
    retry time; when tried again while still down (connection refused), the page is served too.
    (Runs last: it stops this module's replica.)"""
    client = signed_in(school.pat)
    assert "Сложение дробей" in page_text(client.get(week_url(school)))  # connected to the replica
    live.stop()

    with caplog.at_level(logging.WARNING, logger="config.replica"):
        started = time.monotonic()
        response = client.get(week_url(school))
        assert response.status_code == 200
        text = page_text(response)
        assert "Тема: Сложение дробей" in text and "5 — Контрольная работа" in text
        assert not replica.is_healthy()
        assert len(caplog.records) == 1 and "Replica unavailable" in caplog.records[0].getMessage()

        again = client.get(week_url(school))  # the replica is not even tried now
        assert again.status_code == 200 and "Сложение дробей" in page_text(again)
        assert len(caplog.records) == 1

        replica.mark_healthy()  # the retry time is over: a fresh connection, refused
        refused = client.get(week_url(school))
        assert refused.status_code == 200 and "5 — Контрольная работа" in page_text(refused)
        assert not replica.is_healthy()
        assert len(caplog.records) == 2
        assert time.monotonic() - started < WAIT_SECONDS
