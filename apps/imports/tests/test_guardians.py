"""Importing guardians with contacts (ACC-3…ACC-7: who the family is; no accounts and no consents
are made by an import — those are given in person)."""

import datetime as dt

from apps.imports.models import ImportBatch
from apps.people.models import Guardian, GuardianLink
from apps.registration.models import AccessCode, Consent

from .helpers import actions, check, csv_bytes, error_texts, load

HEADER = ["Фамилия", "Имя", "Отчество", "Телефон", "E-mail", "Кем приходится", "Учащийся", "Дата рождения учащегося",
          "Класс учащегося"]  # fmt: skip


def _rows(world):
    anna = world.anna
    return [
        HEADER,
        ["Быков", "Пётр", "", "8 (900) 111-22-33", "", "отец", "Быков Борис", "", "5А"],
        [
            "Аксёнов",
            "Андрей",
            "Юрьевич",
            "+7 900 222-33-44",
            "AKS@example.ru",
            "Отец",
            "Аксёнова Анна",
            anna.birth_date,
            "",
        ],
        ["Аксёнов", "Андрей", "Юрьевич", "", "aks@example.ru", "папа", "Быков Борис", "", "5А"],
        ["Аксёнова", "Полина", "", "+7 900 000-00-01", "", "мать", "Аксёнова Анна", "", "5А"],
    ]


def test_guardians_xlsx_links_children_and_matches_people(world):
    """ACC-3…ACC-7: a new guardian is created with phone (normalized) and e-mail and linked to the
    child found by name + class or birth date; the same person in two rows (same name and e-mail)
    is one guardian with two children; a parent already linked gets the new phone; no user
    account, invitation code or consent is created."""
    codes, consents = AccessCode.objects.count(), Consent.objects.count()
    batch = load(world, "guardians", _rows(world))
    assert actions(batch) == {2: "create", 3: "create", 4: "create", 5: "update"}
    assert "тот же человек, что в строке 3" in batch.rows[2]["note"]
    father = Guardian.objects.get(school=world.school, last_name="Быков", first_name="Пётр")
    assert (father.phone, father.user) == ("+79001112233", None)
    assert GuardianLink.objects.get(guardian=father).relation == GuardianLink.Relation.FATHER
    andrey = Guardian.objects.get(school=world.school, last_name="Аксёнов")
    assert set(andrey.children.all()) == {world.anna, world.boris}
    assert (andrey.email, andrey.phone) == ("aks@example.ru", "+79002223344")
    assert Guardian.objects.get(user=world.pat).phone == "+79000000001"
    assert (AccessCode.objects.count(), Consent.objects.count()) == (codes, consents)

    again = check(world, "guardians", _rows(world))
    assert set(actions(again).values()) == {"skip"}
    assert Guardian.objects.filter(school=world.school, last_name="Аксёнов").count() == 1


def test_guardians_cp1251_csv_and_child_errors(world):
    """ACC-7: a Windows-1251 CSV; a child not found, a child that cannot be told apart, a row with
    neither birth date nor class of the child, an unknown relation and a bad phone are reported."""
    twin = world.students_5a[2]
    twin.last_name = "Иванов"
    twin.save(update_fields=["last_name"])
    rows = [
        HEADER,
        ["Быков", "Пётр", "", "+7 900 111-22-33", "", "отец", "Быков Борис", "", "5А"],
        ["Петров", "Пётр", "", "", "", "мать", "Петров Пётр", "01.01.2015", ""],
        ["Иванова", "Ирина", "", "", "", "мать", f"{twin.last_name} {twin.first_name}", "", ""],
        ["Иванова", "Ирина", "", "", "", "соседка", "Быков Борис", "", "5А"],
        ["Иванова", "Ирина", "", "12-34", "", "мать", "Быков Борис", "", "5А"],
    ]
    batch = check(world, "guardians", content=csv_bytes(rows), name="parents.csv")
    assert batch.status == ImportBatch.Status.PREVIEW and actions(batch)[2] == "create"
    assert error_texts(batch) == [
        "Строка 3, «Учащийся»: «Петров Пётр» — такого учащегося нет в школе (сверьте ФИО, дату рождения и класс; "
        "учащихся загружают первыми)",
        f"Строка 4, «Учащийся»: «{twin.last_name} {twin.first_name}» — укажите дату рождения или класс учащегося, "
        "чтобы его найти",
        "Строка 5, «Кем приходится»: «соседка» — допустимо: мать, отец, опекун, попечитель, законный представитель, "
        "приёмный родитель",
        "Строка 6, «Телефон»: «12-34» — не похоже на номер телефона: нужно, например, +7 900 123-45-67",
    ]


def test_two_children_with_one_name_need_a_birth_date(world):
    """ACC-7: when two students of the class share a name, the class alone does not find the
    child; the birth date does."""
    a, b = world.students_5a[2], world.students_5a[3]
    a.last_name = b.last_name = "Иванов"
    a.save(update_fields=["last_name"])
    b.birth_date = dt.date(2015, 7, 7)
    b.save(update_fields=["last_name", "birth_date"])
    rows = [
        HEADER,
        ["Лисина", "Лиза", "", "", "", "мать", f"{a.last_name} {a.first_name}", "", "5А"],
        ["Лисина", "Лиза", "", "", "", "мать", f"{a.last_name} {a.first_name}", "07.07.2015", "5А"],
    ]
    batch = check(world, "guardians", rows)
    assert error_texts(batch) == [
        f"Строка 2, «Учащийся»: «{a.last_name} {a.first_name}» — подходят несколько учащихся — укажите дату рождения"
    ]
    assert actions(batch)[3] == "create"
