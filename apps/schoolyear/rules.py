"""The rules of a year's attestation periods (ORG-2), without the database: checking a scheme and
proposing dates. services.py and selectors.py call them with rows they have read."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.schools.models import Period

ALL_GRADES = range(1, 12)
# How many periods of each kind a year has.
COUNTS = {
    Period.Kind.QUARTER: 4,
    Period.Kind.TRIMESTER: 3,
    Period.Kind.HALF: 2,
    Period.Kind.MODULE: 5,
}
# A gap at least this long between study days is a break (каникулы) a period may end at.
BREAK_DAYS = 5
# A break is taken as a period's boundary when it lies this close (share of the study days) to
# where an even split would put it.
SNAP = 0.1


def period_name(kind: str, order: int) -> str:
    names = {
        Period.Kind.QUARTER: _("%(n)d четверть"),
        Period.Kind.TRIMESTER: _("%(n)d триместр"),
        Period.Kind.HALF: _("%(n)d полугодие"),
        Period.Kind.MODULE: _("%(n)d модуль"),
    }
    return names[kind] % {"n": order}


def grades_label(grade_from: int, grade_to: int) -> str:
    if grade_from == grade_to:
        return _("%(g)d кл.") % {"g": grade_from}
    return _("%(a)d–%(b)d кл.") % {"a": grade_from, "b": grade_to}


def d(day: dt.date) -> str:
    return date_format(day, "d.m.Y")


@dataclass
class PeriodRow:
    """A period as checked: saved or not yet."""

    name: str
    kind: str
    grade_from: int
    grade_to: int
    order: int
    starts: dt.date | None
    ends: dt.date | None

    @classmethod
    def of(cls, p) -> "PeriodRow":
        return cls(p.name, p.kind, p.grade_from, p.grade_to, p.order, p.starts, p.ends)


def period_errors(periods: Iterable, *, year_starts: dt.date, year_ends: dt.date) -> list[str]:
    """What is wrong with a year's scheme of periods, in Russian; [] when it is right:
    every period inside the year with its start not after its end; within one grade range the
    periods follow their order without overlapping; every grade 1–11 in exactly one range."""
    rows = [p if isinstance(p, PeriodRow) else PeriodRow.of(p) for p in periods]
    errors: list[str] = []
    if not rows:
        return [_("Учебные периоды не заданы: задайте схему для параллелей 1–11.")]
    ranges: dict[tuple[int, int], list[PeriodRow]] = defaultdict(list)
    for p in rows:
        ranges[(p.grade_from, p.grade_to)].append(p)
        label = f"«{p.name}» ({grades_label(p.grade_from, p.grade_to)})"
        if not p.name.strip():
            errors.append(_("У периода %(order)d (%(grades)s) нет названия.") % {
                "order": p.order, "grades": grades_label(p.grade_from, p.grade_to)
            })  # fmt: skip
        if p.starts is None or p.ends is None:
            errors.append(_("У периода %(p)s не указаны даты.") % {"p": label})
            continue
        if p.starts > p.ends:
            errors.append(_("Период %(p)s начинается позже, чем заканчивается.") % {"p": label})
        if p.starts < year_starts or p.ends > year_ends:
            errors.append(
                _("Период %(p)s выходит за даты учебного года (%(s)s — %(e)s).")
                % {"p": label, "s": d(year_starts), "e": d(year_ends)}
            )
    for (g_from, g_to), items in sorted(ranges.items()):
        items = sorted(items, key=lambda p: p.order)
        for prev, cur in zip(items, items[1:], strict=False):
            if None in (prev.ends, cur.starts):
                continue
            if cur.starts <= prev.ends:
                errors.append(
                    _("%(grades)s: период «%(cur)s» должен начинаться после окончания «%(prev)s» (%(e)s).")
                    % {"grades": grades_label(g_from, g_to), "cur": cur.name, "prev": prev.name, "e": d(prev.ends)}
                )
    for grade in ALL_GRADES:
        covering = sorted(r for r in ranges if r[0] <= grade <= r[1])
        if not covering:
            errors.append(_("Для %(g)d-х классов не задано ни одного периода.") % {"g": grade})
        elif len(covering) > 1:
            errors.append(
                _("%(g)d-е классы входят сразу в несколько схем периодов — %(list)s; оставьте одну.")
                % {"g": grade, "list": ", ".join(grades_label(*r) for r in covering)}
            )
    return errors


def study_span_end(year_starts: dt.date, year_ends: dt.date) -> dt.date:
    """Lessons end with May at the latest: a year kept open to 31 August has its summer after it."""
    return min(year_ends, dt.date(year_starts.year + 1, 5, 31))


def propose(kind: str, study_days: list[dt.date]) -> list[tuple[str, dt.date, dt.date]]:
    """Dates for the periods of `kind` over these study days (sorted): even shares of study days,
    a boundary moved to a break (каникулы, BREAK_DAYS or longer) when one is near."""
    n = COUNTS[kind]
    total = len(study_days)
    if total < n:
        return []
    # Breaks: index i such that study_days[i] → study_days[i + 1] jumps over a long gap.
    breaks = [i for i in range(total - 1) if (study_days[i + 1] - study_days[i]).days > BREAK_DAYS]
    ends_at: list[int] = []  # index of each period's last study day, but the last period's
    for k in range(1, n):
        target = round(k * total / n) - 1
        near = [i for i in breaks if abs(i - target) <= SNAP * total and (not ends_at or i > ends_at[-1])]
        chosen = min(near, key=lambda i: abs(i - target)) if near else target
        if ends_at and chosen <= ends_at[-1]:
            chosen = ends_at[-1] + 1
        ends_at.append(min(chosen, total - (n - k) - 1))
    ends_at.append(total - 1)
    out, first = [], 0
    for order, last in enumerate(ends_at, start=1):
        out.append((period_name(kind, order), study_days[first], study_days[last]))
        first = last + 1
    return out
