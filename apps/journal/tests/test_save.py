"""The grid's save endpoint: JSON from grid.js and the plain form without JavaScript
(JRN-1, JRN-3, JRN-5, JRN-7, JRN-8, JRN-11, ARC-1)."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import Entry
from apps.journal.models import Attendance, Mark, PeriodMark
from tests import factories as f

from .helpers import cell, grid_url, input_value, lessons_on, post_json, save_url


def marks_of(lesson):
    return dict(Mark.objects.filter(lesson=lesson).values_list("student_id", "value"))


def test_json_save_keeps_valid_cells_and_explains_the_refused_one(world, client_for):
    """JRN-3: «5», «5 4», «н» are saved; «7» is refused with a Russian reason; the others stay."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    anna, boris, third, fourth = world.students_5a[:4]
    response = post_json(
        client_for(world.alice),
        world.journal,
        period=world.periods[1].pk,
        cells=[
            cell(lesson, anna, "5"),
            cell(lesson, boris, "7"),
            cell(lesson, third, "n"),
            cell(lesson, fourth, "5 4"),
        ],
    )
    assert response.status_code == 200
    data = response.json()
    assert [c["ok"] for c in data["cells"]] == [True, False, True, True]
    assert [c["value"] for c in data["cells"]] == ["5", "", "н", "5 4"]
    assert "«7» — недопустимое значение" in data["cells"][1]["error"]
    assert data["ok"] is False and data["saved"] == 3
    assert sorted(Mark.objects.filter(lesson=lesson).values_list("student_id", "value")) == sorted(
        [(anna.pk, "5"), (fourth.pk, "5"), (fourth.pk, "4")]
    )
    assert Attendance.objects.filter(lesson=lesson, student=third).exists()
    assert not Mark.objects.filter(student=boris).exists()
    # The averages of the students whose cells changed come back for the right-hand column.
    assert data["averages"] == {str(anna.pk): "5,00", str(third.pk): "", str(fourth.pk): "4,50"}


def test_json_save_refuses_a_future_lesson_but_takes_its_homework(world, client_for):
    """JRN-1, JRN-3: marks and absences wait for the lesson's day; homework can be set ahead."""
    (future,) = lessons_on(world.journal, dt.date(2026, 11, 25))
    data = post_json(
        client_for(world.alice),
        world.journal,
        cells=[cell(future, world.anna, "5"), cell(future, world.boris, "н")],
        lessons=[{"lesson": future.pk, "homework": "№ 245, 247"}],
    ).json()
    assert [c["ok"] for c in data["cells"]] == [False, False]
    assert "ещё не прошёл" in data["cells"][0]["error"]
    assert data["lessons"][0]["ok"] is True
    assert data["lessons"][0]["fields"]["homework"] == "№ 245, 247"
    assert not Mark.objects.exists() and not Attendance.objects.exists()
    future.refresh_from_db()
    assert future.homework == "№ 245, 247"


def test_json_save_refuses_a_student_not_in_the_group_on_that_date(world, client_for):
    """JRN-3: a student who joined the class after the lesson cannot get a mark for it."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 16))
    newcomer = f.enrol(
        f.StudentFactory(school=world.school, last_name="Новикова", first_name="Нина"),
        world.class_5a,
        starts=dt.date(2026, 11, 17),
    )
    data = post_json(
        client_for(world.alice), world.journal, cells=[cell(lesson, newcomer, "5"), cell(lesson, world.anna, "4")]
    ).json()
    assert [c["ok"] for c in data["cells"]] == [False, True]
    assert "Новикова Н. не числится в группе «5А» на 16.11.2026" in data["cells"][0]["error"]
    assert marks_of(lesson) == {world.anna.pk: "4"}


def test_json_save_of_a_lesson_of_another_journal_is_refused(world, client_for):
    """A lesson id of someone else's journal is «not found» here; nothing is written to it."""
    other = f.make_lesson(world.journal_5b, dt.date(2026, 11, 18))
    data = post_json(client_for(world.alice), world.journal, cells=[cell(other, world.students_5b[0], "5")]).json()
    assert data["cells"][0]["ok"] is False
    assert not Mark.objects.exists()


def test_period_mark_is_saved_and_invalid_one_refused(world, client_for):
    """JRN-7: the period mark column takes 5…2, «н/а», «осв»; anything else is refused."""
    q2 = world.periods[1]
    data = post_json(
        client_for(world.alice),
        world.journal,
        period_marks=[
            {"period": q2.pk, "student": world.anna.pk, "value": "5"},
            {"period": q2.pk, "student": world.boris.pk, "value": "н/а"},
            {"period": q2.pk, "student": world.students_5a[2].pk, "value": "6"},
        ],
    ).json()
    assert [r["ok"] for r in data["period_marks"]] == [True, True, False]
    assert "недопустимая отметка за период" in data["period_marks"][2]["error"]
    assert dict(PeriodMark.objects.values_list("student_id", "value")) == {world.anna.pk: "5", world.boris.pk: "н/а"}
    html = client_for(world.alice).get(grid_url(world.journal)).content.decode()
    assert input_value(html, f"p-{q2.pk}-{world.anna.pk}") == "5"


@pytest.mark.parametrize("who", ["carol", "deputy", "director", "admin"])
def test_read_only_users_get_403_and_nothing_changes(world, client_for, who):
    """JRN-11: the class teacher and the administration read the journal but cannot save it."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    client = client_for(getattr(world, who))
    response = post_json(
        client, world.journal, cells=[cell(lesson, world.anna, "5")], lessons=[{"lesson": lesson.pk, "topic": "Дроби"}]
    )
    assert response.status_code == 403
    response = client.post(save_url(world.journal), {f"c-{lesson.pk}-{world.anna.pk}": "5", "orig": "{}"})
    assert response.status_code == 403
    lesson.refresh_from_db()
    assert lesson.topic == ""
    assert not Mark.objects.exists()
    assert not Entry.objects.filter(object_type__in=["mark", "lesson"], action="update").exists()


def test_other_teacher_gets_404_on_save_and_nothing_changes(world, client_for):
    """A teacher outside the journal: 404, as if it did not exist; the data are untouched."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    response = post_json(client_for(world.bob), world.journal, cells=[cell(lesson, world.anna, "5")])
    assert response.status_code == 404
    assert not Mark.objects.exists()


def test_save_needs_post(world, client_for):
    assert client_for(world.alice).get(save_url(world.journal)).status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        json.dumps({"cells": "5"}),
        json.dumps({"cells": [1]}),
        json.dumps({"lessons": [{"lesson": 1, "topic": 5}]}),
        json.dumps({"lessons": [{"lesson": 1, "no_homework": "да"}]}),
    ],
)
def test_malformed_json_is_a_400_in_russian(world, client_for, body):
    response = client_for(world.alice).post(save_url(world.journal), data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "Неверный формат запроса."


# ---------------------------------------------------------------------------------------------
# Without JavaScript


def test_form_post_applies_only_changed_cells_and_redirects_with_a_message(world, client_for):
    """JRN-3: the plain form sends every input; only the cells the teacher changed are applied,
    so a mark another session saved meanwhile in an untouched cell is not overwritten."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    client.get(grid_url(world.journal))
    # Meanwhile Boris got a 3 in another tab; this page still shows his cell empty.
    post_json(client, world.journal, cells=[cell(lesson, world.boris, "3")])
    names = {s: f"c-{lesson.pk}-{s.pk}" for s in world.students_5a}
    orig = {name: "" for name in names.values()}
    form = {**{name: "" for name in names.values()}, names[world.anna]: "5", names[world.students_5a[2]]: "н"}
    response = client.post(
        save_url(world.journal), {**form, "orig": json.dumps(orig), "period": world.periods[1].pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == grid_url(world.journal, world.periods[1])
    html = response.content.decode()
    assert "Сохранено изменений: 2." in html
    assert marks_of(lesson) == {world.anna.pk: "5", world.boris.pk: "3"}
    assert Attendance.objects.filter(lesson=lesson, student=world.students_5a[2]).exists()


def test_form_post_with_an_invalid_cell_rerenders_with_the_error_and_keeps_the_rest(world, client_for):
    """JRN-3: without JavaScript, a refused cell comes back with what was typed and why; the
    valid cells of the same post are saved."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    names = {s.pk: f"c-{lesson.pk}-{s.pk}" for s in world.students_5a}
    response = client.post(
        save_url(world.journal),
        {
            names[world.anna.pk]: "5",
            names[world.boris.pk]: "7",
            "orig": json.dumps({n: "" for n in names.values()}),
            "period": world.periods[1].pk,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert input_value(html, names[world.boris.pk]) == "7"
    assert input_value(html, names[world.anna.pk]) == "5"
    assert "Быков Б., 18.11: «7» — недопустимое значение" in html
    assert 'aria-invalid="true"' in html
    assert "Сохранено изменение: 1." in html
    assert marks_of(lesson) == {world.anna.pk: "5"}


def test_form_post_without_changes_says_so(world, client_for):
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    name = f"c-{lesson.pk}-{world.anna.pk}"
    response = client_for(world.alice).post(
        save_url(world.journal), {name: "", "orig": json.dumps({name: ""})}, follow=True
    )
    assert "Изменений нет." in response.content.decode()
    assert not Entry.objects.filter(object_type="mark").exists()


# ---------------------------------------------------------------------------------------------
# Query budget of the save


def _save_queries(client, journal, cells):
    with CaptureQueriesContext(connection) as ctx:
        response = post_json(client, journal, period=None, cells=cells)
    assert response.status_code == 200 and response.json()["ok"], response.content
    return ctx.captured_queries


def test_save_query_count_grows_only_by_the_writes_of_each_cell(world, client_for):
    """A save preloads memberships, marks and attendance: no SELECT per cell, and only a small
    constant of statements per cell: the insert and the savepoints that keep one refused cell
    from undoing the others (journal_save's and cell_set's own: 2 × SAVEPOINT + 2 × RELEASE)."""
    lessons = lessons_on(world.journal, *[dt.date(2026, 11, d) for d in (6, 9, 11, 16, 18)])
    client = client_for(world.alice)
    students = world.students_5a
    _save_queries(client, world.journal, [cell(lessons[0], students[0], "3")])  # the chain's head exists now
    small = _save_queries(client, world.journal, [cell(lessons[1], students[0], "5")])
    big = _save_queries(client, world.journal, [cell(lesson, s, "4") for lesson in lessons[2:] for s in students])
    assert len(big) > len(small)  # 15 cells against 1

    def selects(queries):
        return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]

    if len(selects(big)) != len(selects(small)):
        print("\n".join(selects(small)), "\n----- 15 cells:\n", "\n".join(selects(big)))
        pytest.fail("the save runs SELECTs per cell")
    per_cell = (len(big) - len(small)) / 14
    if per_cell > 5:
        print("\n".join(q["sql"] for q in big))
        pytest.fail(f"{per_cell:.1f} queries per cell")
    assert Mark.objects.count() == 17


def test_changing_a_column_of_marks_is_one_update_however_many_cells(world, client_for):
    """JRN-3 (issue 5): a teacher changing every mark of a lesson column writes them with one UPDATE
    statement sent once for all rows — the statements of the save do not grow with the number of
    changed cells — and every new value is really stored and logged."""
    lesson, other = lessons_on(world.journal, dt.date(2026, 11, 16), dt.date(2026, 11, 18))
    client = client_for(world.alice)
    students = world.students_5a
    _save_queries(client, world.journal, [cell(lesson, s, "3") for s in students])
    _save_queries(client, world.journal, [cell(lesson, s, "3") for s in students])
    _save_queries(client, world.journal, [cell(other, s, "3") for s in students[:2]])
    few = _save_queries(client, world.journal, [cell(other, s, "4") for s in students[:2]])
    many = _save_queries(client, world.journal, [cell(lesson, s, "5", was="3") for s in students])
    # (one statement sent for all rows: the debug log shows it as «5 times: UPDATE …»)
    updates = [q["sql"] for q in many if 'UPDATE "JOURNAL_MARK"' in q["sql"].upper()]
    assert len(updates) == 1, updates
    assert len(many) == len(few)
    assert set(Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == {"5"}
    assert Entry.objects.filter(object_type="mark", action="update", lesson_id=lesson.pk).count() == len(students)


# ---------------------------------------------------------------------------------------------
# Bad input and the lock (issue 11)


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"cells": [], "period": ' + "[" * 50_000 + "]" * 50_000 + "}",
        '{"cells": [{"lesson": ' + "9" * 5000 + ', "student": 1, "value": "5"}]}',
        json.dumps({"lessons": [{"lesson": 1, "topic": "x", "was": ["x"]}]}),
        json.dumps({"lessons": [{"lesson": 1, "topic": "x", "was": {"topic": 5}}]}),
    ],
    ids=["nested-lists", "nested-in-an-object", "a-5000-digit-id", "was-not-an-object", "was-of-a-wrong-type"],
)
def test_a_payload_no_grid_sends_is_a_400_in_russian_never_a_500(world, client_for, body):
    response = client_for(world.alice).post(save_url(world.journal), data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "Неверный формат запроса."


def test_odd_values_and_huge_numbers_are_refused_items_and_the_rest_is_saved(world, client_for):
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    body = (
        '{"cells": ['
        f'{{"lesson": {lesson.pk}, "student": {world.anna.pk}, "value": "5"}},'
        f'{{"lesson": 1e400, "student": {world.anna.pk}, "value": "5"}},'
        f'{{"lesson": {lesson.pk}, "student": 123456789012345678901234567890, "value": "5"}},'
        f'{{"lesson": {lesson.pk}, "student": {world.boris.pk}, "value": ["5"]}},'
        f'{{"lesson": {lesson.pk}, "student": {world.students_5a[2].pk}, "value": 4}}'
        '], "period_marks": [{"period": -5, "student": 1, "value": {}}]}'
    )
    response = client_for(world.alice).post(save_url(world.journal), data=body, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert [c["ok"] for c in data["cells"]] == [True, False, False, False, True]
    assert data["cells"][3]["error"] == "Неверное значение клетки."
    assert data["period_marks"][0]["ok"] is False
    assert marks_of(lesson) == {world.anna.pk: "5", world.students_5a[2].pk: "4"}


def test_form_post_takes_what_the_page_showed_as_was(world, client_for):
    """Without JavaScript too: a cell somebody saved after the page was loaded is not overwritten;
    the page comes back with the reason, and Boris's «3» stays."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    name = f"c-{lesson.pk}-{world.boris.pk}"
    post_json(client_for(world.alice), world.journal, cells=[cell(lesson, world.boris, "3")])
    response = client_for(world.alice).post(
        save_url(world.journal), {name: "5", "orig": json.dumps({name: ""}), "period": world.periods[1].pk}
    )
    assert response.status_code == 200
    assert "Клетку уже изменил(а) Алексеева А. в 12:00: сейчас «3». Ваше «5» не сохранено." in response.content.decode()
    assert marks_of(lesson) == {world.boris.pk: "3"}


@pytest.fixture
def class_of_25(db, frozen_now):
    from conftest import build_world

    return build_world(n_students=25)


@pytest.mark.django_db(transaction=True)
def test_a_column_of_25_cells_locks_the_journal_once_before_reading_and_stays_constant(class_of_25, client_for):
    """Issue 11: the journal is locked before the save reads anything of it (PostgreSQL: one
    SELECT … FOR UPDATE of journal_journal; SQLite: the save's BEGIN IMMEDIATE comes first), and
    the statements of a save do not grow with the cells: a column of 25 costs what a column of 2
    does."""
    world = class_of_25
    lesson, other = lessons_on(world.journal, dt.date(2026, 11, 16), dt.date(2026, 11, 18))
    client = client_for(world.alice)
    students = world.students_5a
    assert len(students) == 25
    _save_queries(client, world.journal, [cell(lesson, s, "3") for s in students])
    _save_queries(client, world.journal, [cell(other, s, "3") for s in students[:2]])
    few = _save_queries(client, world.journal, [cell(other, s, "4") for s in students[:2]])
    many = _save_queries(client, world.journal, [cell(lesson, s, "5", was="3") for s in students])
    if len(many) != len(few):
        print("\n".join(q["sql"] for q in many))
        pytest.fail(f"{len(few)} statements for 2 cells, {len(many)} for 25")
    sqls = [q["sql"] for q in many]
    if connection.vendor == "postgresql":
        locks = [i for i, sql in enumerate(sqls) if "FOR UPDATE" in sql and '"journal_journal"' in sql]
    else:
        locks = [i for i, sql in enumerate(sqls) if sql.startswith("BEGIN")]
    reads = [
        i
        for i, sql in enumerate(sqls)
        if any(
            sql.startswith(f'SELECT "{table}".') for table in ("journal_lesson", "journal_mark", "journal_attendance")
        )
    ]
    assert len(locks) == 1, sqls
    assert reads and min(reads) > locks[0], "the save read the journal's rows before it locked the journal"
    assert set(Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == {"5"}
