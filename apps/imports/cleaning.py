"""Parsing one cell: names, dates, class labels, phones, e-mails, relations. Each parser returns
the value or raises `CellError` with the reason in Russian (the caller adds row and column)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from apps.people.models import GuardianLink


class CellError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = str(reason)


def fold(text: str) -> str:
    """For comparing names: case and «ё» do not matter, nor extra spaces."""
    return " ".join(str(text or "").casefold().replace("ё", "е").split())


NAME_RE = re.compile(r"^[^\W\d_]+(?:[-' ’][^\W\d_]+)*$")


def name(text: str, *, max_length: int = 100) -> str:
    value = " ".join(text.split())
    if len(value) > max_length:
        raise CellError(_("длиннее %(n)s знаков") % {"n": max_length})
    if any(ch.isdigit() for ch in value):
        raise CellError(_("в имени не может быть цифр"))
    if not NAME_RE.match(value):
        raise CellError(_("допустимы буквы, дефис, пробел и апостроф"))
    return value


DATE_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})$")
ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def date(text: str) -> dt.date:
    """ДД.ММ.ГГГГ (also with «/» or «-»), or ГГГГ-ММ-ДД."""
    value = text.strip()
    if m := ISO_RE.match(value):
        year, month, day = (int(g) for g in m.groups())
    elif m := DATE_RE.match(value):
        day, month, year = (int(g) for g in m.groups())
        if len(m.group(3)) != 4:
            raise CellError(_("год нужен полностью, четырьмя цифрами: ДД.ММ.ГГГГ"))
    else:
        raise CellError(_("не похоже на дату: нужен вид ДД.ММ.ГГГГ"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("такой даты нет")) from None


# Latin letters that look like Cyrillic ones, typed by mistake in class letters.
LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
LETTER_RE = re.compile(r"^[А-ЯЁ][А-ЯЁ0-9]{0,2}$")
CLASS_RE = re.compile(r"^(\d{1,2})\s*[-–—\s]?\s*[«\"'“]?\s*([^\s«»\"'“”]{1,3})\s*[»\"'”]?$")


def letter(text: str) -> str:
    value = text.strip().strip("«»\"'").strip().upper().translate(LOOKALIKES)
    if not LETTER_RE.match(value):
        raise CellError(_("литера — от одной до трёх букв, например «А»"))
    return value


def grade(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= 11:
        raise CellError(_("параллель — число от 1 до 11"))
    return int(value)


def class_label(text: str) -> tuple[int, str]:
    """«5А», «5 А», «5-а», «5 «А»» → (5, "А")."""
    m = CLASS_RE.match(text.strip())
    if not m:
        raise CellError(_("не похоже на класс: нужно, например, «5А»"))
    try:
        return grade(m.group(1)), letter(m.group(2))
    except CellError:
        raise CellError(_("не похоже на класс: нужно, например, «5А»")) from None


def phone(text: str) -> str:
    """A Russian number as +7XXXXXXXXXX (8 or 7 in front, or ten digits); others as +digits."""
    digits = re.sub(r"\D", "", text)
    if re.search(r"[^\d\s()+\-.]", text) or not 10 <= len(digits) <= 15:
        raise CellError(_("не похоже на номер телефона: нужно, например, +7 900 123-45-67"))
    if len(digits) == 10:
        digits = "7" + digits
    elif len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    return "+" + digits


def email(text: str) -> str:
    value = text.strip().lower()
    if len(value) > 254:
        raise CellError(_("слишком длинный адрес"))
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(_("не похоже на адрес электронной почты")) from None
    return value


R = GuardianLink.Relation
RELATIONS = {
    "мать": R.MOTHER,
    "мама": R.MOTHER,
    "отец": R.FATHER,
    "папа": R.FATHER,
    "опекун": R.GUARDIAN,
    "попечитель": R.GUARDIAN,
    "опекун попечитель": R.GUARDIAN,
    "законный представитель": R.OTHER,
    "представитель": R.OTHER,
    "приемный родитель": R.OTHER,
    "приемная мать": R.OTHER,
    "приемный отец": R.OTHER,
}


def relation(text: str) -> str:
    key = " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())
    if not key:
        return R.OTHER
    if key not in RELATIONS:
        raise CellError(_("допустимо: мать, отец, опекун, попечитель, законный представитель, приёмный родитель"))
    return RELATIONS[key]


INITIAL_RE = re.compile(r"^([^\W\d_])\.?$")


def person_name(text: str) -> tuple[str, str, str]:
    """«Кравец Карина Олеговна» → its three parts; «Кравец К. О.» / «Кравец К.О.» → initials
    («К», «О») for the first and middle name. At least a last and a first name."""
    value = " ".join(text.replace(".", ". ").split())
    parts = value.split(" ")
    if len(parts) < 2:
        raise CellError(_("нужны фамилия и имя"))
    last, first, middle = parts[0], parts[1], " ".join(parts[2:])
    for part in (last, first, middle):
        if part and any(ch.isdigit() for ch in part):
            raise CellError(_("в имени не может быть цифр"))
    return last, first.rstrip("."), middle.rstrip(".")


def name_matches(person, last: str, first: str, middle: str) -> bool:
    """Does a Staff/Student match a written name (full parts or initials)?"""
    if fold(person.last_name) != fold(last):
        return False
    for have, written in ((person.first_name, first), (person.middle_name, middle)):
        if not written:
            continue
        if INITIAL_RE.match(written) and len(written.rstrip(".")) == 1:
            if not have or fold(have)[0] != fold(written)[0]:
                return False
        elif fold(have) != fold(written):
            return False
    return True
