"""The plans' spreadsheets (JRN-2), written through the product's one XLSX writer (apps.ops.xlsx):
the plan in the template's columns (empty: the template itself) and the program completion
report. A renderer is a function returning bytes."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.ops import xlsx

from .importing import TEMPLATE_HEADER
from .models import MAX_ITEM_HOURS
from .selectors import CompletionGroup


def plan_workbook(items=(), *, title: str = "") -> bytes:
    """An XLSX with the plan's columns and the given items (none: the empty template), and a
    second sheet explaining the rules. It loads back through apps.plans.importing."""
    book = xlsx.Book()
    sheet = book.sheet(_("КТП"), widths=(6, 30, 60, 8, 12, 30))
    sheet.header([str(h) for h in TEMPLATE_HEADER])
    for item in items:
        sheet.row([item.order, item.section, item.topic, item.hours, item.planned_date, item.note])
    rules = book.sheet(_("Пояснения"), widths=(110,))
    lines = [
        title,
        _("Заполните лист «КТП»: одна строка — одна тема, в порядке изучения."),
        _("«Тема» обязательна; «Часы» — целое число от 1 до %(max)d (тему длиннее разбейте на несколько строк).")
        % {"max": MAX_ITEM_HOURS},
        _("«Раздел» можно написать один раз: он относится ко всем строкам ниже до следующего раздела."),
        _("«Дата» (планируемая, ДД.ММ.ГГГГ) и «Примечание» необязательны; «№» только для удобства чтения."),
        _("Файл можно сохранить как XLSX или CSV (UTF-8 или Windows-1251, разделитель «;» или «,»)."),
    ]
    for line in lines:
        if line:
            rules.note(line)
    return book.save()


def completion_workbook(*, school, year, period, today, by_class: list[CompletionGroup], by_teacher) -> bytes:
    """The program completion report: one sheet by class, one by teacher; lagging rows shaded."""
    book = xlsx.Book()
    sheets = ((_("По классам"), by_class, True), (_("По учителям"), by_teacher, False))
    for title, groups, class_first in sheets:
        sheet = book.sheet(title, widths=(22, 28, 22, 14, 16, 12, 12, 13, 18))
        sheet.note(_("Выполнение программы") + f" — {school.short_name or school.name}", bold=True)
        scope = period.name if period else _("весь учебный год")
        sheet.note(
            _("Учебный год %(year)s, %(scope)s; на %(date)s")
            % {"year": year.name if year else "—", "scope": scope, "date": date_format(today, "d.m.Y")}
        )
        sheet.blank()
        sheet.header(
            [
                _("Класс / группа") if class_first else _("Учитель"),
                _("Предмет"),
                _("Учитель") if class_first else _("Класс / группа"),
                _("Часов по плану"),
                _("По плану на дату"),
                _("Дано часов"),
                _("Отставание"),
                _("Выполнено, %"),
                _("Примечание"),
            ]
        )
        for group in groups:
            sheet.row(
                [group.title, _("Итого"), None, group.planned_total, group.planned_to_date, group.given, group.lag],
                bold=True,
            )
            for r in group.rows:
                j = r.journal
                other = j.teacher.short_name if class_first else str(j.group)
                first = str(j.group) if class_first else j.teacher.short_name
                note = None if r.has_plan else _("КТП не заполнен")
                sheet.row(
                    [first, str(j.subject), other, r.planned_total, r.planned_to_date, r.given, r.lag, r.percent, note],
                    fill=xlsx.WARNING if r.lag else None,
                )
    return book.save()
