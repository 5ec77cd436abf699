"""A kept database connection the server has dropped (a restart, a failover, an idle timeout of a
pooler) is replaced at the next request's first query instead of failing that request
(CONN_HEALTH_CHECKS on the primary, config/settings.py). PostgreSQL only."""

from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.urls import reverse

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="kept connections: the PostgreSQL set-up"),
    pytest.mark.django_db(transaction=True),  # the requests commit as a worker's do
]


def worker_get(handler, path: str, cookie: str) -> tuple[str, bytes]:
    """A request as gunicorn's worker makes it, on this thread and so on this thread's kept
    connection: request_started and request_finished run (the test client skips them)."""
    environ = {}
    setup_testing_defaults(environ)
    environ.update(PATH_INFO=path, QUERY_STRING="date=2026-11-16", HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookie)
    statuses = []
    response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: Django decides here whether to keep the connection
    return statuses[0], body


def terminate(backend_pid: int) -> None:
    """What a database restart does to a kept connection, from a second connection."""
    s = connection.settings_dict
    with psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"] or None
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone() == (True,)


def test_the_first_request_after_the_server_dropped_the_connection_succeeds(world, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # kept between requests
    browser = Client()
    browser.force_login(world.pat)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    connection.close()  # the next connection is made with these settings, as a worker's is
    handler = WSGIHandler()
    path = reverse("diary:week", args=[world.anna.pk])

    status, body = worker_get(handler, path, cookie)
    assert status.startswith("200") and "Аксёнова Анна".encode() in body
    kept = connection.connection.info.backend_pid  # the worker kept its connection
    terminate(kept)

    status, body = worker_get(handler, path, cookie)
    assert status.startswith("200"), status
    assert "Аксёнова Анна".encode() in body
    assert connection.connection.info.backend_pid != kept  # a fresh connection served it
