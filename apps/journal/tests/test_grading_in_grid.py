"""JRN-4 in the journal grid: each system's marks read as that system's, not the 5-point one."""

import datetime as dt
import json

from django.urls import reverse

from apps.journal import services
from apps.journal.grading import GradingSystem
from tests import factories as f


def _switch(journal, system):
    journal.grading_system = system
    journal.save(update_fields=["grading_system"])


def test_pass_fail_journal_counts_in_the_average_column_also_after_a_save(world, client_for):
    """JRN-4: a pass/fail journal's average column reads «зач: 1, незач: 1» on the page and in the
    answer to the save that changed it; its period-mark list offers only зач/незач/н/а/осв."""
    _switch(world.journal, GradingSystem.PASS_FAIL)
    first, second = (f.make_lesson(world.journal, dt.date(2026, 11, d)) for d in (17, 18))
    assert services.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": first.pk, "student": world.anna.pk, "value": "зач"}],
    ).ok
    answer = client_for(world.alice).post(
        reverse("journal:save", args=[world.journal.pk]),
        data=json.dumps(
            {
                "period": world.periods[1].pk,
                "cells": [{"lesson": second.pk, "student": world.anna.pk, "value": "незач"}],
            }
        ),
        content_type="application/json",
    )
    assert "зач: 1, незач: 1" in json.dumps(answer.json(), ensure_ascii=False)
    html = client_for(world.alice).get(reverse("journal:grid", args=[world.journal.pk])).content.decode()
    assert "зач: 1, незач: 1" in html
    assert 'value="осв"' in html and 'value="4"' not in html.split('name="p-')[1].split("</select>")[0]


def test_ten_point_five_is_not_coloured_as_excellent(world, client_for):
    """JRN-4: a «5» in a 10-point journal is a middling mark: not painted as the 5-point «5»."""
    _switch(world.journal, GradingSystem.TEN)
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    assert services.journal_save(
        journal=world.journal, author=world.alice, cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "5"}]
    ).ok
    html = client_for(world.director).get(reverse("journal:grid", args=[world.journal.pk])).content.decode()
    assert "mark-5" not in html
