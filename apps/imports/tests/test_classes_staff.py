"""Importing classes with their class teachers (ORG-3) and the staff list (ORG-6)."""

import datetime as dt

from apps.imports.models import StaffEmail
from apps.people.models import Staff
from apps.schools.models import Group, SchoolClass

from .helpers import actions, check, csv_bytes, error_texts, load

CLASS_HEADER = ["Параллель", "Литера", "Классный руководитель"]
STAFF_HEADER = ["Фамилия", "Имя", "Отчество", "Должность", "Дата приёма", "E-mail"]


def test_classes_xlsx_into_the_current_year(world):
    """ORG-3: new classes go into the active year with their class teacher (a staff member by full
    name or initials) and get their whole-class group; an existing class gets the new class
    teacher; one already as in the file is skipped."""
    rows = [CLASS_HEADER, [6, "а", "Кравец К. О."], ["7", "Б", ""], ["5", "Б", "Алексеева Алла Ивановна"], [5, "А", ""]]
    batch = load(world, "classes", rows)
    assert actions(batch) == {2: "create", 3: "create", 4: "update", 5: "skip"}
    six_a = SchoolClass.objects.get(year=world.year, grade=6, letter="А")
    assert six_a.class_teacher == world.carol_staff
    assert Group.objects.filter(school_class=six_a, kind=Group.Kind.CLASS).exists()
    assert SchoolClass.objects.get(pk=world.class_5b.pk).class_teacher == world.alice_staff
    assert SchoolClass.objects.get(pk=world.class_5a.pk).class_teacher == world.carol_staff  # kept


def test_classes_cp1251_csv_and_their_errors(world):
    """ORG-3: a Windows-1251 CSV; a grade out of 1–11, a class twice in the file and a class teacher
    not on the staff are reported with row numbers."""
    rows = [
        ["литера", "ПАРАЛЛЕЛЬ", "классный руководитель (ФИО)"],
        ["В", "8", "Борисов Борис Петрович"],
        ["А", "12", ""],
        ["В", "8", ""],
        ["Г", "8", "Петров Пётр Петрович"],
    ]
    batch = check(world, "classes", content=csv_bytes(rows), name="classes.csv")
    assert error_texts(batch) == [
        "Строка 3, «Параллель»: «12» — параллель — число от 1 до 11",
        "Строка 4: класс 8В уже есть в строке 2",
        "Строка 5, «Классный руководитель»: «Петров Пётр Петрович» — такого сотрудника нет в школе — сначала "
        "загрузите список сотрудников",
    ]
    assert "классный руководитель Борисов Б. П." in batch.rows[0]["note"]


def test_staff_xlsx_and_second_import(world):
    """ORG-6: staff are created with position, date of hiring and e-mail (no account: ACC-3); the
    same list again changes nothing; a changed position updates the matched person."""
    rows = [
        STAFF_HEADER,
        ["Ёжикова", "Вера", "Павловна", "учитель физики", dt.date(2026, 8, 25), "EZH@example.ru"],
        ["Кравец", "Карина", "Олеговна", "учитель английского языка", "01.09.2019", ""],
    ]
    batch = load(world, "staff", rows)
    assert actions(batch) == {2: "create", 3: "update"}
    vera = Staff.objects.get(school=world.school, last_name="Ёжикова")
    assert (vera.position, vera.hired_on, vera.user) == ("учитель физики", dt.date(2026, 8, 25), None)
    assert StaffEmail.objects.get(staff=vera).email == "ezh@example.ru"
    assert Staff.objects.get(pk=world.carol_staff.pk).position == "учитель английского языка"
    count = Staff.objects.count()
    again = load(world, "staff", rows)
    assert actions(again) == {2: "skip", 3: "skip"}
    assert Staff.objects.count() == count


def test_staff_cp1251_csv_and_errors(world):
    """ORG-6: a Windows-1251 CSV with «,»; a missing position, a bad e-mail, a person twice and one
    who left are reported."""
    world.bob_staff.left_on = dt.date(2026, 10, 1)
    world.bob_staff.save(update_fields=["left_on"])
    rows = [
        STAFF_HEADER,
        ["Ёжикова", "Вера", "Павловна", "учитель", "25.08.2026", ""],
        ["Яхонтов", "Ян", "", "", "25.08.2026", ""],
        ["Юдина", "Юлия", "", "учитель", "25.08.2026", "yudina@"],
        ["Ёжикова", "Вера", "Павловна", "учитель", "25.08.2026", ""],
        ["Борисов", "Борис", "Петрович", "учитель", "01.09.2010", ""],
    ]
    batch = check(world, "staff", content=csv_bytes(rows, delimiter=","), name="staff.csv")
    assert actions(batch)[2] == "create"
    assert error_texts(batch) == [
        "Строка 3, «Должность»: не заполнено",
        "Строка 4, «E-mail»: «yudina@» — не похоже на адрес электронной почты",
        "Строка 5: этот сотрудник уже есть в строке 2 (то же ФИО)",
        "Строка 6: сотрудник с таким ФИО уволен 01.10.2026 — вернуть его можно в списке сотрудников",
    ]
