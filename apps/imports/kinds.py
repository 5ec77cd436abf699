"""What a roster file of each kind holds: its columns, the header names accepted for them, and
the example rows of the downloadable template.

Headers are matched after `norm_header()`: case, «ё», punctuation, a trailing «*» and any
remark in parentheses do not matter, and the column order is free.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CLASSES = "classes", _("Классы")
    STUDENTS = "students", _("Учащиеся")
    GUARDIANS = "guardians", _("Родители (законные представители)")
    STAFF = "staff", _("Сотрудники")


def norm_header(text) -> str:
    """«Дата рождения* (ДД.ММ.ГГГГ)» → «дата рождения»; «E-mail» → «e mail»."""
    s = str(text or "").lower().replace("ё", "е")
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(s.split())


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header of the template, and the column's name in every message
    aliases: tuple[str, ...] = ()  # other headers accepted (normalized the same way)
    required: bool = False  # the column must be present and every row must fill it
    hint: str = ""  # for the template's «Пояснения» sheet
    date: bool = False  # formatted as a date in the template

    def accepts(self, header: str) -> bool:
        return header in {norm_header(self.label), *(norm_header(a) for a in self.aliases)}


NAME_HINT = _("Буквы, дефис, пробел, апостроф.")
DATE_HINT = _("ДД.ММ.ГГГГ, например 01.09.2015 (или ячейка с датой).")
CLASS_HINT = _("Параллель и литера вместе: 5А, 10Б. Класс должен быть в текущем учебном году.")
EMAIL_ALIASES = ("email", "e-mail", "e mail", "электронная почта", "эл почта", "почта")


def _names(last_required=True):
    return (
        Column("last_name", _("Фамилия"), required=last_required, hint=NAME_HINT),
        Column("first_name", _("Имя"), required=True, hint=NAME_HINT),
        Column("middle_name", _("Отчество"), hint=_("Если есть.")),
    )


COLUMNS: dict[str, tuple[Column, ...]] = {
    Kind.CLASSES: (
        Column(
            "grade",
            _("Параллель"),
            ("номер класса", "год обучения", "класс параллель"),
            required=True,
            hint=_("Число от 1 до 11."),
        ),
        Column("letter", _("Литера"), ("буква", "литера класса", "буква класса"), required=True, hint=_("А, Б, В…")),
        Column(
            "class_teacher",
            _("Классный руководитель"),
            ("классный руководитель фио", "фио классного руководителя", "кл руководитель"),
            hint=_("ФИО сотрудника школы: «Кравец Карина Олеговна» или «Кравец К. О.». Сначала загрузите сотрудников."),
        ),
    ),
    Kind.STUDENTS: (
        *_names(),
        Column("birth_date", _("Дата рождения"), ("д р",), required=True, hint=DATE_HINT, date=True),
        Column("school_class", _("Класс"), ("класс учащегося",), required=True, hint=CLASS_HINT),
        Column(
            "enrolled_on",
            _("Дата зачисления"),
            ("зачислен", "дата зачисления в класс"),
            hint=_("Если пусто — с начала учебного года."),
            date=True,
        ),
        Column("order_number", _("Номер приказа"), ("приказ", "приказ о зачислении", "номер приказа о зачислении")),
    ),
    Kind.GUARDIANS: (
        *_names(),
        Column("phone", _("Телефон"), ("мобильный телефон", "тел", "номер телефона"), hint=_("+7 900 123-45-67")),
        Column("email", _("E-mail"), EMAIL_ALIASES),
        Column(
            "relation",
            _("Кем приходится"),
            ("степень родства", "родство", "кем приходится учащемуся"),
            hint=_("мать, отец, опекун, попечитель, законный представитель. Если пусто — законный представитель."),
        ),
        Column(
            "child",
            _("Учащийся"),
            ("учащийся фио", "фио учащегося", "ребенок", "фио ребенка", "ученик", "фио ученика"),
            required=True,
            hint=_("ФИО ребёнка, как в списке учащихся. Сначала загрузите учащихся."),
        ),
        Column(
            "child_birth_date",
            _("Дата рождения учащегося"),
            ("дата рождения ребенка", "дата рождения ученика"),
            hint=_("Дата рождения или класс ребёнка — хотя бы одно из двух."),
            date=True,
        ),
        Column("child_class", _("Класс учащегося"), ("класс", "класс ребенка", "класс ученика"), hint=CLASS_HINT),
    ),
    Kind.STAFF: (
        *_names(),
        Column("position", _("Должность"), required=True, hint=_("учитель, заместитель директора…")),
        Column(
            "hired_on", _("Дата приёма"), ("дата приема на работу", "принят"), required=True, hint=DATE_HINT, date=True
        ),  # fmt: skip
        Column("email", _("E-mail"), EMAIL_ALIASES),
    ),
}

# Example rows of the templates (the demo school's names; dates as dates).
EXAMPLES: dict[str, list[tuple]] = {
    Kind.CLASSES: [(5, "А", "Кравец Карина Олеговна"), (5, "Б", ""), (10, "А", "Борисов Б. П.")],
    Kind.STUDENTS: [
        ("Иванов", "Пётр", "Сергеевич", dt.date(2015, 4, 12), "5А", dt.date(2026, 9, 1), "123-у"),
        ("Смирнова", "Ольга", "", dt.date(2015, 11, 3), "5А", None, ""),
    ],
    Kind.GUARDIANS: [
        (
            "Иванова",
            "Мария",
            "Петровна",
            "+7 900 123-45-67",
            "ivanova@example.ru",
            "мать",
            "Иванов Пётр Сергеевич",
            dt.date(2015, 4, 12),
            "5А",
        ),
        ("Смирнов", "Андрей", "", "+7 901 765-43-21", "", "отец", "Смирнова Ольга", None, "5А"),
    ],  # fmt: skip
    Kind.STAFF: [
        ("Кравец", "Карина", "Олеговна", "учитель", dt.date(2019, 8, 26), "kravets@example.ru"),
        ("Борисов", "Борис", "Петрович", "заместитель директора", dt.date(2012, 9, 1), ""),
    ],
}


def columns(kind: str) -> tuple[Column, ...]:
    return COLUMNS[kind]


def column(kind: str, key: str) -> Column:
    return next(c for c in COLUMNS[kind] if c.key == key)


def label(kind: str) -> str:
    return Kind(kind).label
