"""The reports as XLSX workbooks, through the product's one XLSX writer (apps.ops.xlsx): a
renderer is a function returning bytes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.ops import xlsx

from .selectors import ClassSizes, MovementReport


def _table(sheet: xlsx.Sheet, header: list, rows: list[tuple[list, bool]], *, freeze_columns: int) -> None:
    sheet.header(header, freeze_columns=freeze_columns)
    for values, bold in rows:
        sheet.row(values, bold=bold)


def movement_report_xlsx(report: MovementReport, *, school) -> bytes:
    book = xlsx.Book()
    header = [
        _("Класс"),
        _("На начало"),
        *[_("Прибыло: %(kind)s") % {"kind": label} for _code, label in report.arrival_columns],
        _("Прибыло всего"),
        *[_("Выбыло: %(kind)s") % {"kind": label} for _code, label in report.departure_columns],
        _("Выбыло всего"),
        _("На конец"),
    ]
    sheet = book.sheet(_("Движение учащихся"), widths=(24, *[14] * (len(header) - 1)), boxed=True)
    sheet.note(school.name)
    sheet.note(
        _("Движение учащихся с %(starts)s по %(ends)s (%(year)s учебный год)")
        % {"starts": f"{report.starts:%d.%m.%Y}", "ends": f"{report.ends:%d.%m.%Y}", "year": report.year},
        bold=True,
    )
    sheet.blank()
    rows = [
        (
            [
                line.label,
                line.at_start,
                *line.arrived_cells,
                line.arrived_total,
                *line.left_cells,
                line.left_total,
                line.at_end,
            ],
            line.level != "class",
        )
        for line in [*report.lines, report.total]
    ]
    _table(sheet, header, rows, freeze_columns=1)
    return book.save()


def class_sizes_xlsx(sizes: ClassSizes, *, school) -> bytes:
    book = xlsx.Book()
    sheet = book.sheet(_("Наполняемость классов"), widths=(24, 36, 14, 14), boxed=True)
    sheet.note(school.name)
    sheet.note(
        _("Наполняемость классов на %(day)s (%(year)s учебный год)")
        % {"day": f"{sizes.day:%d.%m.%Y}", "year": sizes.year},
        bold=True,
    )
    sheet.blank()
    header = [_("Класс"), _("Классный руководитель"), _("Классов"), _("Учащихся")]
    rows = [
        ([line.label, line.teacher, line.classes, line.students], line.level != "class")
        for line in [*sizes.lines, sizes.total]
    ]
    _table(sheet, header, rows, freeze_columns=0)
    return book.save()
