"""The demo school's plans (JRN-2): what a person running `make run` finds."""

import time

import pytest

from apps.demo.builder import DemoBuilder, Options
from apps.plans import demo, selectors
from apps.plans.models import PlanItem


@pytest.fixture
def built(db, frozen_now):
    builder = DemoBuilder(Options(seed=7, students_per_class=6, grades=(5, 6)))
    builder.build()
    return builder


def test_demo_plans_fill_the_plan_and_completion_pages(built):
    """JRN-2: the «teacher» login's journals have a dated plan of one row per lesson, matching her
    lessons (no lag), except one a week ahead (lagging); the other journals of the «klass» class
    have plans by topics; seeding takes well under a second."""
    started = time.monotonic()
    demo.seed(built)
    assert time.monotonic() - started < 1.0

    mine = [j for j in built.journals if j.demo_teacher.user.username == "teacher"]
    assert mine and all(PlanItem.objects.filter(journal_id=j.pk).exists() for j in mine)
    rows = {r.journal.pk: r for r in selectors.completion(school=built.school, year=built.year, today=built.today)}
    lags = [rows[j.pk].lag for j in mine]
    assert lags[0] == 0 and rows[mine[0].pk].planned_to_date == rows[mine[0].pk].given > 0
    if len(mine) > 1:
        assert lags[1] > 0  # the plan running a week ahead
    undated = PlanItem.objects.filter(school=built.school, planned_date__isnull=True, hours__gt=1)
    assert undated.exists()
