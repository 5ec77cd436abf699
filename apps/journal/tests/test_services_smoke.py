import datetime as dt

from apps.audit.models import Entry
from apps.journal.models import Mark
from apps.journal.services import journal_save
from tests import factories as f


def test_grid_save_keeps_valid_cells_when_one_is_invalid(world):
    """JRN-3, ARC-1: one invalid cell is refused with a reason; the others of the same save are kept."""
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    anna, boris, third = world.students_5a[:3]
    result = journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[
            {"lesson": lesson.pk, "student": anna.pk, "value": "5"},
            {"lesson": lesson.pk, "student": boris.pk, "value": "7"},
            {"lesson": lesson.pk, "student": third.pk, "value": "н"},
        ],
    )
    assert [c.ok for c in result.cells] == [True, False, True]
    assert "недопустимое" in result.cells[1].error
    assert list(Mark.objects.values_list("student_id", "value")) == [(anna.pk, "5")]
    assert Entry.objects.filter(object_type="mark").count() == 1
    assert Entry.objects.filter(object_type="attendance").count() == 1
