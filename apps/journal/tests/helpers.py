"""Small helpers shared by the journal page tests."""

import datetime as dt
import json
import re

from django.urls import reverse

from tests import factories as f

LAST_WEEK = dt.date(2026, 11, 16)  # Monday before the frozen «today» (Friday 20.11.2026)


def grid_url(journal, period=None) -> str:
    url = reverse("journal:grid", args=[journal.pk])
    return f"{url}?period={period.pk}" if period is not None else url


def save_url(journal) -> str:
    return reverse("journal:save", args=[journal.pk])


def post_json(client, journal, **payload):
    return client.post(save_url(journal), data=json.dumps(payload), content_type="application/json")


def cell(lesson, student, value, **was) -> dict:
    """A cell item of a save; was="…" adds the value the page showed stored."""
    return {"lesson": lesson.pk, "student": student.pk, "value": value, **was}


def lessons_on(journal, *days, number=1):
    return [f.make_lesson(journal, day, number) for day in days]


def input_value(html: str, name: str) -> str | None:
    """The value of the grid input called `name`, or None when the page has no such input."""
    match = re.search(rf'<input name="{re.escape(name)}" value="([^"]*)"', html)
    return match[1] if match else None
