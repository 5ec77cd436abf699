"""Parallel sign-in attempts are counted one after another: 40 wrong passwords sent at once for one
account from one address get no more passwords checked than the limit (OPS-3).

Real concurrent requests against the live server (each in its own thread with its own database
connection), so it runs on PostgreSQL only: SQLite serialises every writer on the whole database."""

import html
import http.client
import re
import threading
import urllib.parse
from unittest import mock

import pytest
from django.db import connection

from apps.accounts.models import User
from apps.security.models import SignInEvent
from tests import factories as f

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent counting needs PostgreSQL's connections"),
    pytest.mark.django_db(transaction=True),
]

PARALLEL = 40


def post_at_once(base_url: str, path: str, payload: dict, n: int) -> list[int]:
    """n browsers open the sign-in page, connect again, and then all send the form at the same
    moment (connected beforehand, so the server is already reading every one of them). Their
    answers' statuses."""
    host = urllib.parse.urlsplit(base_url)
    barrier = threading.Barrier(n)
    statuses, errors = [], []

    def one():
        try:
            first = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
            first.request("GET", path)
            page = first.getresponse()
            cookie = page.getheader("Set-Cookie").split(";")[0]  # csrftoken=…
            body = page.read().decode()
            first.close()
            token = html.unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1))
            data = urllib.parse.urlencode({**payload, "csrfmiddlewaretoken": token})
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": base_url}
            post = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
            post.connect()
            barrier.wait(timeout=120)
            post.request("POST", path, body=data, headers=headers)
            statuses.append(post.getresponse().status)
            post.close()
        except Exception as exc:  # reported in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not errors, errors
    return statuses


def test_forty_parallel_wrong_passwords_check_at_most_the_limit(live_server, settings):
    """OPS-3: 40 wrong passwords for the director posted at the same moment from one address: 5 are
    checked and recorded as failures, the other 35 are refused as locked without being checked; no
    error page."""
    f.UserFactory(username="director")
    with mock.patch.object(User, "check_password", autospec=True, side_effect=User.check_password) as checks:
        statuses = post_at_once(
            live_server.url, "/accounts/login/", {"username": "director", "password": "угадываю"}, PARALLEL
        )

    limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
    assert len(statuses) == PARALLEL
    assert sorted(set(statuses)) == [200, 429], statuses  # the page with «Неверное…», or with the lock
    assert checks.call_count == limit
    assert statuses.count(200) == limit
    events = SignInEvent.objects.filter(username="director")
    assert events.filter(outcome=SignInEvent.Outcome.FAILURE).count() == limit
    assert events.filter(outcome=SignInEvent.Outcome.LOCKED).count() == PARALLEL - limit
