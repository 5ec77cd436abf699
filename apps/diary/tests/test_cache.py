"""Issue 5: the diary's week is served from the cache while nothing it shows has changed, and a
change is seen at once (DIA-1, DIA-3: the cache never widens who reads what)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.events import services as events
from apps.journal import services
from tests import factories as f

from .helpers import page_text

WEEK = "?date=2026-11-16"


def week(client, student):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("diary:week", args=[student.pk]) + WEEK)
    assert response.status_code == 200
    return page_text(response), len(queries)


def test_a_new_mark_and_topic_show_at_once_and_an_unchanged_week_costs_fewer_queries(world, client_for):
    """DIA-1: Pat reads Anna's week twice (the second from the cache: fewer queries, same page);
    Alice puts a «5» and writes a topic; Pat's next look shows both."""
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    pat = client_for(world.pat)
    first, cold = week(pat, world.anna)
    again, warm = week(pat, world.anna)
    assert again == first and warm < cold
    assert "Сложение дробей" not in first

    result = services.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "5"}],
        lessons=[{"lesson": lesson.pk, "topic": "Сложение дробей"}],
    )
    assert result.ok
    after, _ = week(pat, world.anna)
    assert "Сложение дробей" in after and "5 — " in after


def test_a_new_event_shows_at_once(world, client_for):
    """ORG-10: an event the deputy adds is in the parents' week on the next look."""
    pat = client_for(world.pat)
    before, _ = week(pat, world.anna)
    events.event_create(
        school=world.school, school_class=None, date=dt.date(2026, 11, 19), title="День открытых дверей",
        author=world.deputy,
    )  # fmt: skip
    after, _ = week(pat, world.anna)
    assert "День открытых дверей" not in before and "День открытых дверей" in after


def test_a_cached_week_is_never_shown_to_someone_without_access(world, client_for):
    """DIA-3: Quinn's son's week is cached after Quinn reads it; Pat still gets 404 for it."""
    week(client_for(world.quinn), world.boris)
    response = client_for(world.pat).get(reverse("diary:week", args=[world.boris.pk]) + WEEK)
    assert response.status_code == 404


def test_the_cached_week_follows_the_language(world, client_for):
    """I18N: a week cached in Russian is not served to a reader who chose English."""
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18), homework="№ 5")
    assert lesson.pk
    pat = client_for(world.pat)
    russian, _ = week(pat, world.anna)
    pat.post(reverse("set_language"), {"language": "en", "next": "/"})
    english, _ = week(pat, world.anna)
    assert "Домашнее задание" in russian and "Homework" in english


def test_marks_by_subject_are_cached_and_a_new_mark_shows_at_once(world, client_for):
    """DIA-2: Pat's marks page for the quarter is served from the cache while nothing changed
    (fewer queries), and Alice's new «4» is on it at the next look."""
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    pat = client_for(world.pat)
    url = reverse("diary:marks", args=[world.anna.pk]) + f"?period={world.periods[1].pk}"

    def look():
        with CaptureQueriesContext(connection) as queries:
            response = pat.get(url)
        assert response.status_code == 200
        return page_text(response), len(queries)

    first, cold = look()
    again, warm = look()
    assert again == first and warm < cold
    assert services.journal_save(
        journal=world.journal, author=world.alice, cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "4"}]
    ).ok
    after, _ = look()
    assert "4,00" in after or "4.00" in after
