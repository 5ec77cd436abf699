"""The downloadable templates: one XLSX per kind with its header row, example rows and a sheet
of explanations. A renderer is a function returning bytes."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .kinds import EXAMPLES, columns, label

REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def template_name(kind: str) -> str:
    return f"obrazec-{kind}.xlsx"


def template_xlsx(kind: str) -> bytes:
    cols = columns(kind)
    book = Workbook()
    sheet = book.active
    sheet.title = str(label(kind))[:31]
    for index, col in enumerate(cols, start=1):
        cell = sheet.cell(row=1, column=index, value=f"{col.label}*" if col.required else str(col.label))
        cell.font = Font(bold=True)
        if col.required:
            cell.fill = REQUIRED_FILL
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(str(col.label)) + 4)
    for r, example in enumerate(EXAMPLES[kind], start=2):
        for index, (col, value) in enumerate(zip(cols, example, strict=True), start=1):
            cell = sheet.cell(row=r, column=index, value=value if value != "" else None)
            if col.date:
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(value, str):
                cell.number_format = "@"
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(_("Пояснения"))
    notes.append([_("Столбец"), _("Обязательный"), _("Что писать")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for col in cols:
        notes.append([str(col.label), _("да") if col.required else _("нет"), str(col.hint)])
    notes.append([])
    for line in (
        _("Первая строка — названия столбцов (порядок любой, регистр не важен); дальше — по строке на запись."),
        _("Строки-примеры замените своими. Ошибки будут показаны с номером строки, как в этой таблице."),
        _("Можно сохранить как CSV (UTF-8 или Windows-1251, разделитель «;» или «,»)."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 14
    notes.column_dimensions["C"].width = 90

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_xlsx(rows) -> bytes:
    """A plain one-sheet XLSX of these rows (dates formatted as dates), e.g. for the demo."""
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    for row in book.active.iter_rows():
        for cell in row:
            if cell.is_date:
                cell.number_format = "DD.MM.YYYY"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
