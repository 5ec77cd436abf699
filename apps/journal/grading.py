"""Grading systems. The 5-point system is the default; issue #3 adds more (JRN-4)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _


class GradingSystem:
    FIVE = "five"

    # code → (label, allowed current-mark values, numeric value of each)
    SYSTEMS = {
        FIVE: (_("пятибалльная"), {"5": 5, "4": 4, "3": 3, "2": 2}),
    }

    @classmethod
    def choices(cls):
        return [(code, label) for code, (label, _values) in cls.SYSTEMS.items()]

    @classmethod
    def allowed(cls, system: str) -> dict[str, int]:
        return cls.SYSTEMS[system][1]

    @classmethod
    def numeric(cls, system: str, value: str) -> int | None:
        return cls.SYSTEMS[system][1].get(value)


class PeriodValue:
    """Allowed values of a period mark (JRN-7)."""

    VALUES = {
        "5": _("5"),
        "4": _("4"),
        "3": _("3"),
        "2": _("2"),
        "н/а": _("н/а — не аттестован"),
        "осв": _("осв — освобождён"),
        "зач": _("зачтено"),
        "незач": _("не зачтено"),
    }

    @classmethod
    def choices(cls):
        return list(cls.VALUES.items())


def weighted_average(pairs) -> Decimal | None:
    """Average of (numeric value, weight) pairs, rounded to hundredths; None if no marks."""
    total = Decimal(0)
    weights = Decimal(0)
    for value, weight in pairs:
        if value is None:
            continue
        total += Decimal(value) * Decimal(weight)
        weights += Decimal(weight)
    if not weights:
        return None
    return (total / weights).quantize(Decimal("0.01"))
