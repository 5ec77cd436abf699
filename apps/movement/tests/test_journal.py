"""A student's journal history follows his moves (ORG-9, issue 3): transferred on 10 November,
he is in the new class's journals from that day and keeps his marks in the old class's journal."""

from django.urls import reverse

from apps.journal import services as journal
from apps.journal.selectors import journal_grid, year_periods
from apps.movement import services
from tests import factories as f

from .helpers import ORDER, d


def transferred_world(world):
    """Boris has a «4» in 5А mathematics on 6 November; on 10 November he moves to 5Б; 5А and 5Б
    each have a lesson on 9 and 12 November."""
    before = f.make_lesson(world.journal, d(11, 6))
    result = journal.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": before.pk, "student": world.boris.pk, "value": "4"}],
    )
    assert result.ok
    lessons = {
        "5a_before": before,
        "5a_9": f.make_lesson(world.journal, d(11, 9)),
        "5a_12": f.make_lesson(world.journal, d(11, 12)),
        "5b_9": f.make_lesson(world.journal_5b, d(11, 9)),
        "5b_12": f.make_lesson(world.journal_5b, d(11, 12)),
    }
    services.student_transfer(student=world.boris, from_class=world.class_5a, to_class=world.class_5b, date=d(11, 10),
                              author=world.admin, **ORDER)  # fmt: skip
    return lessons


def test_the_grids_follow_the_transfer(world):
    """ORG-9: in the second quarter's grid of 5А mathematics Boris keeps his «4» of 6 November and
    may be marked up to 9 November, not on the 12th; in 5Б Russian he is listed and may be marked
    on the 12th, not on the 9th."""
    lessons = transferred_world(world)
    q2 = world.periods[1]

    grid_5a = journal_grid(journal=world.journal, period=q2, periods=year_periods(world.journal), today=d(11, 20))
    row = grid_5a.row(world.boris.pk)
    assert [m.value for m in grid_5a.cell(lessons["5a_before"].pk, world.boris.pk).marks] == ["4"]
    assert grid_5a.cell(lessons["5a_9"].pk, world.boris.pk).member is True
    assert grid_5a.cell(lessons["5a_12"].pk, world.boris.pk).member is False
    assert row.average is not None

    grid_5b = journal_grid(journal=world.journal_5b, period=q2, periods=year_periods(world.journal_5b), today=d(11, 20))
    assert grid_5b.row(world.boris.pk) is not None
    assert grid_5b.cell(lessons["5b_9"].pk, world.boris.pk).member is False
    assert grid_5b.cell(lessons["5b_12"].pk, world.boris.pk).member is True


def test_the_journal_pages_show_it(world, client_for):
    """ORG-9: the pages the teachers open: Alice's 5А grid still shows Boris's «4» and refuses his
    cell of 12 November; Bob's 5Б grid has an input for Boris on 12 November, none on the 9th."""
    lessons = transferred_world(world)
    q2 = world.periods[1].pk
    boris = world.boris.pk

    page = client_for(world.alice).get(reverse("journal:grid", args=[world.journal.pk]), {"period": q2})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="c-{lessons["5a_before"].pk}-{boris}" value="4"' in html
    assert f'name="c-{lessons["5a_9"].pk}-{boris}"' in html
    assert f'name="c-{lessons["5a_12"].pk}-{boris}"' not in html
    assert "Учащийся не числился в группе на дату урока" in html

    page = client_for(world.bob).get(reverse("journal:grid", args=[world.journal_5b.pk]), {"period": q2})
    html = page.content.decode()
    assert "Быков Б." in html
    assert f'name="c-{lessons["5b_12"].pk}-{boris}"' in html
    assert f'name="c-{lessons["5b_9"].pk}-{boris}"' not in html


def test_marks_after_the_transfer_go_to_the_new_class_only(world):
    """ORG-9, JRN-1: Bob marks Boris in 5Б on 12 November; Alice cannot mark him in 5А that day."""
    lessons = transferred_world(world)
    ok = journal.journal_save(
        journal=world.journal_5b, author=world.bob, cells=[{"lesson": lessons["5b_12"].pk, "student": world.boris.pk,
                                                            "value": "5"}]
    )  # fmt: skip
    assert ok.ok
    refused = journal.journal_save(
        journal=world.journal, author=world.alice, cells=[{"lesson": lessons["5a_12"].pk, "student": world.boris.pk,
                                                           "value": "5"}]
    )  # fmt: skip
    assert not refused.ok
