"""The program completion report as a spreadsheet (JRN-2): a function returning bytes."""

from __future__ import annotations

import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .selectors import CompletionGroup


def completion_workbook(*, school, year, period, today, by_class: list[CompletionGroup], by_teacher) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    lag_fill = PatternFill("solid", fgColor="FDE2E1")
    book = Workbook()
    sheets = ((book.active, _("По классам"), by_class, True), (None, _("По учителям"), by_teacher, False))
    for sheet, title, groups, class_first in sheets:
        sheet = sheet or book.create_sheet()
        sheet.title = title
        sheet.append([_("Выполнение программы") + f" — {school.short_name or school.name}"])
        sheet["A1"].font = bold
        scope = period.name if period else _("весь учебный год")
        sheet.append(
            [
                _("Учебный год %(year)s, %(scope)s; на %(date)s")
                % {"year": year.name if year else "—", "scope": scope, "date": date_format(today, "d.m.Y")}
            ]
        )
        sheet.append([])
        head = [
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
        sheet.append(head)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for group in groups:
            sheet.append(
                [
                    group.title,
                    _("Итого"),
                    None,
                    group.planned_total,
                    group.planned_to_date,
                    group.given,
                    group.lag,
                    None,
                    None,
                ]
            )
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for r in group.rows:
                j = r.journal
                other = j.teacher.short_name if class_first else str(j.group)
                first = str(j.group) if class_first else j.teacher.short_name
                note = None if r.has_plan else _("КТП не заполнен")
                sheet.append(
                    [first, str(j.subject), other, r.planned_total, r.planned_to_date, r.given, r.lag, r.percent, note]
                )
                if r.lag:
                    for cell in sheet[sheet.max_row]:
                        cell.fill = lag_fill
        for letter, width in zip("ABCDEFGHI", (22, 28, 22, 14, 16, 12, 12, 13, 18), strict=True):
            sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
