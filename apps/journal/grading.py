"""Grading systems (JRN-4): the values a current mark may take in each system.

The 5-point system is the default. Which system a school uses for a subject and grade, and how
results convert between systems, is configured per school (apps.grading)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _


class GradingSystem:
    FIVE = "five"
    PASS_FAIL = "pass_fail"
    TEN = "ten"
    HUNDRED = "hundred"

    # code → (label, allowed current-mark values, numeric value of each; None: not averaged)
    SYSTEMS = {
        FIVE: (_("пятибалльная"), {"5": 5, "4": 4, "3": 3, "2": 2}),
        PASS_FAIL: (_("зачётная (зачёт/незачёт)"), {"зач": None, "незач": None}),
        TEN: (_("десятибалльная"), {str(n): n for n in range(10, 0, -1)}),
        HUNDRED: (_("стобалльная"), {str(n): n for n in range(100, -1, -1)}),
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

    @classmethod
    def label(cls, system: str) -> str:
        return str(cls.SYSTEMS[system][0])

    @classmethod
    def allowed_text(cls, system: str) -> str:
        """How the allowed values read in a message: «5, 4, 3, 2», «от 0 до 100»."""
        values = list(cls.SYSTEMS[system][1])
        if len(values) > 12:
            return _("от %(low)s до %(high)s") % {"low": values[-1], "high": values[0]}
        if not cls.averaged(system):
            return ", ".join(f"«{v}»" for v in values)
        return ", ".join(values)

    @classmethod
    def averaged(cls, system: str) -> bool:
        """Do the marks of this system make an average? Not «зач»/«незач» (counted instead)."""
        return any(n is not None for n in cls.SYSTEMS[system][1].values())


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

    # A pass/fail subject's period result is «зач»/«незач» (JRN-7), never a 5-point mark. The
    # 10- and 100-point systems give period marks of the 5-point scale (apps.grading converts
    # the average by the school's scale); a 5-point journal also takes «зач» (a subject taught
    # without marks, kept in a 5-point journal).
    PASS_FAIL_ONLY = ("зач", "незач", "н/а", "осв")

    @classmethod
    def allowed_for(cls, system: str) -> dict:
        if system == GradingSystem.PASS_FAIL:
            return {v: cls.VALUES[v] for v in cls.PASS_FAIL_ONLY}
        return dict(cls.VALUES)


def pass_fail_summary(values) -> str:
    """«зач: 2, незач: 1» — how a pass/fail subject's marks read instead of an average (JRN-4);
    "" when there are none. Values of other systems are ignored."""
    values = list(values)
    passed, failed = values.count("зач"), values.count("незач")
    if not (passed or failed):
        return ""
    return _("зач: %(passed)d, незач: %(failed)d") % {"passed": passed, "failed": failed}


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
