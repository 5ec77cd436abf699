"""Writes of the grading settings (JRN-4) and the conversion of results between systems.

A journal's system changes only while the journal has no marks (`rule_apply`): a mark keeps the
system it was given in (Mark.grading_system), so averages stay true, but a journal mixing two
systems would read as nonsense to the teacher and the parents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.journal.grading import GradingSystem
from apps.journal.models import Journal

from . import selectors
from .models import ConversionBand, ConversionScale, SchoolSystem, SubjectGrading
from .selectors import DEFAULT_SCALES, RANGES, RulePreview


def _label(system: str) -> str:
    return GradingSystem.label(system)


def _check_system(system: str) -> None:
    if system not in GradingSystem.SYSTEMS:
        raise ValidationError(_("Неизвестная система оценивания."))


# ---------------------------------------------------------------------------------------------
# The school's systems


def systems_set(*, school, systems) -> list[str]:
    """The school uses these systems (the 5-point one always). A system still named by a subject
    rule or kept by a journal of an open year cannot be switched off."""
    wanted = set(systems) | {GradingSystem.FIVE}
    for code in wanted:
        _check_system(code)
    dropped = set(selectors.school_systems(school=school)) - wanted
    errors = []
    for code in sorted(dropped, key=list(GradingSystem.SYSTEMS).index):
        rules = SubjectGrading.objects.filter(school=school, system=code).count()
        if rules:
            errors.append(
                _("Систему «%(system)s» нельзя отключить: она задана для предметов (правил: %(n)d).")
                % {"system": _label(code), "n": rules}
            )
        journals = sum(1 for j in selectors.other_system_journals(school=school) if j.grading_system == code)
        if journals:
            errors.append(
                _("Систему «%(system)s» нельзя отключить: в ней ведутся журналы (%(n)d).")
                % {"system": _label(code), "n": journals}
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        SchoolSystem.objects.filter(school=school).exclude(system__in=wanted).delete()
        have = set(SchoolSystem.objects.filter(school=school).values_list("system", flat=True))
        SchoolSystem.objects.bulk_create(
            [SchoolSystem(school=school, system=code) for code in wanted - have - {GradingSystem.FIVE}]
        )
    return selectors.school_systems(school=school)


# ---------------------------------------------------------------------------------------------
# Subject rules


def rule_create(*, school, subject, grade_from: int, grade_to: int, system: str) -> SubjectGrading:
    """Subject in grades grade_from…grade_to is graded in `system`. Ranges of one subject do not overlap."""
    _check_system(system)
    if subject is None or subject.school_id != school.pk:
        raise ValidationError(_("Такого предмета нет в этой школе."))
    if not 1 <= grade_from <= grade_to <= 11:
        raise ValidationError(_("Классы указываются от 1 до 11, и «с класса» не больше, чем «по класс»."))
    if system not in selectors.school_systems(school=school):
        raise ValidationError(
            _("Система «%(system)s» не включена в школе: сначала отметьте её в списке систем.")
            % {"system": _label(system)}
        )
    clash = (
        SubjectGrading.objects.filter(
            school=school, subject=subject, grade_from__lte=grade_to, grade_to__gte=grade_from
        )
        .order_by("grade_from")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _(
                "Для предмета «%(subject)s» уже задано правило «%(grades)s: %(system)s»: "
                "диапазоны классов одного предмета не должны пересекаться."
            )
            % {"subject": subject, "grades": clash.grades_text, "system": clash.system_label}
        )
    rule = SubjectGrading(school=school, subject=subject, grade_from=grade_from, grade_to=grade_to, system=system)
    rule.full_clean()
    rule.save()
    return rule


def rule_delete(*, rule: SubjectGrading) -> None:
    """New journals of the subject will be 5-point again; existing journals keep their system."""
    rule.delete()


def rule_apply(*, rule: SubjectGrading, author) -> RulePreview:
    """Give the rule's system to the existing journals of its subject and grades (open years).
    Only journals with no marks change; the others are returned in `refused` with the reason.
    Each change is written to the change log of the journal (ARC-1)."""
    with transaction.atomic():
        preview = selectors.rule_journals(rule=rule)
        ids = [item.journal.pk for item in preview.change]
        # Lock the journals, then check again that no mark came meanwhile.
        list(Journal.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        preview = selectors.rule_journals(rule=rule)
        with audit.batch():
            for item in preview.change:
                journal = item.journal
                old = journal.grading_system
                Journal.objects.filter(pk=journal.pk).update(grading_system=rule.system, version=F("version") + 1)
                journal.grading_system = rule.system
                audit.record(
                    audit.Change(
                        school_id=journal.school_id,
                        author_id=author.pk if author else None,
                        action="update",
                        object_type="grading_system",
                        object_id=journal.pk,
                        old={"grading_system": old},
                        new={"grading_system": rule.system},
                        journal_id=journal.pk,
                    )
                )
    return preview


# ---------------------------------------------------------------------------------------------
# Conversion scales


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def scale_check(*, from_system: str, to_system: str, bands) -> list[tuple[int, int, str]]:
    """Validate the bands [(low, high, value), …] (blank lines skipped): whole numbers within the
    source system, values of the target system, the source's whole range covered once. Returns the
    bands, highest first; raises ValidationError listing every problem in Russian."""
    _check_system(from_system)
    _check_system(to_system)
    if from_system == to_system:
        raise ValidationError(_("Перевод из системы в неё же не нужен: выберите разные системы."))
    if from_system not in RANGES:
        raise ValidationError(
            _("Результаты системы «%(system)s» не переводятся: у «зач» и «незач» нет числового значения.")
            % {"system": _label(from_system)}
        )
    minimum, maximum = RANGES[from_system]
    allowed = GradingSystem.allowed(to_system)
    errors: list[str] = []
    clean: list[tuple[int, int, str, int]] = []
    for n, (low_raw, high_raw, value_raw) in enumerate(bands, start=1):
        low_raw, high_raw, value = ("" if x is None else str(x).strip() for x in (low_raw, high_raw, value_raw))
        value = value.lower()
        if not (low_raw or high_raw or value):
            continue
        low, high = _int(low_raw), _int(high_raw)
        line_errors = []
        if low is None or high is None:
            line_errors.append(_("Строка %(n)d: границы «от» и «до» — целые числа.") % {"n": n})
        elif low > high:
            line_errors.append(
                _("Строка %(n)d: «от» (%(low)d) больше, чем «до» (%(high)d).") % {"n": n, "low": low, "high": high}
            )
        elif low < minimum or high > maximum:
            line_errors.append(
                _("Строка %(n)d: в системе «%(system)s» значения от %(min)d до %(max)d.")
                % {"n": n, "system": _label(from_system), "min": minimum, "max": maximum}
            )
        if not value:
            line_errors.append(_("Строка %(n)d: не указан результат.") % {"n": n})
        elif value not in allowed:
            line_errors.append(
                _("Строка %(n)d: «%(value)s» — нет такой отметки в системе «%(system)s» (допустимы: %(allowed)s).")
                % {
                    "n": n,
                    "value": value,
                    "system": _label(to_system),
                    "allowed": GradingSystem.allowed_text(to_system),
                }
            )
        errors.extend(line_errors)
        if not line_errors:
            clean.append((low, high, value, n))
    if not clean and not errors:
        raise ValidationError(_("Шкала пуста: укажите хотя бы одну строку «от — до → результат»."))
    if errors:
        raise ValidationError(errors)

    def gap(low, high) -> str:
        if low == high:
            return _("Пропуск: значение %(low)d не попадает ни в одну строку шкалы.") % {"low": low}
        return _("Пропуск: значения от %(low)d до %(high)d не попадают ни в одну строку шкалы.") % {
            "low": low,
            "high": high,
        }

    def overlap(low, high, first, second) -> str:
        lines = {
            "a": first[3],
            "a_text": f"{first[0]}–{first[1]}",
            "b": second[3],
            "b_text": f"{second[0]}–{second[1]}",
            "low": low,
            "high": high,
        }
        if low == high:
            return (
                _(
                    "Перекрытие: значение %(low)d попадает и в строку %(a)d («%(a_text)s»), "
                    "и в строку %(b)d («%(b_text)s»)."
                )
                % lines
            )
        return (
            _(
                "Перекрытие: значения от %(low)d до %(high)d попадают и в строку %(a)d («%(a_text)s»), "
                "и в строку %(b)d («%(b_text)s»)."
            )
            % lines
        )

    ordered = sorted(clean, key=lambda b: (b[0], b[1]))
    covered = minimum - 1  # the highest value covered so far
    last = None  # the line that covers it
    for band in ordered:
        low, high = band[0], band[1]
        if low > covered + 1:
            errors.append(gap(covered + 1, low - 1))
        elif low <= covered and last is not None:
            errors.append(overlap(low, min(high, covered), last, band))
        if high > covered:
            covered, last = high, band
    if covered < maximum:
        errors.append(gap(covered + 1, maximum))
    if errors:
        raise ValidationError(errors)
    return [(low, high, value) for low, high, value, _n in sorted(clean, key=lambda b: -b[1])]


def scale_save(*, school, from_system: str, to_system: str, bands) -> ConversionScale:
    """Create or replace the school's scale from one system to another (validated by scale_check)."""
    checked = scale_check(from_system=from_system, to_system=to_system, bands=bands)
    with transaction.atomic():
        scale, _created = ConversionScale.objects.get_or_create(
            school=school, from_system=from_system, to_system=to_system
        )
        scale.bands.all().delete()
        ConversionBand.objects.bulk_create(
            [
                ConversionBand(school=school, scale=scale, low=low, high=high, value=value)
                for low, high, value in checked
            ]
        )
        scale.save(update_fields=["updated_at"])
    return scale


def scale_defaults_install(*, school) -> list[ConversionScale]:
    """Set up the ready-made scales the school does not have yet (100→5, 10→5, 5→зачёт)."""
    created = []
    for from_system, to_system in selectors.missing_defaults(school=school):
        created.append(
            scale_save(
                school=school,
                from_system=from_system,
                to_system=to_system,
                bands=DEFAULT_SCALES[(from_system, to_system)],
            )
        )
    return created


def scale_delete(*, scale: ConversionScale) -> None:
    scale.delete()


# ---------------------------------------------------------------------------------------------
# Converting


@dataclass
class Conversion:
    """A result read in another system, with the rule that gave it."""

    source: str  # as given: «85», «84,50»
    result: str
    from_system: str
    to_system: str
    scale: ConversionScale | None  # None when both systems are the same
    band: ConversionBand | None
    rounded: int | None = None  # an average rounded to a whole value before the scale

    @property
    def from_label(self) -> str:
        return _label(self.from_system)

    @property
    def to_label(self) -> str:
        return _label(self.to_system)


def _scale(school, from_system, to_system) -> ConversionScale:
    _check_system(from_system)
    _check_system(to_system)
    if from_system not in RANGES:
        raise ValidationError(
            _("Результаты системы «%(system)s» не переводятся: у «зач» и «незач» нет числового значения.")
            % {"system": _label(from_system)}
        )
    scale = selectors.scale_for(school=school, from_system=from_system, to_system=to_system)
    if scale is None:
        raise ValidationError(
            _("Шкала перевода из системы «%(from)s» в систему «%(to)s» в школе не настроена.")
            % {"from": _label(from_system), "to": _label(to_system)}
        )
    return scale


def _band(scale, number: int) -> ConversionBand:
    band = selectors.band_for(list(scale.bands.all()), number)
    if band is None:  # a scale saved through scale_save covers its range; a hand-edited one may not
        raise ValidationError(_("Значение %(n)d не попадает ни в одну строку шкалы перевода.") % {"n": number})
    return band


def convert_explained(*, school, from_system: str, to_system: str, value: str) -> Conversion:
    """One mark of `from_system` read in `to_system`, with the band of the school's scale used."""
    _check_system(from_system)
    _check_system(to_system)
    value = str(value or "").strip().lower()
    if value not in GradingSystem.allowed(from_system):
        raise ValidationError(
            _("«%(value)s» — нет такой отметки в системе «%(system)s» (допустимы: %(allowed)s).")
            % {"value": value, "system": _label(from_system), "allowed": GradingSystem.allowed_text(from_system)}
        )
    if from_system == to_system:
        return Conversion(value, value, from_system, to_system, None, None)
    scale = _scale(school, from_system, to_system)
    band = _band(scale, GradingSystem.numeric(from_system, value))
    return Conversion(value, band.value, from_system, to_system, scale, band)


def convert_average_explained(*, school, from_system: str, to_system: str, average) -> Conversion:
    """An average of `from_system` (e.g. 84,5) read in `to_system`: rounded arithmetically to a
    whole value of its system (84,5 → 85), then the school's scale."""
    try:
        number = Decimal(str(average).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("«%(value)s» — не число.") % {"value": average}) from None
    if not number.is_finite():
        raise ValidationError(_("«%(value)s» — не число.") % {"value": average})
    scale = _scale(school, from_system, to_system)
    minimum, maximum = RANGES[from_system]
    if not minimum <= number <= maximum:
        raise ValidationError(
            _("Средний балл в системе «%(system)s» — от %(min)d до %(max)d.")
            % {"system": _label(from_system), "min": minimum, "max": maximum}
        )
    whole = selectors.rounded(number)
    band = _band(scale, whole)
    source = f"{number.quantize(Decimal('0.01'))}".replace(".", ",")
    return Conversion(source, band.value, from_system, to_system, scale, band, rounded=whole)


def convert(*, school, from_system: str, to_system: str, value: str) -> str:
    """«85» of the 100-point system → «5» by the school's scale. ValidationError (Russian) when the
    value is not of `from_system` or the school has no such scale."""
    return convert_explained(school=school, from_system=from_system, to_system=to_system, value=value).result


def convert_average(*, school, from_system: str, to_system: str, average) -> str:
    """An average (Decimal, or «84,5») of `from_system` → a value of `to_system`."""
    return convert_average_explained(
        school=school, from_system=from_system, to_system=to_system, average=average
    ).result
