"""Rules of the journal itself, through the service the grid saves with."""

import datetime as dt

from apps.audit.models import Entry
from apps.journal.models import Attendance, Lesson, Mark
from apps.journal.services import journal_save, parse_cell
from tests import factories as f


def test_no_records_in_advance_but_homework_may_be_published_ahead(world):
    """DL-2: marks and absences for a lesson that has not happened yet are refused, while the
    homework of that lesson may be published ahead."""
    future = f.make_lesson(world.journal, dt.date(2026, 11, 24))  # «today» is 20.11.2026
    result = journal_save(
        journal=world.journal,
        author=world.alice,
        lessons=[{"lesson": future.pk, "homework": "№ 512, 514"}],
        cells=[
            {"lesson": future.pk, "student": world.anna.pk, "value": "5"},
            {"lesson": future.pk, "student": world.boris.pk, "value": "н"},
        ],
    )
    assert result.lessons[0].ok
    assert Lesson.objects.get(pk=future.pk).homework == "№ 512, 514"
    assert [c.ok for c in result.cells] == [False, False]
    assert "ещё не прошёл" in result.cells[0].error
    assert not Mark.objects.filter(lesson=future).exists()
    assert not Attendance.objects.filter(lesson=future).exists()
    assert not Entry.objects.filter(lesson_id=future.pk, object_type__in=("mark", "attendance")).exists()


def test_a_cell_takes_several_marks_each_with_the_columns_work_type(world):
    """JRN-3: one or several marks per lesson, each carrying its type of work."""
    control = next(wt for wt in world.work_types if wt.name == "Контрольная работа")
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18), work_type=control)
    result = journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "5 4"}],
    )
    assert result.cells[0].ok and result.cells[0].value == "5 4"
    marks = list(Mark.objects.filter(lesson=lesson).order_by("position"))
    assert [(m.value, m.work_type.name, str(m.weight)) for m in marks] == [
        ("5", "Контрольная работа", "2.00"),
        ("4", "Контрольная работа", "2.00"),
    ]


def test_cell_grammar(world):
    """JRN-3, JRN-5: «5 4» is two marks, «н» (or «n»/«y» typed on a Latin layout) is an absence,
    anything else is refused with the allowed values named."""
    assert parse_cell("5 4", "five").marks == ["5", "4"]
    assert parse_cell("Н", "five").absent and parse_cell("y", "five").absent
    for bad, expected in [
        ("6", "«6» — недопустимое"),
        ("5 н", "нельзя поставить отметку"),
        ("5 5 5 5 5", "не больше 4"),
    ]:
        try:
            parse_cell(bad, "five")
        except Exception as exc:  # noqa: BLE001 — the message is what the teacher sees
            assert expected in " ".join(exc.messages)
        else:
            raise AssertionError(f"{bad!r} was accepted")
