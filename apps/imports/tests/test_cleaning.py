"""The rules for one cell of a roster (ORG-3, ORG-6): how class labels, dates, phones, relations
and names are read, and the reason given when they cannot be."""

import datetime as dt
from types import SimpleNamespace

import pytest

from apps.imports import cleaning
from apps.imports.cleaning import CellError


@pytest.mark.parametrize("text", ["5А", "5 А", "5-а", "5 «А»", '5"А"', "5A"])
def test_class_labels_as_schools_write_them(text):
    """ORG-3: «5А» written with a space, a dash, quotes, lower case or a Latin A is class 5А."""
    assert cleaning.class_label(text) == (5, "А")


@pytest.mark.parametrize(("text", "reason"), [("12А", "не похоже на класс"), ("А5", "не похоже на класс")])
def test_bad_class_labels(text, reason):
    """ORG-3: a grade beyond 11 or a label the other way round is refused."""
    with pytest.raises(CellError, match=reason):
        cleaning.class_label(text)


@pytest.mark.parametrize(
    ("text", "result"),
    [("01.02.2015", dt.date(2015, 2, 1)), ("1/2/2015", dt.date(2015, 2, 1)), ("2015-02-01", dt.date(2015, 2, 1))],
)
def test_dates(text, result):
    """ORG-3: ДД.ММ.ГГГГ (also with «/» or «-») and ГГГГ-ММ-ДД are dates."""
    assert cleaning.date(text) == result


@pytest.mark.parametrize(
    ("text", "reason"),
    [("31.02.2015", "такой даты нет"), ("01.02.15", "четырьмя цифрами"), ("весной", "не похоже на дату")],
)
def test_bad_dates(text, reason):
    """ORG-3: an impossible date, a two-digit year and words are refused, each with its reason."""
    with pytest.raises(CellError, match=reason):
        cleaning.date(text)


@pytest.mark.parametrize(
    ("text", "result"),
    [("8 (900) 123-45-67", "+79001234567"), ("+7 900 123 45 67", "+79001234567"), ("9001234567", "+79001234567")],
)
def test_phones_are_normalized(text, result):
    """ACC-3: Russian numbers written any usual way become +7XXXXXXXXXX."""
    assert cleaning.phone(text) == result


def test_relations_and_names():
    """ACC-7: «мама», «Отец», «попечитель» map to the link's kinds, an empty cell to «законный
    представитель»; a name with digits is refused."""
    assert cleaning.relation("мама") == "mother"
    assert cleaning.relation("Отец") == "father"
    assert cleaning.relation("попечитель") == "guardian"
    assert cleaning.relation("") == "other"
    with pytest.raises(CellError, match="цифр"):
        cleaning.name("Иванов2")
    assert cleaning.name("  Салтыков-Щедрин ") == "Салтыков-Щедрин"


def test_a_person_by_full_name_or_initials():
    """ORG-3: a class teacher is found by «Фамилия Имя Отчество» or «Фамилия И. О.», case and «ё»
    aside."""
    carol = SimpleNamespace(last_name="Кравец", first_name="Карина", middle_name="Олеговна")
    assert cleaning.name_matches(carol, *cleaning.person_name("кравец К.О."))
    assert cleaning.name_matches(carol, *cleaning.person_name("Кравец Карина"))
    assert not cleaning.name_matches(carol, *cleaning.person_name("Кравец К. П."))
    with pytest.raises(CellError, match="нужны фамилия и имя"):
        cleaning.person_name("Кравец")
