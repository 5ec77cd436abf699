"""The health check and the benchmark's query counter (issue 5: `make bench`)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.ops.middleware import HEADER


@pytest.mark.django_db
def test_healthz_answers_ok_without_touching_the_database():
    """OPS: /healthz answers «ok» with no SQL at all — it is the floor `make bench` measures against,
    and a load balancer may call it while the database is down."""
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert len(queries) == 0
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_healthz_is_read_only():
    """OPS: the health check takes no writes."""
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_query_count_header_only_when_benchmarking(monkeypatch, world, client_for):
    """OPS (issue 5): with JOURNAL_BENCH=1 every answer carries the number of SQL statements it ran,
    the same number the database saw; without it the header is absent (production pays nothing)."""
    monkeypatch.delenv("JOURNAL_BENCH", raising=False)
    assert HEADER not in client_for(world.pat).get("/diary/").headers

    monkeypatch.setenv("JOURNAL_BENCH", "1")
    assert Client().get("/healthz").headers[HEADER] == "0"  # a new client loads the middleware anew
    client = client_for(world.pat)
    url = f"/diary/{world.anna.pk}/week/"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert int(response.headers[HEADER]) == len(queries) > 0
