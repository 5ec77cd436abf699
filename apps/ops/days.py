"""A day read from a request (?date=…, ?starts=…, a report form's field), checked once.

A day the journal could mean lies between EARLIEST and LATEST. One outside (0001-01-01,
9999-12-31) is nobody's school day, and the date arithmetic under a page (a day before, a week
after, a moment in the school's time zone) would overflow on it: such a value is refused with a
400 and a Russian message (`BadParameter`, shown by apps.ops.middleware.BadParameterMiddleware),
or, in a form, with a field error.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
SHOWN_CHARS = 40  # of a refused value, in the message


class BadParameter(BadRequest):
    """A value in the page's address the page cannot use; its message is for the user (400)."""


def in_range(day: dt.date) -> bool:
    return EARLIEST <= day <= LATEST


def bounds_text() -> str:
    return _("между %(earliest)s и %(latest)s") % {
        "earliest": date_format(EARLIEST, "d.m.Y"),
        "latest": date_format(LATEST, "d.m.Y"),
    }


def parse_day(value) -> dt.date | None:
    """ГГГГ-ММ-ДД (what a date field sends) or ДД.ММ.ГГГГ (what a person types), within the
    bounds; else None."""
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return day if in_range(day) else None
    return None


def day_param(request, name: str, default: dt.date | None = None) -> dt.date | None:
    """The day `?name=` of the query string, `default` when it is absent or empty; a value that
    is not a day within the bounds is a BadParameter."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    day = parse_day(raw)
    if day is None:
        raise BadParameter(
            _("Дата «%(value)s» в адресе страницы не подходит: нужна дата вида ГГГГ-ММ-ДД или ДД.ММ.ГГГГ %(bounds)s.")
            % {"value": raw[:SHOWN_CHARS], "bounds": bounds_text()}
        )
    return day


def check_in_range(day: dt.date | None) -> None:
    """A validator: a day the journal could mean."""
    if day is not None and not in_range(day):
        raise ValidationError(_("Укажите дату %(bounds)s.") % {"bounds": bounds_text()}, code="out_of_range")


class DayField(forms.DateField):
    """A form's date within the bounds (a report's «с», «по», «на дату»)."""

    default_validators = [check_in_range]
