"""The reports as XLSX workbooks (openpyxl): a renderer is a function returning bytes."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .selectors import ClassSizes, MovementReport

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _put(ws, row: int, column: int, value):
    """A cell; text stays text even when it starts with «=» (a name is never run as a formula)."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _table(ws, first_row: int, header: list[str], rows: list[tuple[list, bool]]) -> None:
    for col, text in enumerate(header, start=1):
        cell = _put(ws, first_row, col, text)
        cell.font, cell.border, cell.alignment = BOLD, BOX, WRAP
    for r, (values, bold) in enumerate(rows, start=first_row + 1):
        for col, value in enumerate(values, start=1):
            cell = _put(ws, r, col, value)
            cell.border = BOX
            if bold:
                cell.font = BOLD
    ws.column_dimensions["A"].width = 24
    for col in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14


def movement_report_xlsx(report: MovementReport, *, school) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Движение учащихся")
    _put(ws, 1, 1, school.name)
    ws["A2"] = _("Движение учащихся с %(starts)s по %(ends)s (%(year)s учебный год)") % {
        "starts": f"{report.starts:%d.%m.%Y}",
        "ends": f"{report.ends:%d.%m.%Y}",
        "year": report.year,
    }
    ws["A2"].font = BOLD
    header = [
        _("Класс"),
        _("На начало"),
        *[_("Прибыло: %(kind)s") % {"kind": label} for _code, label in report.arrival_columns],
        _("Прибыло всего"),
        *[_("Выбыло: %(kind)s") % {"kind": label} for _code, label in report.departure_columns],
        _("Выбыло всего"),
        _("На конец"),
    ]
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
    _table(ws, 4, header, rows)
    ws.freeze_panes = "B5"
    return _save(wb)


def class_sizes_xlsx(sizes: ClassSizes, *, school) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Наполняемость классов")
    _put(ws, 1, 1, school.name)
    ws["A2"] = _("Наполняемость классов на %(day)s (%(year)s учебный год)") % {
        "day": f"{sizes.day:%d.%m.%Y}",
        "year": sizes.year,
    }
    ws["A2"].font = BOLD
    header = [_("Класс"), _("Классный руководитель"), _("Классов"), _("Учащихся")]
    rows = [
        ([line.label, line.teacher, line.classes, line.students], line.level != "class")
        for line in [*sizes.lines, sizes.total]
    ]
    _table(ws, 4, header, rows)
    ws.column_dimensions["B"].width = 36
    ws.freeze_panes = "A5"
    return _save(wb)
