"""Importing students (ORG-3, ORG-9): checked first, enrolled into classes of the current year
through people.services (the whole-class group follows), never duplicated."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.imports import services
from apps.imports.models import ImportBatch
from apps.people.models import Enrolment, GroupMembership, Student
from apps.schools.models import AcademicYear

from .helpers import actions, check, csv_bytes, error_texts, load

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Дата зачисления", "Номер приказа"]
GOOD = [
    ["Ёлкина", "Дарья", "Игоревна", dt.date(2015, 2, 1), "5А", "", "12-у"],
    ["Жуков", "Егор", "", "17.06.2015", "5 б", "02.09.2026", ""],
]
BAD = [
    HEADER,
    ["Ёлкина", "Дарья", "Игоревна", "01.02.2015", "5А", "", ""],  # 2: good
    ["Жуков", "Егор", "", "17.06.2015", "5Б", "", ""],  # 3: good
    ["Зуев", "Илья", "", "31.02.2015", "5А", "", ""],  # 4: no such date
    ["Исаева", "Кира", "", "10.10.2015", "5В", "", ""],  # 5: no such class
    ["", "Лев", "", "10.10.2015", "5А", "", ""],  # 6: no last name
    ["Ёлкина", "Дарья", "Игоревна", "01.02.2015", "5Б", "", ""],  # 7: the same girl again
]


def _new(world):
    return Student.objects.filter(school=world.school, last_name__in=["Ёлкина", "Жуков", "Зуев", "Исаева"])


def test_valid_xlsx_enrols_new_students(world):
    """ORG-3, ORG-9: a valid XLSX creates the students with their birth dates and enrols each in
    the class of the current year from the given date (or the year's start), with the order
    number; the whole-class group follows, so the class's journals list them."""
    batch = load(world, "students", [HEADER, *GOOD])
    assert batch.status == ImportBatch.Status.DONE
    assert batch.result["create"] == 2 and batch.result["written"] == [2, 3]
    dasha = Student.objects.get(school=world.school, last_name="Ёлкина")
    assert (dasha.first_name, dasha.middle_name, dasha.birth_date) == ("Дарья", "Игоревна", dt.date(2015, 2, 1))
    enrolment = Enrolment.objects.get(student=dasha)
    assert (enrolment.school_class, enrolment.starts, enrolment.order_number) == (
        world.class_5a,
        world.year.starts,
        "12-у",
    )
    assert GroupMembership.objects.filter(student=dasha, group__school_class=world.class_5a).exists()
    egor = Student.objects.get(school=world.school, last_name="Жуков")
    assert Enrolment.objects.get(student=egor).school_class == world.class_5b
    assert Enrolment.objects.get(student=egor).starts == dt.date(2026, 9, 2)


def test_valid_cp1251_csv_loads_the_same(world):
    """ORG-3: the same list saved as CSV in Windows-1251 with «;» loads the same students."""
    rows = [HEADER, *[[c.strftime("%d.%m.%Y") if isinstance(c, dt.date) else c for c in r] for r in GOOD]]
    batch = load(world, "students", content=csv_bytes(rows), name="list.csv")
    assert batch.result["create"] == 2
    assert set(_new(world).values_list("last_name", flat=True)) == {"Ёлкина", "Жуков"}
    assert any("Windows-1251" in n for n in batch.notices)


def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_written(world):
    """ORG-3: every bad row is reported with its row number (header = row 1), the column and the
    reason in Russian, and with errors in the file nothing is written."""
    batch = check(world, "students", BAD)
    assert actions(batch) == {2: "create", 3: "create", 4: "error", 5: "error", 6: "error", 7: "error"}
    assert error_texts(batch) == [
        "Строка 4, «Дата рождения»: «31.02.2015» — такой даты нет",
        "Строка 5, «Класс»: «5В» — нет такого класса в 2026/2027 учебном году",
        "Строка 6, «Фамилия»: не заполнено",
        "Строка 7: этот учащийся уже есть в строке 2 (те же ФИО и дата рождения)",
    ]
    with pytest.raises(ValidationError) as exc:
        services.batch_confirm(batch=batch, decided_by=world.admin)
    assert "строки с ошибками (4)" in exc.value.messages[0]
    assert not _new(world).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_valid_rows_only_writes_exactly_the_valid_rows(world):
    """ORG-3: «Загрузить только правильные строки» writes exactly the rows without errors."""
    batch = load(world, "students", BAD, valid_only=True)
    assert batch.valid_only and batch.result["written"] == [2, 3] and batch.result["error"] == 4
    assert sorted(_new(world).values_list("last_name", flat=True)) == ["Ёлкина", "Жуков"]
    assert Enrolment.objects.filter(student__in=_new(world)).count() == 2


def test_second_import_of_the_same_file_creates_no_duplicates(world):
    """ORG-3: the same file loaded again matches the students (names + birth date) and skips them."""
    load(world, "students", [HEADER, *GOOD])
    again = check(world, "students", [HEADER, *GOOD])
    assert actions(again) == {2: "skip", 3: "skip"}
    assert "уже учится в 5А" in again.rows[0]["note"]
    services.batch_confirm(batch=again, decided_by=world.admin)
    assert _new(world).count() == 2
    assert Enrolment.objects.filter(student__in=_new(world)).count() == 2


def test_existing_student_without_a_class_is_enrolled_not_duplicated(world):
    """ORG-3: a student of the school (same names and birth date) with no class this year is
    enrolled, not created again; one already in another class is an error (a transfer belongs to
    the movement book)."""
    lone = Student.objects.create(school=world.school, last_name="Ёлкина", first_name="Дарья", middle_name="Игоревна",
                                  birth_date=dt.date(2015, 2, 1))  # fmt: skip
    anna = world.anna
    rows = [HEADER, GOOD[0], [anna.last_name, anna.first_name, "", anna.birth_date, "5Б", "", ""]]
    batch = check(world, "students", rows)
    assert actions(batch) == {2: "update", 3: "error"}
    assert error_texts(batch) == [
        "Строка 3, «Класс»: «5Б» — учащийся уже в 5А; перевод между классами — в книге движения учащихся"
    ]
    services.batch_confirm(batch=batch, decided_by=world.admin, valid_only=True)
    assert Student.objects.filter(last_name="Ёлкина").count() == 1
    assert Enrolment.objects.get(student=lone).school_class == world.class_5a


def test_a_batch_is_confirmed_once(world):
    """ORG-3: a confirmed batch cannot be confirmed a second time (nothing is written twice)."""
    batch = check(world, "students", [HEADER, *GOOD])
    services.batch_confirm(batch=batch, decided_by=world.admin)
    with pytest.raises(ValidationError) as exc:
        services.batch_confirm(batch=batch, decided_by=world.admin)
    assert "уже выполнена" in exc.value.messages[0]
    assert _new(world).count() == 2


def test_changes_since_the_preview_are_shown_before_writing(world):
    """ORG-3: if the school changed between the preview and the confirmation (the same list
    loaded meanwhile), nothing is written and the preview is remade."""
    first = check(world, "students", [HEADER, *GOOD])
    second = check(world, "students", [HEADER, *GOOD])
    services.batch_confirm(batch=first, decided_by=world.admin)
    with pytest.raises(ValidationError) as exc:
        services.batch_confirm(batch=second, decided_by=world.admin)
    assert "Данные школы изменились" in exc.value.messages[0]
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.PREVIEW and actions(second) == {2: "skip", 3: "skip"}
    assert _new(world).count() == 2


def test_no_active_year_refuses(world):
    """ORG-2, ORG-3: students go into the current (active) year; without one the file is refused."""
    AcademicYear.objects.filter(pk=world.year.pk).update(status=AcademicYear.Status.CLOSED)
    with pytest.raises(ValidationError) as exc:
        check(world, "students", [HEADER, *GOOD])
    assert "нет текущего учебного года" in exc.value.messages[0]
    assert not ImportBatch.objects.exists()


def test_enrolment_date_outside_the_year_and_future_birth(world):
    """ORG-9: an enrolment date outside the current year and a birth date in the future are errors."""
    rows = [
        HEADER,
        ["Зуев", "Илья", "", "01.01.2030", "5А", "", ""],
        ["Зуев", "Олег", "", "01.01.2015", "5А", "01.08.2026", ""],
    ]
    batch = check(world, "students", rows)
    assert error_texts(batch) == [
        "Строка 2, «Дата рождения»: «01.01.2030» — дата в будущем",
        "Строка 3, «Дата зачисления»: «01.08.2026» — вне 2026/2027 учебного года (01.09.2026–31.05.2027)",
    ]
