"""JRN-4 in the diary: a pass/fail subject shows how many «зач» and «незач», not an average."""

import datetime as dt

from django.urls import reverse

from apps.journal import services
from apps.journal.grading import GradingSystem
from tests import factories as f


def test_pass_fail_subject_counts_instead_of_averaging(world, client_for):
    """JRN-4: Anna's pass/fail subject reads «зач: 2, незач: 1» in her marks page, her parent sees it."""
    world.journal.grading_system = GradingSystem.PASS_FAIL
    world.journal.save(update_fields=["grading_system"])
    cells = []
    for day, value in ((16, "зач"), (17, "незач"), (18, "зач")):
        lesson = f.make_lesson(world.journal, dt.date(2026, 11, day))
        cells.append({"lesson": lesson.pk, "student": world.anna.pk, "value": value})
    assert services.journal_save(journal=world.journal, author=world.alice, cells=cells).ok
    html = (
        client_for(world.pat)
        .get(reverse("diary:marks", args=[world.anna.pk]), {"period": world.periods[1].pk})
        .content.decode()
    )
    assert "зач: 2, незач: 1" in html
